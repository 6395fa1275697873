// Requests go through the typed client (`client`), except through `call`: a path outside the
// schema.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { client, itemAt, responseOf } from "../helpers/client";
import {
  createGroup,
  createOrganization,
  registerUser,
  signIn,
  uniqueEmail,
} from "../helpers/fixtures";
import { nodeApi, worker } from "./worker-app";

/** Plays a remote runner: lease over the protocol, grade in the real sandbox (via Node), report. */
async function gradeOneJob(): Promise<void> {
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${env.RUNNER_TOKEN}`,
  };
  const lease = await worker.app.request("/internal/grading/lease", {
    method: "POST",
    headers,
    body: JSON.stringify({ max: 1, wait_ms: 0 }),
  });
  expect(lease.status).toBe(200);
  const { jobs } = (await lease.json()) as {
    jobs: { id: number; token: string; code: string; testingCode: string }[];
  };
  const [job] = jobs;
  if (!job) throw new Error("no job to grade");
  const graded = await fetch(env.GRADER_URL, { method: "POST", body: JSON.stringify(job) });
  const report = await graded.json();
  const reported = await worker.app.request("/internal/grading/report", {
    method: "POST",
    headers,
    body: JSON.stringify({ job_id: job.id, token: job.token, outcome: { kind: "graded", report } }),
  });
  expect(await reported.json()).toEqual({ result: "applied" });
}

describe("the Worker build", () => {
  it("registers, signs in, builds a test and grades a code answer through the Durable Object queue", async () => {
    const teacher = await registerUser(worker, { is_teacher: true });
    const organization = await createOrganization(worker, teacher);
    const student = await registerUser(worker, { organization_id: organization.id });
    const group = await createGroup(worker, teacher, [student]);
    const created = await responseOf(
      client(worker, teacher.auth).api.tests.index.$post({
        json: {
          name: "Workers",
          questions: [
            {
              text: "add",
              type: "code",
              points: 3,
              body: { testing_code: "assert add(1, 2) == 3\nassert add(2, 2) == 4" },
            },
            {
              text: "2 + 2",
              type: "radio",
              body: { variants: [{ text: "4", is_correct: true }, { text: "5" }] },
            },
          ],
        },
      }),
    );
    expect(created.status).toBe(201);
    await responseOf(
      client(worker, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(created.body.id) },
        json: { group: group.id },
      }),
    );
    const code = itemAt(created.body.questions, 0);
    const radio = itemAt(created.body.questions, 1);
    const submitted = await responseOf(
      client(worker, student.auth).api.completions.index.$post({
        json: {
          test: created.body.public_uuid,
          answers: [
            { question: code.id, body: { code: "def add(a, b):\n    return a + b\n" } },
            {
              question: radio.id,
              body: { picked_variant: { id: itemAt(radio.body.variants, 0).id } },
            },
          ],
        },
      }),
    );
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ status: "grading", score: 1 });

    await gradeOneJob();

    const after = await responseOf(
      client(worker, teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(submitted.body.id) },
      }),
    );
    expect(after.body).toMatchObject({ status: "graded", score: 4 });
    expect(after.body.answers[0]).toMatchObject({
      points: 3,
      body: { is_correct: true, passed: 2, total: 2 },
    });
    const sheet = await worker.app.request(
      `/api/tests/${created.body.id}/completions/export/?token=${teacher.access}`,
    );
    expect(sheet.status).toBe(200);
    expect(new Uint8Array(await sheet.arrayBuffer()).slice(0, 2)).toEqual(
      new Uint8Array([0x50, 0x4b]),
    );
  });

  it("grades a JavaScript answer through the Durable Object queue and a remote runner", async () => {
    const teacher = await registerUser(worker, { is_teacher: true });
    const organization = await createOrganization(worker, teacher);
    const student = await registerUser(worker, { organization_id: organization.id });
    const group = await createGroup(worker, teacher, [student]);
    const created = await responseOf(
      client(worker, teacher.auth).api.tests.index.$post({
        json: {
          name: "Workers JavaScript",
          questions: [
            {
              text: "add",
              type: "code",
              points: 4,
              body: {
                language: "javascript",
                strict_score: false,
                testing_code:
                  "assert.strictEqual(add(1, 2), 3);\nassert.deepStrictEqual([add(2, 2), add(0, 1)], [4, 1]);",
              },
            },
          ],
        },
      }),
    );
    expect(created.status).toBe(201);
    expect(itemAt(created.body.questions, 0).body.language).toBe("javascript");
    await responseOf(
      client(worker, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(created.body.id) },
        json: { group: group.id },
      }),
    );
    const submitted = await responseOf(
      client(worker, student.auth).api.completions.index.$post({
        json: {
          test: created.body.public_uuid,
          answers: [
            {
              question: itemAt(created.body.questions, 0).id,
              body: { code: "const add = (a, b) => (a === 1 ? a + b : a * b);" },
            },
          ],
        },
      }),
    );
    expect(submitted.body).toMatchObject({ status: "grading", score: 0 });

    await gradeOneJob();

    const after = await responseOf(
      client(worker, teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(submitted.body.id) },
      }),
    );
    // a * b is right for add(2, 2) only: the first case passes, the second doesn't.
    expect(after.body).toMatchObject({ status: "graded", score: 2 });
    expect(itemAt(after.body.answers, 0).body).toMatchObject({
      is_correct: false,
      passed: 1,
      total: 2,
    });
    expect(itemAt(after.body.answers, 0).body.runtime_errors).toContain(
      "Line 2: assert.deepStrictEqual([add(2, 2), add(0, 1)], [4, 1]);",
    );
  });

  it("signs in through the Worker with a password set through the Node build", async () => {
    const user = await registerUser(nodeApi);
    const viaWorker = await signIn(worker, user.id, user.email, user.password);
    const me = await responseOf(client(worker, viaWorker.auth).api.users.me.$get());
    expect(me.body.email).toBe(user.email);
  });

  it("signs in through the Node build with a password set through the Worker", async () => {
    const user = await registerUser(worker, {
      email: uniqueEmail("wasm"),
      password: "пароль с юникодом ✓",
    });
    const viaNode = await signIn(nodeApi, user.id, user.email, user.password);
    expect((await responseOf(client(nodeApi, viaNode.auth).api.users.me.$get())).body.id).toBe(
      user.id,
    );
  });

  it("keeps the HTTP conventions: JSON 404, DRF errors, request ids", async () => {
    const missing = await call(worker, "GET", "/api/nothing/");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toBeTruthy();
    const invalid = await call(worker, "POST", "/api/users/", { json: { email: "x" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.email).toEqual(["Enter a valid email address."]);
  });
});
