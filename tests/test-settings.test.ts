// Requests go through the typed client (`client`), except through `call`: an answer whose question
// id the types read as possibly undefined.
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCompletion } from "../src/db/queries/completions";
import { attempts, completions, tests } from "../src/db/schema";
import { type Credentials, call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, type ErrorBody, responseOf } from "./helpers/client";
import {
  createOpenTest,
  createOrganization,
  createWorld,
  registerUser,
  sampleQuestions,
  type TestUser,
  type World,
} from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";
import { type CreatedTest, sampleAnswers, teacherViewOf } from "./helpers/submit";

let t: TestApp;
let world: World;

/** Basic credentials: these tests move the clock by hours, past any access token's life. */
const basic = (user: TestUser): Credentials => ({
  basic: { email: user.email, password: user.password },
});

const withBasicAuth = (user: TestUser): TestUser => ({ ...user, auth: basic(user) });

beforeAll(async () => {
  t = await createTestApp();
  const created = await createWorld(t);
  world = {
    ...created,
    teacher: withBasicAuth(created.teacher),
    student: withBasicAuth(created.student),
  };
});
afterAll(() => t.close());

/** An ISO time `seconds` from the app's clock. */
const inSeconds = (seconds: number) => new Date(t.clock.now() + seconds * 1000).toISOString();

const defaults = {
  opens_at: null,
  closes_at: null,
  time_limit: null,
  max_attempts: null,
  shuffle_questions: false,
  shuffle_variants: false,
  show_results: "score",
};

async function newStudent() {
  return withBasicAuth(await registerUser(t, { organization_id: world.orgA.id }));
}

async function patchTest(testId: number, json: Record<string, unknown>) {
  return responseOf(
    client(t, basic(world.teacher)).api.tests[":id"].index.$patch({
      param: { id: String(testId) },
      json: json,
    }),
  );
}

/** A test open to `students` with these settings (set by PATCH, as a teacher would later). */
async function openTestWith(
  settings: Record<string, unknown>,
  students: TestUser[],
  questions: unknown[] = sampleQuestions().slice(0, 3),
): Promise<CreatedTest> {
  const { test } = await createOpenTest(t, world.teacher, students, questions);
  const patched = await patchTest(test.id, settings);
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return teacherViewOf(t, world.teacher, test.id);
}

const start = (student: TestUser, test: CreatedTest) =>
  responseOf(
    client(t, basic(student)).api.tests.p[":public_uuid"].start.index.$post({
      param: { public_uuid: test.public_uuid },
    }),
  );

const openByLink = (student: TestUser, test: CreatedTest) =>
  responseOf(
    client(t, basic(student)).api.tests.p[":public_uuid"].index.$get({
      param: { public_uuid: test.public_uuid },
    }),
  );

const submitAs = (student: TestUser, test: CreatedTest, right = true, headers = {}) =>
  responseOf(
    client(t, basic(student), headers).api.completions.index.$post({
      json: { test: test.public_uuid, answers: sampleAnswers(test, right) },
    }),
  );

async function storedCompletions(student: TestUser, test: CreatedTest) {
  return t.store.db
    .select()
    .from(completions)
    .where(and(eq(completions.userId, student.id), eq(completions.testId, test.id)));
}

async function storedAttempts(student: TestUser, test: CreatedTest) {
  const [row] = await t.store.db
    .select({ total: count() })
    .from(attempts)
    .where(and(eq(attempts.userId, student.id), eq(attempts.testId, test.id)));
  return row?.total;
}

