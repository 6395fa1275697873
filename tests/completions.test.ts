// Requests go through the typed client (`client`), except through `call`: a path spelled without
// its trailing slash (the contract accepts both).
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers, completions } from "../src/db/schema";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import {
  createOpenTest,
  createTest,
  createWorld,
  registerUser,
  type TestUser,
  type World,
} from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";
import { type CreatedTest, sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

let t: TestApp;
let world: World;
let test: CreatedTest;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
  const open = await createOpenTest(t, world.teacher, [world.student]);
  test = await teacherViewOf(t, world.teacher, open.test.id);
});
afterAll(() => t.close());

async function storedCounts() {
  const [completionRows] = await t.store.db.select({ total: count() }).from(completions);
  const [answerRows] = await t.store.db.select({ total: count() }).from(answers);
  return [completionRows?.total, answerRows?.total];
}

const [radioIndex, checkIndex, textIndex, codeIndex] = [0, 1, 2, 3];
const question = (index: number) => test.questions[index] as CreatedTest["questions"][number];
const variantsOf = (index: number) => question(index).body.variants ?? [];

describe("submitting a completion", () => {
  it("scores every right answer at once and returns the student's shape", async () => {
    const response = await submit(
      t,
      world.student,
      test.public_uuid,
      sampleAnswers(test, true).slice(0, 3),
    );
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual([
      "answers",
      "attempt",
      "created_at",
      "id",
      "late",
      "score",
      "status",
      "test",
      "user",
    ]);
    expect(response.body).toMatchObject({
      user: world.student.id,
      test: test.public_uuid,
      score: 1 + 4 + 2,
      status: "graded",
    });
    expect(new Date(response.body.created_at).toISOString()).toBe(response.body.created_at);
    expect(response.body.answers.map((answer: { question: number }) => answer.question)).toEqual(
      test.questions.slice(0, 3).map((q) => q.id),
    );
    expect(response.text).not.toContain("is_correct");
    expect(response.body.answers[textIndex]?.body).toEqual({
      picked_variant: { text: "  paris " },
    });
  });

  it("scores wrong answers 0 and leaves out unanswered questions", async () => {
    const response = await submit(
      t,
      world.student,
      test.public_uuid,
      sampleAnswers(test, false).slice(0, 3),
    );
    expect(response.body.score).toBe(0);
    const alone = await submit(t, world.student, test.public_uuid, [
      sampleAnswers(test, true)[radioIndex],
    ]);
    expect(alone.body.score).toBe(1);
    expect(alone.body.answers).toHaveLength(1);
  });

  it("records a code answer as grading, with the points known so far and no fake score", async () => {
    const response = await submit(t, world.student, test.public_uuid, sampleAnswers(test, true));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: "grading", score: 7 });
    expect(response.body.answers[codeIndex]?.body).toEqual({
      code: "def add(a, b):\n    return a + b\n",
    });
    const teacherView = await responseOf(
      client(t, world.teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expect(teacherView.body.answers[codeIndex]).toMatchObject({
      points: 0,
      body: { is_correct: null },
    });
  });

  it("counts a blank code answer as 0 without grading", async () => {
    const response = await submit(t, world.student, test.public_uuid, [
      { question: question(codeIndex).id, body: { code: "  \n" } },
    ]);
    expect(response.body).toMatchObject({ status: "graded", score: 0 });
  });

  it("matches picked variants by text when no id is given, and an id wins over a text", async () => {
    const [right, wrong] = [variantsOf(radioIndex)[0], variantsOf(radioIndex)[1]] as {
      id: number;
      text: string;
    }[];
    const byText = await submit(t, world.student, test.public_uuid, [
      { question: question(radioIndex).id, body: { picked_variant: { text: right?.text } } },
    ]);
    expect(byText.body.score).toBe(1);
    const idWins = await submit(t, world.student, test.public_uuid, [
      {
        question: question(radioIndex).id,
        body: { picked_variant: { id: wrong?.id, text: right?.text } },
      },
    ]);
    expect(idWins.body.score).toBe(0);
  });

  it("never adds a typed text to the question's accepted answers", async () => {
    await submit(t, world.student, test.public_uuid, [
      { question: question(textIndex).id, body: { picked_variant: { text: "Lyon" } } },
    ]);
    const after = await teacherViewOf(t, world.teacher, test.id);
    expect(after.questions[textIndex]?.body.variants?.map((variant) => variant.text)).toEqual([
      "Paris",
    ]);
  });

  it("scores a check question strictly or not as the teacher chose", async () => {
    const checkVariants = variantsOf(checkIndex);
    const everyBox = checkVariants.map(({ id }) => ({ id }));
    const response = await submit(t, world.student, test.public_uuid, [
      { question: question(checkIndex).id, body: { picked_variants: [...everyBox, ...everyBox] } },
    ]);
    // Not strict, P = 4, 2 correct: floor(4 × (2 − 1) / 2) = 2; duplicates count once.
    expect(response.body.score).toBe(2);
    expect(response.body.answers[0]?.body.picked_variants).toHaveLength(3);
  });

  describe("refuses, leaving nothing behind", () => {
    const cases: [string, () => unknown[], (body: { answers?: unknown[] }) => void][] = [
      [
        "a question of another test",
        () => [{ question: 987_654, body: {} }],
        (body) =>
          expect(body).toEqual({
            answers: [{ question: ['Invalid pk "987654" - object does not exist.'] }],
          }),
      ],
      [
        "the same question twice",
        () => [sampleAnswers(test, true)[radioIndex], sampleAnswers(test, false)[radioIndex]],
        (body) =>
          expect(body).toEqual({
            answers: [{}, { question: ["This question is answered more than once."] }],
          }),
      ],
      [
        "a variant of another question",
        () => [
          {
            question: question(radioIndex).id,
            body: { picked_variant: { id: variantsOf(checkIndex)[0]?.id } },
          },
        ],
        (body) =>
          expect(body).toEqual({
            answers: [
              { body: { picked_variant: ["This variant does not belong to the question."] } },
            ],
          }),
      ],
      [
        "a variant id on a text question (a free pass to the accepted answer)",
        () => [
          {
            question: question(textIndex).id,
            body: { picked_variant: { id: variantsOf(textIndex)[0]?.id } },
          },
        ],
        (body) =>
          expect(body).toEqual({
            answers: [{ body: { picked_variant: { id: ["Type the answer as text."] } } }],
          }),
      ],
      [
        "a body key of another question type",
        () => [{ question: question(radioIndex).id, body: { code: "print(1)" } }],
        (body) =>
          expect(body).toEqual({
            answers: [{ body: { code: ["This field is not allowed for radio questions."] } }],
          }),
      ],
      [
        "a pick with neither id nor text",
        () => [{ question: question(checkIndex).id, body: { picked_variants: [{}] } }],
        (body) =>
          expect(body).toEqual({
            answers: [{ body: { picked_variants: [["Give the variant's id or text."]] } }],
          }),
      ],
      [
        "code over 64 KiB",
        () => [{ question: question(codeIndex).id, body: { code: "x".repeat(65_537) } }],
        (body) =>
          expect(body).toEqual({
            answers: [{ body: { code: ["Ensure this field has no more than 65536 characters."] } }],
          }),
      ],
    ];

    it.each(cases)("%s (400)", async (_, answersOf, check) => {
      const before = await storedCounts();
      const response = await submit(t, world.student, test.public_uuid, [...answersOf()]);
      expect(response.status).toBe(400);
      check(response.body);
      expect(await storedCounts()).toEqual(before);
    });

    it("a test the student may not take (403), an unknown link (400), a teacher (403)", async () => {
      const before = await storedCounts();
      const closed = await createTest(t, world.teacher);
      expect((await submit(t, world.student, closed.public_uuid, [])).status).toBe(403);
      const unknown = await submit(t, world.student, "zzzzzzzz", []);
      expect(unknown.status).toBe(400);
      expect(unknown.body).toEqual({ test: ["Object with public_uuid=zzzzzzzz does not exist."] });
      expect((await submit(t, world.teacher, test.public_uuid, [])).status).toBe(403);
      expect(await storedCounts()).toEqual(before);
    });
  });
});

