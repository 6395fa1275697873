// Requests go through the typed client (`client`), except through `call`: a query string spelled as
// a client would (`?attempts=`).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";
import { type CreatedTest, sampleAnswers, submit, teacherViewOf } from "../helpers/submit";
import { worker } from "./worker-app";

/**
 * Each request to the database is a network hop to Turso in production: these count them through
 * the proxy that sits between the Worker and sqld (tests/workers/global-setup.ts).
 */
const proxy = env.DATABASE_URL;

async function roundTripsOf(work: () => Promise<unknown>) {
  await fetch(`${proxy}/__proxy/reset`, { method: "POST" });
  await work();
  const { count, statements } = (await (await fetch(`${proxy}/__proxy/round-trips`)).json()) as {
    count: number;
    statements: string[][];
  };
  return { count, trips: JSON.stringify(statements, null, 1) };
}

let teacher: TestUser;
let student: TestUser;
let test: CreatedTest;

beforeAll(async () => {
  teacher = await registerUser(worker, { is_teacher: true });
  const organization = await createOrganization(worker, teacher);
  student = await registerUser(worker, { organization_id: organization.id });
  const created = await createOpenTest(worker, teacher, [student]);
  test = await teacherViewOf(worker, teacher, created.test.id);
  // A class opens the test after its teacher made it: its questions are cached by then.
  await responseOf(
    client(worker, student.auth).api.tests.p[":public_uuid"].index.$get({
      param: { public_uuid: test.public_uuid },
    }),
  );
});

describe("round trips to the database per request", () => {
  it("token obtain: 1", async () => {
    const { count, trips } = await roundTripsOf(async () => {
      const response = await responseOf(
        client(worker).api.users.token.obtain.index.$post({
          json: { email: student.email, password: student.password },
        }),
      );
      expect(response.status).toBe(200);
    });
    expect(count, trips).toBe(1);
  });

  it("users/me: 1", async () => {
    const { count, trips } = await roundTripsOf(async () => {
      const response = await responseOf(client(worker, student.auth).api.users.me.$get());
      expect(response.status).toBe(200);
    });
    expect(count, trips).toBeLessThanOrEqual(1);
  });

  it("opening a test by its link: at most 2", async () => {
    const { count, trips } = await roundTripsOf(async () => {
      const response = await responseOf(
        client(worker, student.auth).api.tests.p[":public_uuid"].index.$get({
          param: { public_uuid: test.public_uuid },
        }),
      );
      expect(response.status).toBe(200);
    });
    expect(count, trips).toBeLessThanOrEqual(2);
  });

  it("submitting without code answers: at most 2", async () => {
    const answers = sampleAnswers(test, true).slice(0, 3);
    const { count, trips } = await roundTripsOf(async () => {
      const response = await submit(worker, student, test.public_uuid, answers);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: "graded", score: 7 });
    });
    expect(count, trips).toBeLessThanOrEqual(2);
  });

  it("submitting with a code answer: at most 3", async () => {
    const { count, trips } = await roundTripsOf(async () => {
      const response = await submit(worker, student, test.public_uuid, sampleAnswers(test, true));
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: "grading", score: 7 });
    });
    expect(count, trips).toBeLessThanOrEqual(3);
  });

  it("a test's statistics: at most 2 while its completions fit one page", async () => {
    await submit(worker, student, test.public_uuid, sampleAnswers(test, true).slice(0, 3));
    for (const attempts of ["latest", "best", "all"]) {
      const { count, trips } = await roundTripsOf(async () => {
        const response = await call(
          worker,
          "GET",
          `/api/tests/${test.id}/statistics/?attempts=${attempts}`,
          { auth: teacher.auth },
        );
        expect(response.status).toBe(200);
        expect(response.body.completions).toBeGreaterThan(0);
      });
      expect(count, trips).toBeLessThanOrEqual(2);
    }
  });

  it("the histogram image: at most 2", async () => {
    const { count, trips } = await roundTripsOf(async () => {
      const response = await worker.app.request(
        `/api/tests/${test.id}/statistics/histogram.svg?token=${teacher.access}`,
      );
      expect(response.status).toBe(200);
      await response.text();
    });
    expect(count, trips).toBeLessThanOrEqual(2);
  });

  it("a timed test: start at most 2, the test in the attempt's order at most 2, submitting it at most 2", async () => {
    const created = await createOpenTest(worker, teacher, [student]);
    const settings = await responseOf(
      client(worker, teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(created.test.id) },
        json: { time_limit: 600, max_attempts: 2, shuffle_questions: true, show_results: "points" },
      }),
    );
    expect(settings.status).toBe(200);
    const timed = await teacherViewOf(worker, teacher, created.test.id);
    const started = await roundTripsOf(async () => {
      const response = await responseOf(
        client(worker, student.auth).api.tests.p[":public_uuid"].start.index.$post({
          param: { public_uuid: timed.public_uuid },
        }),
      );
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ attempt: 1, attempts_left: 1 });
    });
    expect(started.count, started.trips).toBeLessThanOrEqual(2);
    const opened = await roundTripsOf(async () => {
      const response = await responseOf(
        client(worker, student.auth).api.tests.p[":public_uuid"].index.$get({
          param: { public_uuid: timed.public_uuid },
        }),
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ time_limit: 600, max_attempts: 2 });
    });
    expect(opened.count, opened.trips).toBeLessThanOrEqual(2);
    const submitted = await roundTripsOf(async () => {
      const answers = sampleAnswers(timed, true).slice(0, 3);
      const response = await submit(worker, student, timed.public_uuid, answers);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ score: 7, attempt: 1, late: false });
      expect(response.body.answers.map((answer) => answer.points)).toEqual([1, 4, 2]);
    });
    expect(submitted.count, submitted.trips).toBeLessThanOrEqual(2);
    const unstarted = await submit(worker, student, timed.public_uuid, []);
    expect(unstarted.status).toBe(403);
    expect(unstarted.body).toEqual({ detail: "Start the test first." });
  });

  it("a runner's lease: 1, and its report: 2", async () => {
    await submit(worker, student, test.public_uuid, sampleAnswers(test, true));
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${env.RUNNER_TOKEN}`,
    };
    let job: { id: number; token: string } | undefined;
    const lease = await roundTripsOf(async () => {
      const response = await worker.app.request("/internal/grading/lease", {
        method: "POST",
        headers,
        body: JSON.stringify({ max: 1, wait_ms: 0 }),
      });
      job = ((await response.json()) as { jobs: { id: number; token: string }[] }).jobs[0];
    });
    expect(lease.count, lease.trips).toBe(1);
    if (!job) throw new Error("no job was leased");
    const leased = job;
    const report = await roundTripsOf(async () => {
      const response = await worker.app.request("/internal/grading/report", {
        method: "POST",
        headers,
        body: JSON.stringify({
          job_id: leased.id,
          token: leased.token,
          outcome: { kind: "graded", report: { passed: 2, total: 2, raised: false, errors: null } },
        }),
      });
      expect(await response.json()).toEqual({ result: "applied" });
    });
    expect(report.count, report.trips).toBeLessThanOrEqual(2);
  });
});