describe("test settings on create and update", () => {
  it("defaults to the original behaviour when a client sends none", async () => {
    const created = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Old client", questions: sampleQuestions() },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(defaults);
  });

  it("stores times in UTC, converting offsets, and shows every setting to teacher and student", async () => {
    const student = await newStudent();
    const settings = {
      opens_at: "2020-01-01T12:00:00+03:00",
      closes_at: "2099-01-01T00:00:00.250Z",
      time_limit: 600,
      max_attempts: 3,
      shuffle_questions: true,
      shuffle_variants: true,
      show_results: "points",
    };
    const test = await openTestWith(settings, [student]);
    const expected = {
      ...settings,
      opens_at: "2020-01-01T09:00:00.000Z",
      closes_at: "2099-01-01T00:00:00.250Z",
    };
    expect(await teacherViewOf(t, world.teacher, test.id)).toMatchObject(expected);
    expect((await openByLink(student, test)).body).toMatchObject(expected);
    const list = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$get({ query: {} }),
    );
    expect(list.body.find((item: { id: number }) => item.id === test.id)).toMatchObject(expected);
    const [row] = await t.store.db.select().from(tests).where(eq(tests.id, test.id));
    expect(row?.opensAt?.getTime()).toBe(Date.UTC(2020, 0, 1, 9));
  });

  it("changes settings after completions exist, and null clears one", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 1 }, [student]);
    expect((await submitAs(student, test)).status).toBe(201);
    expect((await submitAs(student, test)).body).toEqual({ detail: "No attempts left." });
    const patched = await patchTest(test.id, { max_attempts: null, show_results: "full" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ max_attempts: null, show_results: "full" });
    expect((await submitAs(student, test)).status).toBe(201);
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ["a naive date-time (no time zone)", { opens_at: "2026-12-01T09:00:00" }, "opens_at"],
    ["a date without a time", { closes_at: "2026-12-01" }, "closes_at"],
    ["an impossible date", { closes_at: "2026-02-30T09:00:00Z" }, "closes_at"],
    ["a number for a time", { opens_at: 1764580000 }, "opens_at"],
    [
      "closes_at before opens_at",
      { opens_at: "2026-12-02T00:00:00Z", closes_at: "2026-12-01T00:00:00Z" },
      "closes_at",
    ],
    [
      "closes_at equal to opens_at (once in UTC)",
      { opens_at: "2026-12-01T03:00:00+03:00", closes_at: "2026-12-01T00:00:00Z" },
      "closes_at",
    ],
    ["time_limit under a minute", { time_limit: 59 }, "time_limit"],
    ["time_limit over a day", { time_limit: 86_401 }, "time_limit"],
    ["time_limit as a string", { time_limit: "600" }, "time_limit"],
    ["time_limit with a fraction", { time_limit: 90.5 }, "time_limit"],
    ["max_attempts of 0", { max_attempts: 0 }, "max_attempts"],
    ["max_attempts over 100", { max_attempts: 101 }, "max_attempts"],
    ["shuffle_questions as a string", { shuffle_questions: "yes" }, "shuffle_questions"],
    ["shuffle_variants as null", { shuffle_variants: null }, "shuffle_variants"],
    ["an unknown show_results", { show_results: "everything" }, "show_results"],
  ];
  for (const [what, settings, field] of badInputs) {
    it(`refuses ${what} with a DRF 400 on create and on update, changing nothing`, async () => {
      const created = await responseOf(
        client(t, world.teacher.auth).api.tests.index.$post({
          json: { name: "Bad settings", questions: [], ...settings },
        }),
      );
      expect(created.status).toBe(400);
      expect(Object.keys(created.body)).toEqual([field]);
      expect((created.body as ErrorBody)[field]).toEqual([expect.any(String)]);
      const { test } = await createOpenTest(t, world.teacher, []);
      const updated = await patchTest(test.id, { name: "Renamed", ...settings });
      expect(updated.status).toBe(400);
      expect(Object.keys(updated.body)).toEqual([field]);
      expect((await teacherViewOf(t, world.teacher, test.id)) as object).toMatchObject({
        name: expect.not.stringMatching("Renamed"),
        ...defaults,
      });
    });
  }

  it("explains that a date-time needs its time zone", async () => {
    const created = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$post({
        json: { name: "Naive", opens_at: "2026-12-01T09:00:00" },
      }),
    );
    expect((created.body as ErrorBody).opens_at[0]).toContain("time zone is required");
  });

  it("checks one end of the window sent alone against the stored other", async () => {
    const { test } = await createOpenTest(t, world.teacher, []);
    expect((await patchTest(test.id, { opens_at: "2030-01-01T00:00:00Z" })).status).toBe(200);
    const updated = await patchTest(test.id, { closes_at: "2029-12-31T23:59:59Z" });
    expect(updated.status).toBe(400);
    expect(updated.body).toEqual({ closes_at: ["closes_at must be later than opens_at."] });
    expect((await patchTest(test.id, { closes_at: "2030-01-01T00:00:01Z" })).status).toBe(200);
  });
});

