// Requests go through the typed client (`client`), except through `call`: bodies the schema refuses
// (questions missing fields, or not a list) and a form-encoded body.
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completions, questions, tests, variants } from "../src/db/schema";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, type ErrorBody, responseOf } from "./helpers/client";
import {
  createGroup,
  createOpenTest,
  createTest,
  createWorld,
  sampleQuestions,
  type World,
} from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
});
afterAll(() => t.close());

type SentQuestion = ReturnType<typeof sampleQuestions>[number];

/** What the creator must read back for what they sent: the same, plus ids. */
function expectRoundTrip(
  sent: SentQuestion[],
  received: Record<string, unknown>[],
  testId: number,
) {
  expect(received).toHaveLength(sent.length);
  sent.forEach((question, index) => {
    const got = received[index] as { body: { variants?: { id: number }[] } };
    const { variants: sentVariants, ...sentBody } = question.body as { variants?: object[] };
    expect(got).toEqual({
      id: expect.any(Number),
      test: testId,
      text: question.text,
      type: question.type,
      points: question.points,
      number_in_test: question.number_in_test,
      body: {
        ...sentBody,
        ...(sentVariants
          ? { variants: sentVariants.map((variant) => ({ id: expect.any(Number), ...variant })) }
          : {}),
      },
    });
  });
}

/** 200 questions cycling through the four types, with distinct texts. */
function mixedQuestions(total: number): SentQuestion[] {
  const templates = sampleQuestions();
  return Array.from({ length: total }, (_, index) => {
    const template = templates[index % templates.length] as SentQuestion;
    return {
      ...structuredClone(template),
      text: `Q${index}: ${template.text}`,
      number_in_test: index,
    };
  });
}

async function rowCount(table: typeof tests | typeof questions | typeof variants) {
  const [row] = await t.store.db.select({ total: count() }).from(table);
  return row?.total ?? 0;
}

