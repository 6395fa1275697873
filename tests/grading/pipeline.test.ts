// Requests go through the typed client (`client`), except through `call`: answers whose question
// ids the types read as possibly undefined, and the OpenAPI document (not in the app's type).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradingJobs } from "../../src/db/schema";
import { leaseMsFor } from "../../src/grading/lease";
import { LocalGradingQueue } from "../../src/grading/local-queue";
import { RunnerPool } from "../../src/grading/runner";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { chooseSandbox } from "../../src/grading/sandbox/select";
import { createJsonLogger } from "../../src/logger";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";

const testingCode =
  "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(2, 2) == 4\nassert add(0, 5) == 5";
const silent = createJsonLogger("silent");

/** A teacher, a student in a group, and a test with a strict and a lenient code question. */
async function codeTestFor(t: TestApp) {
  const teacher = await registerUser(t, { is_teacher: true });
  const organization = await createOrganization(t, teacher);
  const student = await registerUser(t, { organization_id: organization.id });
  const { test } = await createOpenTest(
    t,
    teacher,
    [student],
    [
      {
        text: "add, strict",
        type: "code",
        points: 4,
        body: { testing_code: testingCode, strict_score: true },
      },
      {
        text: "add, lenient",
        type: "code",
        points: 4,
        body: { testing_code: testingCode, strict_score: false },
      },
      {
        text: "2 + 2",
        type: "radio",
        points: 1,
        body: { variants: [{ text: "4", is_correct: true }, { text: "5" }] },
      },
    ],
  );
  const [strict, lenient, radio] = test.questions as {
    id: number;
    body: { variants?: { id: number }[] };
  }[];
  return {
    teacher,
    student,
    test,
    strict,
    lenient,
    radio,
  };
}

type Setup = Awaited<ReturnType<typeof codeTestFor>>;

function submitCode(t: TestApp, setup: Setup, strictCode: string, lenientCode = strictCode) {
  return call(t, "POST", "/api/completions/", {
    auth: setup.student.auth,
    json: {
      test: setup.test.public_uuid,
      answers: [
        { question: setup.strict?.id, body: { code: strictCode } },
        { question: setup.lenient?.id, body: { code: lenientCode } },
        {
          question: setup.radio?.id,
          body: { picked_variant: { id: setup.radio?.body.variants?.[0]?.id } },
        },
      ],
    },
  });
}

const correctAdd = "def add(a, b):\n    return a + b\n";
const halfRightAdd = "def add(a, b):\n    return abs(a) + b if a else b\n";