describe("the window", () => {
  /** Opening the test, starting and submitting, at once: each a 403 with `detail`. */
  async function expectRefusedEverywhere(student: TestUser, test: CreatedTest, detail: string) {
    const responses = await Promise.all([
      openByLink(student, test),
      start(student, test),
      submitAs(student, test),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ detail });
    }
  }

  it("refuses the test, start and submissions before it opens and after it closes, naming the time", async () => {
    const student = await newStudent();
    const opensAt = inSeconds(3600);
    const closesAt = inSeconds(7200);
    const test = await openTestWith({ opens_at: opensAt, closes_at: closesAt }, [student]);
    await expectRefusedEverywhere(
      student,
      test,
      `This test opens at ${new Date(opensAt).toISOString()}.`,
    );

    t.clock.advanceSeconds(3600);
    expect((await openByLink(student, test)).status).toBe(200);
    expect((await submitAs(student, test)).status).toBe(201);

    t.clock.advanceSeconds(3600);
    await expectRefusedEverywhere(
      student,
      test,
      `This test closed at ${new Date(closesAt).toISOString()}.`,
    );
    expect(await storedCompletions(student, test)).toHaveLength(1);
    const own = await responseOf(
      client(t, basic(student)).api.tests.p[":public_uuid"].completions.index.$get({
        param: { public_uuid: test.public_uuid },
        query: {},
      }),
    );
    expect(own.status).toBe(200);
    expect(own.body).toHaveLength(1);
  });

  it("opens to everyone at once when the teacher clears opens_at", async () => {
    const student = await newStudent();
    const test = await openTestWith({ opens_at: inSeconds(86_400) }, [student]);
    expect((await openByLink(student, test)).status).toBe(403);
    expect((await patchTest(test.id, { opens_at: null })).status).toBe(200);
    expect((await openByLink(student, test)).status).toBe(200);
  });
});