describe("creating a test", () => {
  it("round-trips one question of each type", async () => {
    const sent = sampleQuestions();
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Mixed", questions: sent },
      }),
    );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Mixed",
      creator: world.teacher.id,
      available_for: [],
    });
    expect(response.body.public_uuid).toMatch(/^[a-z0-9]{8}$/);
    expectRoundTrip(sent, response.body.questions, response.body.id);
    const read = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expect(read.body).toEqual(response.body);
  });

  it("round-trips 200 questions of mixed types exactly", async () => {
    const sent = mixedQuestions(200);
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Big", questions: sent },
      }),
    );
    expect(response.status).toBe(201);
    const read = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expectRoundTrip(sent, read.body.questions, response.body.id);
  });

  it("leaves nothing behind when one question in the middle is invalid", async () => {
    const before = await Promise.all([rowCount(tests), rowCount(questions), rowCount(variants)]);
    const sent = mixedQuestions(200);
    (sent[101] as SentQuestion).body = {
      variants: [{ text: "only one", is_correct: true }],
    } as never;
    (sent[101] as SentQuestion).type = "radio";
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Broken", questions: sent },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.questions).toHaveLength(200);
    expect(response.body.questions[101]).toEqual({
      body: { variants: ["A radio question needs at least 2 variants."] },
    });
    expect(response.body.questions[100]).toEqual({});
    expect(await Promise.all([rowCount(tests), rowCount(questions), rowCount(variants)])).toEqual(
      before,
    );
  });

  it("orders questions by number_in_test, and numbers them by position by default", async () => {
    const [radio, check] = sampleQuestions() as [SentQuestion, SentQuestion];
    const test = await createTest(t, world.teacher, [
      { ...radio, number_in_test: 5 },
      { ...check, number_in_test: 2 },
    ]);
    const read = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$get({ param: { id: String(test.id) } }),
    );
    expect(read.body.questions.map((q: { number_in_test: number }) => q.number_in_test)).toEqual([
      2, 5,
    ]);
    const { number_in_test: _a, ...radioWithoutNumber } = radio;
    const { number_in_test: _b, ...checkWithoutNumber } = check;
    const defaulted = await createTest(t, world.teacher, [radioWithoutNumber, checkWithoutNumber]);
    expect(
      defaulted.questions.map((q) => (q as unknown as { number_in_test: number }).number_in_test),
    ).toEqual([0, 1]);
  });

  it("applies the documented defaults: 1 point, strict scoring, python, accepted text answers", async () => {
    const test = await createTest(t, world.teacher, [
      { text: "Say hi", type: "text", body: { variants: [{ text: "hi" }] } },
      { text: "Code", type: "code", body: { testing_code: "assert True" } },
      {
        text: "Check",
        type: "check",
        body: { variants: [{ text: "a", is_correct: true }, { text: "b" }] },
      },
    ]);
    const read = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$get({ param: { id: String(test.id) } }),
    );
    const [text, code, check] = read.body.questions;
    expect(text).toMatchObject({
      points: 1,
      body: { variants: [{ text: "hi", is_correct: true }] },
    });
    expect(code?.body).toEqual({
      testing_code: "assert True",
      strict_score: true,
      language: "python",
    });
    expect(check?.body.strict_score).toBe(true);
    expect(check?.body.variants?.[1]?.is_correct).toBe(false);
  });

  const invalidQuestions: [string, unknown, unknown][] = [
    [
      "a radio question with one variant",
      { text: "q", type: "radio", body: { variants: [{ text: "a", is_correct: true }] } },
      { body: { variants: ["A radio question needs at least 2 variants."] } },
    ],
    [
      "a radio question with two correct variants",
      {
        text: "q",
        type: "radio",
        body: {
          variants: [
            { text: "a", is_correct: true },
            { text: "b", is_correct: true },
          ],
        },
      },
      { body: { variants: ["A radio question needs exactly one correct variant."] } },
    ],
    [
      "a check question with no correct variant",
      { text: "q", type: "check", body: { variants: [{ text: "a" }] } },
      { body: { variants: ["A check question needs at least one correct variant."] } },
    ],
    [
      "a text question without accepted answers",
      { text: "q", type: "text", body: { variants: [] } },
      { body: { variants: ["A text question needs at least 1 variant."] } },
    ],
    [
      "a code question without testing code",
      { text: "q", type: "code", body: {} },
      { body: { testing_code: ["This field is required."] } },
    ],
    [
      "a code question with blank testing code",
      { text: "q", type: "code", body: { testing_code: "  \n" } },
      { body: { testing_code: ["This field may not be blank."] } },
    ],
    [
      "testing_code on a radio question",
      {
        text: "q",
        type: "radio",
        body: {
          testing_code: "assert 1",
          variants: [{ text: "a", is_correct: true }, { text: "b" }],
        },
      },
      { body: { testing_code: ["This field is not allowed for radio questions."] } },
    ],
    [
      "variants on a code question",
      { text: "q", type: "code", body: { testing_code: "assert 1", variants: [{ text: "a" }] } },
      { body: { variants: ["This field is not allowed for code questions."] } },
    ],
    [
      "strict_score on a text question",
      { text: "q", type: "text", body: { strict_score: false, variants: [{ text: "a" }] } },
      { body: { strict_score: ["This field is not allowed for text questions."] } },
    ],
    [
      "variant texts that repeat after trimming",
      {
        text: "q",
        type: "check",
        body: { variants: [{ text: "a", is_correct: true }, { text: " a " }] },
      },
      { body: { variants: [{}, { text: ["Variant texts must be unique within a question."] }] } },
    ],
    [
      "a blank question text",
      { text: "   ", type: "text", body: { variants: [{ text: "a" }] } },
      { text: ["This field may not be blank."] },
    ],
    [
      "a code question in an unknown language",
      { text: "q", type: "code", body: { testing_code: "assert 1", language: "cobol" } },
      {
        body: {
          language: ['"cobol" is not a valid choice: the languages are "python", "javascript".'],
        },
      },
    ],
    [
      "an unknown type",
      { text: "q", type: "essay", body: {} },
      { type: ['"essay" is not a valid choice.'] },
    ],
    [
      "points out of range",
      { text: "q", type: "text", points: 40_000, body: { variants: [{ text: "a" }] } },
      { points: ["Ensure this value is less than or equal to 32767."] },
    ],
    ["a missing body", { text: "q", type: "text" }, { body: ["This field is required."] }],
  ];

  it.each(invalidQuestions)("refuses %s, pointing at the field", async (_, question, expected) => {
    const [valid] = sampleQuestions();
    const response = await call(t, "POST", "/api/tests/", {
      auth: world.teacher.auth,
      json: {
        name: "Invalid",
        questions: [
          { ...valid, number_in_test: 0 },
          { ...(question as object), number_in_test: 1 },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ questions: [{}, expected] });
  });

  it("refuses two questions with the same number_in_test", async () => {
    const [radio, check] = sampleQuestions() as [SentQuestion, SentQuestion];
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: {
          name: "Dup",
          questions: [radio, { ...check, number_in_test: radio.number_in_test }],
        },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      questions: [
        {},
        { number_in_test: ["Each question of a test needs its own number_in_test."] },
      ],
    });
  });

  it("refuses more than 500 questions, a blank name and a non-list of questions", async () => {
    const tooMany = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Huge", questions: mixedQuestions(501) },
      }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toEqual({
      questions: ["Ensure this field has no more than 500 elements."],
    });
    const blank = await call(t, "POST", "/api/tests/", {
      auth: world.teacher.auth,
      json: { name: " ", questions: "none" },
    });
    expect(blank.body).toEqual({
      name: ["This field may not be blank."],
      questions: ['Expected a list of items but got type "str".'],
    });
  });

  it("takes only JSON: nested bodies are not forms", async () => {
    const response = await call(t, "POST", "/api/tests/", {
      auth: world.teacher.auth,
      form: { name: "Form test" },
    });
    expect(response.status).toBe(415);
  });
});