describe("grading through the API, with in-process runners", () => {
  let t: TestApp;
  let setup: Setup;
  beforeAll(async () => {
    t = await createTestApp({ runners: 2, env: { GRADING_WAIT_MS: "20000" } });
    setup = await codeTestFor(t);
  });
  afterAll(() => t.close());

  it("waits for the grader and answers graded, with full points for correct code", async () => {
    const response = await submitCode(t, setup, correctAdd);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: "graded", score: 9 });
    const detail = await responseOf(
      client(t, setup.teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expect(detail.body.answers[0]).toEqual({
      question: setup.strict?.id,
      points: 4,
      body: {
        code: correctAdd,
        is_correct: true,
        runtime_errors: null,
        errors: null,
        passed: 4,
        total: 4,
      },
    });
  });

  it("gives 0 (strict) or partial points (not strict) for a failing assert, with the reason", async () => {
    // |a| + b (or b when a is 0) passes three of the four cases: add(-1, 1) is 2.
    const response = await submitCode(t, setup, halfRightAdd);
    expect(response.body).toMatchObject({ status: "graded", score: 0 + 3 + 1 });
    const detail = await responseOf(
      client(t, setup.teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    const [strict, lenient] = detail.body.answers;
    expect(strict).toMatchObject({ points: 0, body: { is_correct: false, passed: 3, total: 4 } });
    expect(strict?.body.runtime_errors).toBe("Line 2: assert add(-1, 1) == 0\nAssertionError");
    expect(strict?.body.errors).toBe(strict?.body.runtime_errors);
    expect(lenient).toMatchObject({ points: 3, body: { is_correct: false, passed: 3, total: 4 } });
  });

  it("records a time limit as a failed answer and keeps grading the next ones", async () => {
    const response = await submitCode(t, setup, "while True:\n    pass\n", correctAdd);
    expect(response.body).toMatchObject({ status: "graded", score: 0 + 4 + 1 });
    const detail = await responseOf(
      client(t, setup.teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expect(detail.body.answers[0]?.body.runtime_errors).toBe("Time limit exceeded (2 s)");
  });
});

describe("the queue without runners", () => {
  let t: TestApp;
  let setup: Setup;
  beforeAll(async () => {
    t = await createTestApp({ env: { GRADING_WAIT_MS: "0", SANDBOX_TIME_LIMIT_MS: "2000" } });
    setup = await codeTestFor(t);
  });
  afterAll(() => t.close());

  const completionOf = async (id: number) =>
    (
      await responseOf(
        client(t, setup.teacher.auth).api.completions[":id"].with_correctness.index.$get({
          param: { id: String(id) },
        }),
      )
    ).body;

  it("answers grading honestly, then completes the stored score when a runner reports", async () => {
    const response = await submitCode(t, setup, correctAdd);
    expect(response.body).toMatchObject({ status: "grading", score: 1 });
    const pool = new RunnerPool(t.grading, [new BwrapSandbox(defaultLimits(2000, 256), 5)], silent);
    pool.start();
    expect(await t.grading.waitFor(response.body.id, 20_000)).toBe(true);
    await pool.stop();
    expect(await completionOf(response.body.id)).toMatchObject({ status: "graded", score: 9 });
  });

  it("re-queues the job of a runner that died, and fails the answer after three tries", async () => {
    const response = await submitCode(t, setup, correctAdd, "");
    const id = response.body.id as number;
    const leaseMs = leaseMsFor(2000);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [job] = await t.grading.lease(1, 0);
      expect(job?.attempt).toBe(attempt);
      // The runner dies here: no report. Its lease runs out.
      t.clock.advanceSeconds(leaseMs / 1000 + 1);
      await t.grading.sweep();
    }
    expect(await t.grading.lease(1, 0)).toEqual([]);
    const completion = await completionOf(id);
    expect(completion).toMatchObject({ status: "graded", score: 1 });
    expect(completion.answers[0]).toMatchObject({ points: 0, body: { is_correct: false } });
    expect(completion.answers[0]?.body.runtime_errors).toMatch(
      /^The grader was unavailable: .* after 3 attempts/,
    );
  });

  it("ignores a late report from a runner whose lease ran out, and a duplicate one", async () => {
    const response = await submitCode(t, setup, correctAdd, "");
    const [stale] = await t.grading.lease(1, 0);
    if (!stale) throw new Error("a job was queued");
    t.clock.advanceSeconds(60);
    await t.grading.sweep();
    const [fresh] = await t.grading.lease(1, 0);
    if (!fresh) throw new Error("the job was re-queued");
    const full = {
      kind: "graded" as const,
      report: { passed: 4, total: 4, raised: false, errors: null },
    };
    const none = {
      kind: "graded" as const,
      report: { passed: 0, total: 4, raised: false, errors: "wrong" },
    };
    expect(await t.grading.report(stale.id, stale.token, full)).toBe("ignored");
    expect(await t.grading.report(fresh.id, fresh.token, none)).toBe("applied");
    expect(await t.grading.report(fresh.id, fresh.token, full)).toBe("ignored");
    expect(await completionOf(response.body.id)).toMatchObject({ status: "graded", score: 1 });
  });

  it("retries a job whose sandbox could not start", async () => {
    await submitCode(t, setup, correctAdd, "");
    const [job] = await t.grading.lease(1, 0);
    if (!job) throw new Error("a job was queued");
    expect(
      await t.grading.report(job.id, job.token, { kind: "unavailable", reason: "bwrap missing" }),
    ).toBe("ignored");
    const [again] = await t.grading.lease(1, 0);
    expect(again).toMatchObject({ id: job.id, attempt: 2 });
  });

  it("re-queues at start the jobs a previous process held", async () => {
    const response = await submitCode(t, setup, correctAdd, "");
    const [job] = await t.grading.lease(1, 0);
    if (!job) throw new Error("a job was queued");
    const restarted = new LocalGradingQueue(t.store, t.clock, silent, {
      leaseMs: 60_000,
      sweepIntervalMs: 60_000,
    });
    await restarted.start();
    restarted.stop();
    const [row] = await t.store.db.select().from(gradingJobs).where(eq(gradingJobs.id, job.id));
    expect(row).toMatchObject({ state: "queued", attempts: 1 });
    expect(response.body.status).toBe("grading");
  });
});

describe("the runner protocol over HTTP", () => {
  let t: TestApp;
  let student: TestUser;
  const runnerToken = "runner-token-for-tests-0123456789";
  beforeAll(async () => {
    t = await createTestApp({ env: { RUNNER_TOKEN: runnerToken } });
    student = (await codeTestFor(t)).student;
  });
  afterAll(() => t.close());

  const lease = (token?: string) =>
    t.app.request("/internal/grading/lease", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ max: 1, wait_ms: 0 }),
    });

  it("refuses callers without the runner token", async () => {
    expect((await lease()).status).toBe(401);
    expect((await lease("wrong-token")).status).toBe(401);
    expect((await lease(student.access)).status).toBe(401);
    expect((await lease(runnerToken)).status).toBe(200);
  });

  it("does not exist when no runner token is configured", async () => {
    const closed = await createTestApp();
    try {
      const response = await closed.app.request("/internal/grading/lease", { method: "POST" });
      expect(response.status).toBe(404);
    } finally {
      await closed.close();
    }
  });

  it("is not in the public API document", async () => {
    const document = await call(t, "GET", "/api/schema/json/");
    expect(document.text).not.toContain("/internal/");
  });

  it("validates what runners send", async () => {
    const response = await t.app.request("/internal/grading/report", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${runnerToken}` },
      body: JSON.stringify({ job_id: "x", outcome: { kind: "graded" } }),
    });
    expect(response.status).toBe(400);
  });
});

describe("choosing the sandbox", () => {
  it("SANDBOX=auto picks bubblewrap where it works, and says so in the log", async () => {
    const lines: string[] = [];
    const kind = await chooseSandbox(
      "auto",
      defaultLimits(2000, 256),
      createJsonLogger("info", (line) => lines.push(line)),
    );
    expect(kind).toBe("bwrap");
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: "sandbox", backend: "bwrap", requested: "auto" }),
    );
  });

  it("grades through the API with SANDBOX=pyodide", async () => {
    const t = await createTestApp({
      runners: 1,
      env: { SANDBOX: "pyodide", GRADING_WAIT_MS: "60000", SANDBOX_TIME_LIMIT_MS: "5000" },
    });
    try {
      const setup = await codeTestFor(t);
      const response = await submitCode(t, setup, correctAdd, halfRightAdd);
      expect(response.body).toMatchObject({ status: "graded", score: 4 + 3 + 1 });
    } finally {
      await t.close();
    }
  }, 120_000);
});