describe("reading completions", () => {
  let completionId: number;
  let other: TestUser;

  beforeAll(async () => {
    other = await registerUser(t, { organization_id: world.orgA.id });
    const response = await submit(
      t,
      world.student,
      test.public_uuid,
      sampleAnswers(test, true).slice(0, 3),
    );
    completionId = response.body.id;
  });

  it("shows the student their completion without correctness", async () => {
    const response = await responseOf(
      client(t, world.student.auth).api.completions[":id"].index.$get({
        param: { id: String(completionId) },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.score).toBe(7);
    expect(response.text).not.toContain("is_correct");
  });

  it("hides a completion from another student of the same organization (404)", async () => {
    expect(
      (
        await responseOf(
          client(t, other.auth).api.completions[":id"].index.$get({
            param: { id: String(completionId) },
          }),
        )
      ).status,
    ).toBe(404);
  });

  it("shows the creator correctness, points, runtime errors and the old client's errors alias", async () => {
    const response = await responseOf(
      client(t, world.teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(completionId) },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({
      id: world.student.id,
      email: world.student.email,
      first_name: "Test",
      last_name: "User",
      photo: null,
      is_teacher: false,
    });
    expect(response.body.test).toBe(test.id);
    const [radio, check, text] = response.body.answers;
    expect(radio).toMatchObject({ points: 1, body: { picked_variant: { is_correct: true } } });
    expect(check?.points).toBe(4);
    expect(
      check?.body.picked_variants?.every((variant: { is_correct: boolean }) => variant.is_correct),
    ).toBe(true);
    expect(text).toMatchObject({
      points: 2,
      body: { picked_variant: { text: "  paris ", is_correct: true } },
    });
  });

  it("refuses correctness to the student (403)", async () => {
    const response = await responseOf(
      client(t, world.student.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(completionId) },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("lists a test's completions for its creator, in id order", async () => {
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].completions.index.$get({
        param: { id: String(test.id) },
        query: {},
      }),
    );
    expect(response.status).toBe(200);
    const ids = response.body.map((completion: { id: number }) => completion.id);
    expect(ids).toContain(completionId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(response.body[0]?.user.email).toBe(world.student.email);
  });

  it("lists the caller's own completions of a test by its link, and all of them under users/me", async () => {
    const byLink = await responseOf(
      client(t, world.student.auth).api.tests.p[":public_uuid"].completions.index.$get({
        param: { public_uuid: test.public_uuid },
        query: {},
      }),
    );
    expect(byLink.status).toBe(200);
    expect(
      byLink.body.every((completion: { user: number }) => completion.user === world.student.id),
    ).toBe(true);
    const mine = await responseOf(
      client(t, world.student.auth).api.users.me.completions.index.$get({ query: {} }),
    );
    expect(mine.body.map((completion: { id: number }) => completion.id)).toEqual(
      byLink.body.map((completion: { id: number }) => completion.id),
    );
    const none = await call(t, "GET", "/api/users/me/completions", { auth: other.auth });
    expect(none.body).toEqual([]);
  });

  it("never writes on read", async () => {
    const before = await storedCounts();
    const first = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].completions.index.$get({
        param: { id: String(test.id) },
        query: {},
      }),
    );
    const second = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].completions.index.$get({
        param: { id: String(test.id) },
        query: {},
      }),
    );
    expect(second.body).toEqual(first.body);
    expect(await storedCounts()).toEqual(before);
  });
});

/** An open test of organization A with one completion by its student. */
async function completionOfA(t: TestApp, world: World) {
  const { test: created } = await createOpenTest(t, world.teacher, [world.student]);
  const view = await teacherViewOf(t, world.teacher, created.id);
  const response = await submit(
    t,
    world.student,
    created.public_uuid,
    sampleAnswers(view, true).slice(0, 3),
  );
  expect(response.status).toBe(201);
  return { completionId: response.body.id as number, test: view };
}

describeRoleMatrix("POST /api/completions/", {
  arrange: async (t, world) =>
    teacherViewOf(
      t,
      world.teacher,
      (await createOpenTest(t, world.teacher, [world.student])).test.id,
    ),
  request: (view) => ({
    method: "POST",
    path: "/api/completions/",
    options: { json: { test: view.public_uuid, answers: sampleAnswers(view, true).slice(0, 3) } },
  }),
  expected: { anon: 401, noOrg: 400, student: 201, colleague: 403, teacher: 403, otherOrg: 400 },
});

describeRoleMatrix("GET /api/completions/{id}/", {
  arrange: completionOfA,
  request: ({ completionId }) => ({ method: "GET", path: `/api/completions/${completionId}/` }),
  expected: { anon: 401, noOrg: 404, student: 200, colleague: 404, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("GET /api/completions/{id}/with_correctness/", {
  arrange: completionOfA,
  request: ({ completionId }) => ({
    method: "GET",
    path: `/api/completions/${completionId}/with_correctness/`,
  }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 404, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("GET /api/tests/{id}/completions/", {
  arrange: completionOfA,
  request: ({ test: view }) => ({ method: "GET", path: `/api/tests/${view.id}/completions/` }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 403, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("GET /api/tests/{id}/completions/export/", {
  arrange: completionOfA,
  request: ({ test: view }) => ({
    method: "GET",
    path: `/api/tests/${view.id}/completions/export/`,
  }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 403, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("GET /api/tests/p/{public_uuid}/completions/", {
  arrange: completionOfA,
  request: ({ test: view }) => ({
    method: "GET",
    path: `/api/tests/p/${view.public_uuid}/completions/`,
  }),
  expected: { anon: 401, noOrg: 404, student: 200, colleague: 403, teacher: 403, otherOrg: 404 },
});

describeRoleMatrix("GET /api/users/me/completions/", {
  request: () => ({ method: "GET", path: "/api/users/me/completions/" }),
  expected: { anon: 401, noOrg: 200, student: 200, colleague: 200, teacher: 200, otherOrg: 200 },
});