describe("the two views of a test", () => {
  it("shows a student nothing that reveals an answer", async () => {
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const response = await responseOf(
      client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
        param: { public_uuid: test.public_uuid },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.text).not.toContain("is_correct");
    expect(response.text).not.toContain("testing_code");
    expect(response.text).not.toContain("assert add");
    expect(response.text).not.toContain("Paris");
    expect(response.text).not.toContain("available_for");
    const [radio, check, text, code] = response.body.questions;
    expect(radio?.body).toEqual({
      variants: [expect.objectContaining({ text: "4" }), expect.objectContaining({ text: "5" })],
    });
    expect(check?.body.strict_score).toBe(false);
    expect(text?.body).toEqual({});
    expect(code?.body).toEqual({ strict_score: true, language: "python" });
  });

  it("lists the teacher's own tests without answers", async () => {
    const own = await createTest(t, world.colleague);
    await createTest(t, world.teacher);
    const response = await responseOf(
      client(t, world.colleague.auth).api.tests.index.$get({ query: {} }),
    );
    expect(response.status).toBe(200);
    expect(response.body.map((test: { id: number }) => test.id)).toEqual([own.id]);
    expect(response.text).not.toContain("is_correct");
    expect(response.text).not.toContain("testing_code");
  });
});

describe("opening a test to groups", () => {
  it("allows and disallows a group, shown in available_for", async () => {
    const test = await createTest(t, world.teacher);
    const group = await createGroup(t, world.teacher, [world.student]);
    const allowed = await call(t, "POST", `/api/tests/${test.id}/allow_for_group/`, {
      auth: world.teacher.auth,
      form: { group: String(group.id) },
    });
    expect(allowed.body.available_for).toEqual([
      { id: group.id, name: group.name, description: "" },
    ]);
    const again = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(test.id) },
        json: { group: group.id },
      }),
    );
    expect(again.body.available_for).toHaveLength(1);
    const disallowed = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].disallow_for_group.index.$post({
        param: { id: String(test.id) },
        json: { group: group.id },
      }),
    );
    expect(disallowed.body.available_for).toEqual([]);
    expect(
      (
        await responseOf(
          client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
            param: { public_uuid: test.public_uuid },
          }),
        )
      ).status,
    ).toBe(403);
  });

  it("refuses a group of another organization", async () => {
    const test = await createTest(t, world.teacher);
    const foreign = await createGroup(t, world.otherTeacher, [world.otherStudent]);
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(test.id) },
        json: { group: foreign.id },
      }),
    );
    expect(response.status).toBe(400);
    expect(Object.keys(response.body)).toEqual(["group"]);
  });

  it("regenerates the public link: the old one stops working", async () => {
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].regenerate_uuid.index.$post({
        param: { id: String(test.id) },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.public_uuid).toMatch(/^[a-z0-9]{8}$/);
    expect(response.body.public_uuid).not.toBe(test.public_uuid);
    expect(
      (
        await responseOf(
          client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
            param: { public_uuid: test.public_uuid },
          }),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await responseOf(
          client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
            param: { public_uuid: response.body.public_uuid },
          }),
        )
      ).status,
    ).toBe(200);
  });

  it("answers 404 to an unknown or malformed public link", async () => {
    for (const uuid of ["zzzzzzzz", "x".repeat(100), "a%20b"]) {
      expect(
        (
          await responseOf(
            client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
              param: { public_uuid: uuid },
            }),
          )
        ).status,
        uuid,
      ).toBe(404);
    }
  });
});