describe("attempts", () => {
  it("numbers the old client's submissions without start, unlimited and never late", async () => {
    const student = await newStudent();
    const test = await openTestWith({}, [student]);
    for (const attempt of [1, 2, 3]) {
      const response = await submitAs(student, test);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ attempt, late: false, score: 7 });
    }
  });

  it("numbers 30 concurrent submissions to an unlimited test 1 to 30, storing every one", async () => {
    const student = await newStudent();
    const test = await openTestWith({}, [student]);
    const responses = await Promise.all(Array.from({ length: 30 }, () => submitAs(student, test)));
    expect(responses.map((response) => response.status)).toEqual(Array(30).fill(201));
    const numbers = responses
      .map((response) => response.body.attempt)
      .sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    expect(await storedAttempts(student, test)).toBe(30);
  });

  it("stores an empty submission as an attempt, and its replay as none", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 2 }, [student]);
    const empty = () =>
      responseOf(
        client(t, basic(student), { "idempotency-key": "empty" }).api.completions.index.$post({
          json: { test: test.public_uuid, answers: [] },
        }),
      );
    const first = await empty();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ attempt: 1, answers: [], score: 0 });
    expect((await empty()).body.id).toBe(first.body.id);
    expect(await storedCompletions(student, test)).toHaveLength(1);
  });

  it("counts a completion stored before attempts existed as an attempt", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 2 }, [student]);
    await insertCompletion(
      t.store,
      { userId: student.id, testId: test.id, score: 0, status: "graded", createdAt: new Date() },
      [],
    );
    const mine = await responseOf(
      client(t, basic(student)).api.tests.p[":public_uuid"].completions.index.$get({
        param: { public_uuid: test.public_uuid },
        query: {},
      }),
    );
    expect(mine.body).toMatchObject([{ attempt: null, late: false }]);
    expect((await submitAs(student, test)).body).toMatchObject({ attempt: 2 });
    expect((await submitAs(student, test)).body).toEqual({ detail: "No attempts left." });
  });

  it("refuses one more than max_attempts, on submit and on start", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 2 }, [student]);
    expect((await submitAs(student, test)).body.attempt).toBe(1);
    const started = await start(student, test);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ attempt: 2, deadline: null, attempts_left: 0 });
    expect((await submitAs(student, test)).body.attempt).toBe(2);
    for (const response of await Promise.all([submitAs(student, test), start(student, test)])) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ detail: "No attempts left." });
    }
    expect(await storedCompletions(student, test)).toHaveLength(2);
  });

  it("lets exactly one of 30 concurrent submissions take the last attempt", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 1 }, [student]);
    const responses = await Promise.all(Array.from({ length: 30 }, () => submitAs(student, test)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 403)).toHaveLength(29);
    for (const response of responses.filter((r) => r.status === 403))
      expect(response.body).toEqual({ detail: "No attempts left." });
    expect(await storedCompletions(student, test)).toHaveLength(1);
  });

  it("lets exactly one of 30 concurrent submissions submit a started timed attempt", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 1, time_limit: 600 }, [student]);
    expect((await start(student, test)).status).toBe(201);
    const responses = await Promise.all(Array.from({ length: 30 }, () => submitAs(student, test)));
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 403)).toHaveLength(29);
    expect(await storedCompletions(student, test)).toHaveLength(1);
  });

  it("answers start with the open attempt again, also to 30 concurrent calls", async () => {
    const student = await newStudent();
    const test = await openTestWith({ time_limit: 900, max_attempts: 3 }, [student]);
    const responses = await Promise.all(Array.from({ length: 30 }, () => start(student, test)));
    const created = responses.filter((response) => response.status === 201);
    expect(created).toHaveLength(1);
    expect(responses.filter((response) => response.status === 200)).toHaveLength(29);
    const startedAt = new Date(t.clock.now()).toISOString();
    for (const response of responses)
      expect(response.body).toEqual({
        attempt: 1,
        started_at: startedAt,
        deadline: new Date(t.clock.now() + 900_000).toISOString(),
        attempts_left: 2,
      });
    expect(await storedAttempts(student, test)).toBe(1);

    t.clock.advanceSeconds(60);
    const again = await start(student, test);
    expect(again.status).toBe(200);
    expect(again.body.started_at).toBe(startedAt);
    expect((await submitAs(student, test)).body).toMatchObject({ attempt: 1, late: false });
    const next = await start(student, test);
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ attempt: 2, attempts_left: 1 });
  });

  it("does not let a replayed submission consume an attempt", async () => {
    const student = await newStudent();
    const test = await openTestWith({ max_attempts: 2 }, [student]);
    const key = { "idempotency-key": `retry-${student.id}` };
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => submitAs(student, test, true, key)),
    );
    const ids = new Set(replies.map((reply) => reply.body.id));
    expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(201));
    expect(ids.size).toBe(1);
    expect(replies[0]?.body.attempt).toBe(1);
    const second = await submitAs(student, test);
    expect(second.status).toBe(201);
    expect(second.body.attempt).toBe(2);
  });
});

