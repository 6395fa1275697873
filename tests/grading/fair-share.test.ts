// Requests go through the typed client (`client`), except through `call`: an answer whose question
// id the types read as possibly undefined.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";

const addQuestion = (text: string) => ({
  text,
  type: "code",
  points: 1,
  body: { testing_code: "assert add(1, 2) == 3\nassert add(-1, 1) == 0" },
});
const correctAdd = "def add(a, b):\n    return a + b\n";

async function classroom(t: TestApp, questions: unknown[]) {
  const teacher = await registerUser(t, { is_teacher: true });
  const organization = await createOrganization(t, teacher);
  const students: TestUser[] = [];
  for (let index = 0; index < 2; index++)
    students.push(await registerUser(t, { organization_id: organization.id }));
  const { test } = await createOpenTest(t, teacher, students, questions);
  return { teacher, students, test };
}

const submission = (test: { public_uuid: string; questions: { id: number }[] }, code: string) => ({
  test: test.public_uuid,
  answers: test.questions.map((question) => ({ question: question.id, body: { code } })),
});

describe("a test with 60 code questions, at the default per-student limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      runners: 2,
      env: { GRADING_MAX_PENDING_PER_USER: "50", GRADING_WAIT_MS: "0" },
    });
  });
  afterAll(() => t.close());

  it("is submitted and graded completely; a second submission waits for the first", async () => {
    const questions = Array.from({ length: 60 }, (_, index) => addQuestion(`add #${index}`));
    const { students, test } = await classroom(t, questions);
    const [student] = students as [TestUser];
    const first = await responseOf(
      client(t, student.auth).api.completions.index.$post({ json: submission(test, correctAdd) }),
    );
    expect(first.status).toBe(201);
    const second = await responseOf(
      client(t, student.auth).api.completions.index.$post({ json: submission(test, correctAdd) }),
    );
    expect(second.status).toBe(429);
    expect(await t.grading.waitFor(first.body.id, 120_000)).toBe(true);
    const graded = await responseOf(
      client(t, student.auth).api.completions[":id"].index.$get({
        param: { id: String(first.body.id) },
      }),
    );
    expect(graded.body).toMatchObject({ status: "graded", score: 60 });
  }, 150_000);
});

describe("fair share between students", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ runners: 2, env: { GRADING_WAIT_MS: "0" } });
  });
  afterAll(() => t.close());

  it("grades a classmate's answer while one student's 20 infinite loops are queued", async () => {
    const loops = Array.from({ length: 20 }, (_, index) => addQuestion(`loop #${index}`));
    const { students, test } = await classroom(t, loops);
    const [looper, classmate] = students as [TestUser, TestUser];
    const flood = await responseOf(
      client(t, looper.auth).api.completions.index.$post({
        json: submission(test, "while True:\n    pass\n"),
      }),
    );
    expect(flood.status).toBe(201);
    const single = await call(t, "POST", "/api/completions/", {
      auth: classmate.auth,
      json: {
        test: test.public_uuid,
        answers: [{ question: test.questions[0]?.id, body: { code: correctAdd } }],
      },
    });
    expect(single.status).toBe(201);
    // In submission order the classmate would wait for 20 loops of 2 s on 2 runners (≥ 20 s).
    expect(await t.grading.waitFor(single.body.id, 15_000)).toBe(true);
    const graded = await responseOf(
      client(t, classmate.auth).api.completions[":id"].index.$get({
        param: { id: String(single.body.id) },
      }),
    );
    expect(graded.body).toMatchObject({ status: "graded", score: 1 });
  }, 120_000);
});