describe("changing and deleting a test", () => {
  it("renames a test and replaces its questions", async () => {
    const test = await createTest(t, world.teacher);
    const [radio] = sampleQuestions() as [SentQuestion];
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { name: "Renamed", questions: [radio] },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.name).toBe("Renamed");
    expectRoundTrip([radio], response.body.questions, test.id);
    expect(response.body.public_uuid).toBe(test.public_uuid);
  });

  it("refuses to replace the questions of a test that has completions, but still renames it", async () => {
    const test = await createTest(t, world.teacher);
    await t.store.transaction((tx) =>
      tx.insert(completions).values({ userId: world.student.id, testId: test.id }),
    );
    const replace = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { questions: [] },
      }),
    );
    expect(replace.status).toBe(409);
    expect(typeof (replace.body as ErrorBody).detail).toBe("string");
    const rename = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { name: "Kept" },
      }),
    );
    expect(rename.status).toBe(200);
    expect(rename.body.questions).toHaveLength(4);
  });

  it("deletes a test with its questions and completions", async () => {
    const test = await createTest(t, world.teacher);
    await t.store.transaction((tx) =>
      tx.insert(completions).values({ userId: world.student.id, testId: test.id }),
    );
    const response = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$delete({
        param: { id: String(test.id) },
      }),
    );
    expect(response.status).toBe(204);
    expect(
      (
        await responseOf(
          client(t, world.teacher.auth).api.tests[":id"].index.$get({
            param: { id: String(test.id) },
          }),
        )
      ).status,
    ).toBe(404);
    const left = await t.store.db.select().from(questions).where(eq(questions.testId, test.id));
    expect(left).toEqual([]);
  });
});

const testOfA = (t: TestApp, world: World) => createOpenTest(t, world.teacher, [world.student]);
const creatorOnly = { anon: 401, noOrg: 404, student: 403, colleague: 403, otherOrg: 404 } as const;

describeRoleMatrix("GET /api/tests/", {
  request: () => ({ method: "GET", path: "/api/tests/" }),
  expected: { anon: 401, noOrg: 403, student: 403, colleague: 200, teacher: 200, otherOrg: 200 },
});

describeRoleMatrix("POST /api/tests/", {
  request: () => ({
    method: "POST",
    path: "/api/tests/",
    options: { json: { name: "T", questions: sampleQuestions() } },
  }),
  expected: { anon: 401, noOrg: 403, student: 403, colleague: 201, teacher: 201, otherOrg: 201 },
});

describeRoleMatrix("GET /api/tests/{id}/", {
  arrange: testOfA,
  request: ({ test }) => ({ method: "GET", path: `/api/tests/${test.id}/` }),
  expected: { ...creatorOnly, teacher: 200 },
});

describeRoleMatrix("PATCH /api/tests/{id}/", {
  arrange: testOfA,
  request: ({ test }) => ({
    method: "PATCH",
    path: `/api/tests/${test.id}/`,
    options: { json: { name: "New name" } },
  }),
  expected: { ...creatorOnly, teacher: 200 },
});

describeRoleMatrix("DELETE /api/tests/{id}/", {
  arrange: testOfA,
  request: ({ test }) => ({ method: "DELETE", path: `/api/tests/${test.id}/` }),
  expected: { ...creatorOnly, teacher: 204 },
});

for (const action of ["allow_for_group", "disallow_for_group"]) {
  describeRoleMatrix(`POST /api/tests/{id}/${action}/`, {
    arrange: testOfA,
    request: ({ test, group }) => ({
      method: "POST",
      path: `/api/tests/${test.id}/${action}/`,
      options: { json: { group: group.id } },
    }),
    expected: { ...creatorOnly, teacher: 200 },
  });
}

describeRoleMatrix("POST /api/tests/{id}/regenerate_uuid/", {
  arrange: testOfA,
  request: ({ test }) => ({ method: "POST", path: `/api/tests/${test.id}/regenerate_uuid/` }),
  expected: { ...creatorOnly, teacher: 200 },
});

describeRoleMatrix("GET /api/tests/p/{public_uuid}/ (open to the student's group)", {
  arrange: testOfA,
  request: ({ test }) => ({ method: "GET", path: `/api/tests/p/${test.public_uuid}/` }),
  expected: { anon: 401, noOrg: 404, student: 200, colleague: 403, teacher: 403, otherOrg: 404 },
});

describe("what students see after a change", () => {
  it("shows the new questions at once after the teacher replaces them, and scores against them", async () => {
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const before = await responseOf(
      client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
        param: { public_uuid: test.public_uuid },
      }),
    );
    expect(before.body.questions).toHaveLength(4);
    const [radio] = sampleQuestions() as [SentQuestion];
    const replaced = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { questions: [{ ...radio, text: "Replaced" }] },
      }),
    );
    expect(replaced.status).toBe(200);
    const after = await responseOf(
      client(t, world.student.auth).api.tests.p[":public_uuid"].index.$get({
        param: { public_uuid: test.public_uuid },
      }),
    );
    expect(after.body.questions.map((q: { text: string }) => q.text)).toEqual(["Replaced"]);
    const oldQuestion = before.body.questions[0]?.id as number;
    const stale = await responseOf(
      client(t, world.student.auth).api.completions.index.$post({
        json: { test: test.public_uuid, answers: [{ question: oldQuestion, body: {} }] },
      }),
    );
    expect(stale.status).toBe(400);
  });
});