describe("the time limit", () => {
  it("needs start first, and shows the questions only while an attempt is open", async () => {
    const student = await newStudent();
    const test = await openTestWith({ time_limit: 60 }, [student]);
    const response = await submitAs(student, test);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ detail: "Start the test first." });
    expect(await storedCompletions(student, test)).toHaveLength(0);
    const before = await openByLink(student, test);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ time_limit: 60, questions: [] });
    expect((await start(student, test)).status).toBe(201);
    expect((await openByLink(student, test)).body.questions).toHaveLength(3);
    t.clock.advanceSeconds(61);
    expect((await openByLink(student, test)).body.questions).toEqual([]);
  });

  it("scores a submission within 30 s after the deadline normally", async () => {
    const student = await newStudent();
    const test = await openTestWith({ time_limit: 60 }, [student]);
    expect((await start(student, test)).status).toBe(201);
    t.clock.advanceSeconds(60 + 30);
    const response = await submitAs(student, test);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ attempt: 1, late: false, score: 7 });
  });

  it("stores a submission more than 30 s late, marked late with 0 points, answers kept", async () => {
    const student = await newStudent();
    const test = await openTestWith(
      { time_limit: 60, show_results: "points" },
      [student],
      sampleQuestions(),
    );
    expect((await start(student, test)).status).toBe(201);
    t.clock.advanceSeconds(60 + 31);
    const response = await submitAs(student, test);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ attempt: 1, late: true, score: 0, status: "graded" });
    expect(response.body.answers).toHaveLength(4);
    for (const answer of response.body.answers) expect(answer.points).toBe(0);
    const teacherView = await responseOf(
      client(t, basic(world.teacher)).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(response.body.id) },
      }),
    );
    expect(teacherView.body).toMatchObject({ late: true, score: 0, attempt: 1 });
    expect(teacherView.body.answers[0]?.body.picked_variant?.is_correct).toBe(true);
    expect(teacherView.body.answers[3]?.body).toMatchObject({
      code: "def add(a, b):\n    return a + b\n",
      runtime_errors: "Not graded: submitted after the deadline.",
    });
    await expect(t.grading.pending(student.id)).resolves.toMatchObject({ ofUser: 0 });
    // The next attempt starts afresh.
    const next = await start(student, test);
    expect(next.status).toBe(201);
    expect(next.body.attempt).toBe(2);
  });

  it("ends an attempt at closes_at, and accepts a late submission after the window closed", async () => {
    const student = await newStudent();
    const closesAt = inSeconds(120);
    const test = await openTestWith({ time_limit: 3600, closes_at: closesAt }, [student]);
    const started = await start(student, test);
    expect(started.body.deadline).toBe(new Date(closesAt).toISOString());
    t.clock.advanceSeconds(200);
    const response = await submitAs(student, test);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ late: true, score: 0 });
  });
});

