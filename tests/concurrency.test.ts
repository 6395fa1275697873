// Requests go through the typed client (`client`), except through `call`: question lists built as
// plain data, whose `type` the types read as any string.
import { count, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { completions, gradingJobs, questions, tests, users } from "../src/db/schema";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import {
  createGroup,
  createOpenTest,
  createTest,
  createWorld,
  type TestUser,
  uniqueEmail,
} from "./helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

/**
 * Many requests in flight at once against the Node store, where the writes of concurrent
 * requests are committed together: each request still gets its own outcome.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const countOf = async (table: typeof users | typeof completions) =>
  (await t.store.db.select({ n: count() }).from(table))[0]?.n ?? 0;

describe("writes racing each other", () => {
  it("registers one account per address when sign-ups for the same addresses race", async () => {
    t = await createTestApp();
    const addresses = Array.from({ length: 10 }, () => uniqueEmail("racer"));
    const spellings = (email: string) => [
      email,
      email.toUpperCase(),
      `${email[0]?.toUpperCase()}${email.slice(1)}`,
    ];
    const responses = await Promise.all(
      addresses.flatMap(spellings).map((email) =>
        responseOf(
          client(t).api.users.index.$post({
            json: { email, password: "correct horse battery", first_name: "R", last_name: "R" },
          }),
        ),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 400)).toHaveLength(20);
    for (const response of responses.filter((r) => r.status === 400))
      expect(response.body).toEqual({ email: ["A user with this email already exists."] });
    expect(await countOf(users)).toBe(10);
  });

  it("stores one completion per Idempotency-Key while retries and other keys race", async () => {
    t = await createTestApp();
    const world = await createWorld(t);
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const view = await teacherViewOf(t, world.teacher, test.id);
    const body = { test: view.public_uuid, answers: sampleAnswers(view, true).slice(0, 3) };
    const send = (key: string) =>
      responseOf(
        client(t, world.student.auth, { "idempotency-key": key }).api.completions.index.$post({
          json: body,
        }),
      );
    const [retries, others] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => send("the-same"))),
      Promise.all(Array.from({ length: 20 }, (_, i) => send(`other-${i}`))),
    ]);
    expect(retries.map((response) => response.status)).toEqual(Array(40).fill(201));
    expect(new Set(retries.map((response) => response.body.id)).size).toBe(1);
    const replayed = retries.filter((r) => r.headers.get("idempotent-replayed") === "true");
    expect(replayed).toHaveLength(39);
    expect(new Set(others.map((response) => response.body.id)).size).toBe(20);
    expect(await countOf(completions)).toBe(21);
  });

  it("answers 503 and stores nothing when the disk is full, and recovers when it is not", async () => {
    t = await createTestApp();
    const world = await createWorld(t);
    const [[pages]] = (await t.store.db.values(sql`PRAGMA page_count`)) as [[number]];
    await t.store.transaction((tx) => tx.run(sql.raw(`PRAGMA max_page_count = ${pages + 4}`)));
    const big = {
      name: "Images inline",
      questions: [{ text: "x".repeat(900_000), type: "text", body: { variants: [{ text: "a" }] } }],
    };
    const refused = await call(t, "POST", "/api/tests/", { auth: world.teacher.auth, json: big });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(typeof refused.body.detail).toBe("string");
    const listed = await responseOf(
      client(t, world.teacher.auth).api.tests.index.$get({ query: {} }),
    );
    expect(listed.body).toEqual([]);
    await t.store.transaction((tx) => tx.run(sql.raw("PRAGMA max_page_count = 1073741823")));
    const accepted = await call(t, "POST", "/api/tests/", { auth: world.teacher.auth, json: big });
    expect(accepted.status).toBe(201);
  });
});

describe("the test-tree cache", () => {
  const version = (n: number) =>
    [1, 2].map((q) => ({
      text: `version ${n}, question ${q}`,
      type: "radio",
      points: 1,
      body: { variants: [{ text: "yes", is_correct: true }, { text: "no" }] },
    }));
  const textsOf = (n: number) => version(n).map((question) => question.text);

  async function openTestAsStudent() {
    t = await createTestApp();
    const world = await createWorld(t);
    const test = await createTest(t, world.teacher, version(0));
    const group = await createGroup(t, world.teacher, [world.student]);
    await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(test.id) },
        json: { group: group.id },
      }),
    );
    const open = async (student: TestUser = world.student) => {
      const response = await responseOf(
        client(t, student.auth).api.tests.p[":public_uuid"].index.$get({
          param: { public_uuid: test.public_uuid },
        }),
      );
      expect(response.status).toBe(200);
      return (response.body.questions as { text: string }[]).map((question) => question.text);
    };
    return { world, test, open };
  }

  it("shows students a whole committed version while the teacher edits, the latest once saved", async () => {
    const { world, test, open } = await openTestAsStudent();
    for (let edit = 1; edit <= 3; edit++) {
      const [seen, saved] = await Promise.all([
        Promise.all(Array.from({ length: 20 }, () => open())),
        call(t, "PATCH", `/api/tests/${test.id}/`, {
          auth: world.teacher.auth,
          json: { questions: version(edit) },
        }),
      ]);
      expect(saved.status).toBe(200);
      for (const texts of seen) expect([textsOf(edit - 1), textsOf(edit)]).toContainEqual(texts);
      const after = await Promise.all(Array.from({ length: 5 }, () => open()));
      for (const texts of after) expect(texts).toEqual(textsOf(edit));
    }
  });

  it("never serves a change that was rolled back", async () => {
    const { test, open } = await openTestAsStudent();
    expect(await open()).toEqual(textsOf(0));
    let changed: () => void = () => {};
    const hasChanged = new Promise<void>((resolve) => {
      changed = resolve;
    });
    let giveUp: () => void = () => {};
    const givenUp = new Promise<void>((resolve) => {
      giveUp = resolve;
    });
    const doomed = t.store.transaction(async (tx) => {
      await tx.delete(questions).where(eq(questions.testId, test.id));
      await tx
        .update(tests)
        .set({ revision: sql`${tests.revision} + 1` })
        .where(eq(tests.id, test.id));
      changed();
      await givenUp;
      throw new Error("the teacher changed their mind");
    });
    await hasChanged;
    for (const texts of await Promise.all(Array.from({ length: 20 }, () => open())))
      expect(texts).toEqual(textsOf(0));
    giveUp();
    await expect(doomed).rejects.toThrow("changed their mind");
    for (const texts of await Promise.all(Array.from({ length: 5 }, () => open())))
      expect(texts).toEqual(textsOf(0));
  });
});

describe("the grading queue", () => {
  it("grades every code answer exactly once while submissions and runners race", async () => {
    t = await createTestApp({ runners: 2, env: { GRADING_WAIT_MS: "30000" } });
    const world = await createWorld(t);
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const view = await teacherViewOf(t, world.teacher, test.id);
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        submit(t, world.student, view.public_uuid, sampleAnswers(view, i % 2 === 0)),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(16).fill(201));
    responses.forEach((response, i) => {
      expect(response.body).toMatchObject({ status: "graded", score: i % 2 === 0 ? 10 : 0 });
    });
    // A wrong answer leaves the code blank: only the right ones are graded.
    const jobs = await t.store.db.select().from(gradingJobs);
    expect(jobs).toHaveLength(8);
    for (const job of jobs) expect(job).toMatchObject({ state: "done", attempts: 1 });
  });
});