describe("shuffling", () => {
  const manyQuestions = () =>
    Array.from({ length: 12 }, (_, index) => ({
      text: `Question ${index}`,
      type: "radio",
      points: 1,
      number_in_test: index,
      body: {
        variants: Array.from({ length: 6 }, (_, v) => ({ text: `v${v}`, is_correct: v === 0 })),
      },
    }));
  type Seen = { questions: { id: number; body: { variants: { id: number }[] } }[] };
  // Every question here has variants, which the schema declares optional (code questions have none).
  const orderOf = (view: unknown) =>
    JSON.stringify((view as Seen).questions.map((q) => [q.id, q.body.variants.map((v) => v.id)]));

  it("is stable within an attempt, differs across students and attempts, and scoring is unaffected", async () => {
    const students = await Promise.all([newStudent(), newStudent(), newStudent()]);
    const test = await openTestWith(
      { shuffle_questions: true, shuffle_variants: true },
      students,
      manyQuestions(),
    );
    const canonical = orderOf(test as unknown as Seen);
    const firstViews = await Promise.all(students.map((student) => openByLink(student, test)));
    const orders = firstViews.map((view) => orderOf(view.body));
    expect(new Set(orders).size).toBe(3);
    expect(orders).not.toContain(canonical);
    const first = students[0] as TestUser;
    expect(orderOf((await openByLink(first, test)).body)).toBe(orders[0]);
    expect((await start(first, test)).status).toBe(201);
    expect(orderOf((await openByLink(first, test)).body)).toBe(orders[0]);

    // Answers sent in the shuffled order, by ids: every one right.
    const shown = (await openByLink(first, test)).body as Seen;
    const rightIds = new Map(
      test.questions.map((q) => [q.id, q.body.variants?.find((v) => v.is_correct)?.id]),
    );
    const submitted = await responseOf(
      client(t, basic(first)).api.completions.index.$post({
        json: {
          test: test.public_uuid,
          answers: shown.questions.map((q) => ({
            question: q.id,
            body: { picked_variant: { id: rightIds.get(q.id) } },
          })),
        },
      }),
    );
    expect(submitted.body).toMatchObject({ score: 12, attempt: 1 });
    expect(submitted.body.answers.map((a: { question: number }) => a.question)).toEqual(
      test.questions.map((q) => q.id),
    );

    const secondAttempt = orderOf((await openByLink(first, test)).body);
    expect(secondAttempt).not.toBe(orders[0]);
    expect(orderOf((await teacherViewOf(t, world.teacher, test.id)) as unknown as Seen)).toBe(
      canonical,
    );
  });

  it("keeps the canonical order without the settings", async () => {
    const student = await newStudent();
    const test = await openTestWith({}, [student], manyQuestions());
    expect(orderOf((await openByLink(student, test)).body)).toBe(orderOf(test as unknown as Seen));
  });
});

describe("show_results in the student's completion views", () => {
  /** Every view of one completion the student has: the submit response and the three reads. */
  async function studentViews(student: TestUser, test: CreatedTest, completionId: number) {
    const [one, mine, ofTest] = await Promise.all([
      responseOf(
        client(t, basic(student)).api.completions[":id"].index.$get({
          param: { id: String(completionId) },
        }),
      ),
      responseOf(client(t, basic(student)).api.users.me.completions.index.$get({ query: {} })),
      responseOf(
        client(t, basic(student)).api.tests.p[":public_uuid"].completions.index.$get({
          param: { public_uuid: test.public_uuid },
          query: {},
        }),
      ),
    ]);
    const find = <T extends { id: number }>(list: T[]) => {
      const found = list.find((item) => item.id === completionId);
      expect(found).toBeDefined();
      return found as T;
    };
    return [one.body, find(mine.body), find(ofTest.body)];
  }

  async function completionWith(settings: Record<string, unknown>) {
    const student = await newStudent();
    const test = await openTestWith(settings, [student], sampleQuestions());
    const submitted = await submitAs(student, test);
    expect(submitted.status).toBe(201);
    return { student, test, submitted: submitted.body };
  }

  it("score: the score and status only", async () => {
    const { student, test, submitted } = await completionWith({ show_results: "score" });
    for (const view of [submitted, ...(await studentViews(student, test, submitted.id))]) {
      expect(view).toMatchObject({ score: 7, status: "grading", attempt: 1, late: false });
      for (const answer of view.answers)
        expect(Object.keys(answer).sort()).toEqual(["body", "question"]);
      expect(JSON.stringify(view)).not.toMatch(/is_correct|passed|correct_variants|accepted/);
    }
  });

  it("points: plus each answer's points and the code cases", async () => {
    const { student, test, submitted } = await completionWith({ show_results: "points" });
    for (const view of [submitted, ...(await studentViews(student, test, submitted.id))]) {
      expect(view.answers.map((answer) => answer.points)).toEqual([1, 4, 2, 0]);
      expect(view.answers[3]?.body).toEqual({
        code: "def add(a, b):\n    return a + b\n",
        passed: null,
        total: null,
      });
      expect(JSON.stringify(view)).not.toMatch(/is_correct|correct_variants|accepted/);
    }
  });

  it("full: waits for closes_at, then shows correctness and accepted answers, never testing code or errors", async () => {
    const { student, test, submitted } = await completionWith({
      show_results: "full",
      closes_at: inSeconds(600),
    });
    for (const view of [submitted, ...(await studentViews(student, test, submitted.id))]) {
      expect(view.answers[0]?.points).toBe(1);
      expect(JSON.stringify(view)).not.toMatch(/is_correct|correct_variants|accepted/);
    }
    t.clock.advanceSeconds(600);
    const [radio, check, text] = test.questions as CreatedTest["questions"];
    const correct = (q: CreatedTest["questions"][number] | undefined) =>
      (q?.body.variants ?? []).filter((v) => v.is_correct).map(({ id, text }) => ({ id, text }));
    for (const view of await studentViews(student, test, submitted.id)) {
      expect(view.answers[0]).toEqual({
        question: radio?.id,
        points: 1,
        body: {
          picked_variant: { id: correct(radio)[0]?.id, text: "4", is_correct: true },
          correct_variants: correct(radio),
        },
      });
      expect(view.answers[1]?.body.correct_variants).toEqual(correct(check));
      expect(view.answers[1]?.body.picked_variants?.every((p) => p.is_correct)).toBe(true);
      expect(view.answers[2]).toEqual({
        question: text?.id,
        points: 2,
        body: { picked_variant: { text: "  paris ", is_correct: true }, accepted: ["Paris"] },
      });
      expect(view.answers[3]?.body).toMatchObject({ passed: null, total: null, is_correct: null });
      expect(JSON.stringify(view)).not.toMatch(/testing_code|runtime_errors|errors|assert/);
    }
  });

  it("full: at once when the test never closes", async () => {
    const { submitted } = await completionWith({ show_results: "full" });
    expect(submitted.answers[0]?.body.correct_variants).toHaveLength(1);
    expect(submitted.answers[2]?.body.accepted).toEqual(["Paris"]);
  });

  it("follows a later change of show_results", async () => {
    const { student, test, submitted } = await completionWith({ show_results: "points" });
    expect((await patchTest(test.id, { show_results: "score" })).status).toBe(200);
    for (const view of await studentViews(student, test, submitted.id))
      expect(view.answers[0]?.points).toBeUndefined();
  });
});

describe("show_results: points with a graded code answer", () => {
  let graded: TestApp;
  beforeAll(async () => {
    graded = await createTestApp({ runners: 1, env: { GRADING_WAIT_MS: "20000" } });
  });
  afterAll(() => graded.close());

  it("shows the test cases passed, not the errors", async () => {
    const teacher = await registerUser(graded, { is_teacher: true });
    const organization = await createOrganization(graded, teacher);
    const student = await registerUser(graded, { organization_id: organization.id });
    const [, , , code] = sampleQuestions();
    const { test } = await createOpenTest(graded, teacher, [student], [code]);
    const patched = await responseOf(
      client(graded, teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { show_results: "points" },
      }),
    );
    expect(patched.status).toBe(200);
    const response = await call(graded, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [
          { question: test.questions[0]?.id, body: { code: "def add(a, b):\n    return a - b\n" } },
        ],
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: "graded", score: 0 });
    expect(response.body.answers[0]).toEqual({
      question: test.questions[0]?.id,
      points: 0,
      body: { code: "def add(a, b):\n    return a - b\n", passed: 0, total: 2 },
    });
  });
});

describeRoleMatrix("POST /api/tests/p/{public_uuid}/start/", {
  arrange: async (t, world) => (await createOpenTest(t, world.teacher, [world.student])).test,
  request: (test) => ({ method: "POST", path: `/api/tests/p/${test.public_uuid}/start/` }),
  expected: { anon: 401, noOrg: 404, student: 201, colleague: 403, teacher: 403, otherOrg: 404 },
});
