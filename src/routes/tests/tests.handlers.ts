import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Queryable, Tx } from "../../db/client";
import { isConstraintViolation } from "../../db/errors";
import {
  attemptStateFromRows,
  attemptStateQueries,
  insertAttempt,
  readAttemptState,
} from "../../db/queries/attempts";
import { findGroupInOrganization } from "../../db/queries/groups";
import {
  findTest,
  insertQuestions,
  isPublicUuidTaken,
  listTestsOfCreator,
  loadTestTree,
  type NewQuestion,
  type TestRow,
  testByLinkQueries,
  testHasCompletions,
} from "../../db/queries/tests";
import type { UserRow } from "../../db/queries/users";
import { questions, testGroups, tests } from "../../db/schema";
import { isTeacherInOrganization, linkAccess, relationToTest } from "../../domain/access";
import {
  type AttemptState,
  attemptToSubmit,
  decideStart,
  openAttempt,
  windowProblem,
} from "../../domain/attempts";
import { generatePublicUuid } from "../../domain/public-uuid";
import { toStartedAttempt, toStudentTest, toTeacherTest } from "../../domain/test-views";
import { currentUser, readWithCaller } from "../../http/authentication";
import type { AppContext, AppEnv } from "../../http/context";
import { conflict, notFound, permissionDenied, validationError } from "../../http/errors";
import { nextPageHeaders, toPage } from "../../http/paging";
import { message } from "../../i18n/messages";
import type * as routes from "./tests.routes";
import {
  numberInTest,
  type QuestionToCreate,
  type TestSettingsInput,
  windowIsOrdered,
} from "./tests.schemas";

const teachersOnly = () => permissionDenied(message("only_teachers_manage_tests"));
export const formerCreator = () => permissionDenied(message("creator_no_longer_teacher"));

/** The test if the caller created it and is still a teacher: 404 outside its organization, 403 inside. */
export async function ownTest(db: Queryable, caller: UserRow, testId: number): Promise<TestRow> {
  return ownTestOf(caller, await findTest(db, testId));
}

/** `test` (as read) if the caller created it and is still a teacher; else 404 or 403 as `ownTest`. */
export function ownTestOf(caller: UserRow, test: TestRow | undefined): TestRow {
  const relation = test ? relationToTest(caller, test) : "outsider";
  if (!test || relation === "outsider") throw notFound();
  if (relation === "former creator") throw formerCreator();
  if (relation !== "creator") throw permissionDenied(message("only_creator_manages_test"));
  return test;
}

async function teacherView(db: Queryable, test: TestRow) {
  return toTeacherTest(await loadTestTree(db, test));
}

/** A public link id that no test uses; collisions are unlikely (36^8) but retried all the same. */
async function unusedPublicUuid(tx: Tx): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const candidate = generatePublicUuid();
    if (!(await isPublicUuidTaken(tx, candidate))) return candidate;
  }
  throw new Error("could not find an unused public uuid in 10 attempts");
}

/** Invalidates cached copies of the test's questions and groups (see TestTreeCache). */
function bumpRevision(tx: Tx, testId: number) {
  return tx
    .update(tests)
    .set({ revision: sql`${tests.revision} + 1` })
    .where(eq(tests.id, testId));
}

function toNewQuestion(question: QuestionToCreate, index: number): NewQuestion {
  const isCode = question.type === "code";
  const hasStrictScore = question.type === "check" || isCode;
  return {
    text: question.text,
    type: question.type,
    points: question.points,
    numberInTest: numberInTest(question, index),
    testingCode: isCode ? (question.body.testing_code ?? "") : null,
    strictScore: hasStrictScore ? (question.body.strict_score ?? true) : null,
    language: isCode ? (question.body.language ?? "python") : null,
    variants: (question.body.variants ?? []).map((variant) => ({
      text: variant.text,
      isCorrect: variant.is_correct ?? question.type === "text",
    })),
  };
}

/** The settings sent (all of them on create, those present on update) as table columns. */
function settingsColumns(body: Partial<TestSettingsInput>) {
  const columns = {
    opensAt: body.opens_at,
    closesAt: body.closes_at,
    timeLimit: body.time_limit,
    maxAttempts: body.max_attempts,
    shuffleQuestions: body.shuffle_questions,
    shuffleVariants: body.shuffle_variants,
    showResults: body.show_results,
  };
  return Object.fromEntries(
    Object.entries(columns).filter(([, value]) => value !== undefined),
  ) as Partial<Pick<TestRow, keyof typeof columns>>;
}

export const listTests: RouteHandler<typeof routes.listTests, AppEnv> = async (c) => {
  const caller = currentUser(c);
  if (!caller.isTeacher) throw teachersOnly();
  const page = toPage(c.req.valid("query"));
  const own = await listTestsOfCreator(c.var.deps.store.db, caller.id, page);
  return c.json(
    own.items.map((test) => toStudentTest(test)),
    200,
    nextPageHeaders(c, page, own.nextAfterId),
  );
};

export const createTest: RouteHandler<typeof routes.createTest, AppEnv> = async (c) => {
  const caller = currentUser(c);
  if (!isTeacherInOrganization(caller)) throw teachersOnly();
  const body = c.req.valid("json");
  const created = await c.var.deps.store.transaction(async (tx) => {
    const [test] = await tx
      .insert(tests)
      .values({
        name: body.name,
        creatorId: caller.id,
        organizationId: caller.organizationId,
        publicUuid: await unusedPublicUuid(tx),
        ...settingsColumns(body),
      })
      .returning();
    if (!test) throw new Error("insert returned no test");
    await insertQuestions(tx, test.id, body.questions.map(toNewQuestion));
    return teacherView(tx, test);
  });
  return c.json(created, 201);
};

export const getTest: RouteHandler<typeof routes.getTest, AppEnv> = async (c) => {
  const { db } = c.var.deps.store;
  const test = await ownTest(db, currentUser(c), c.req.valid("param").id);
  return c.json(await teacherView(db, test), 200);
};

export const updateTest: RouteHandler<typeof routes.updateTest, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const updated = await c.var.deps.store.transaction(async (tx) => {
    const test = await ownTest(tx, caller, id);
    const settings = settingsColumns(body);
    const changed = { ...test, ...settings, name: body.name ?? test.name };
    if (!windowIsOrdered(changed.opensAt, changed.closesAt))
      throw validationError("closes_at", message("window_order"));
    if (body.questions !== undefined) {
      if (await testHasCompletions(tx, test.id)) {
        throw conflict(message("questions_frozen"));
      }
      await tx.delete(questions).where(eq(questions.testId, test.id));
      await insertQuestions(tx, test.id, body.questions.map(toNewQuestion));
      await bumpRevision(tx, test.id);
    }
    const columns = { ...settings, ...(body.name === undefined ? {} : { name: body.name }) };
    if (Object.keys(columns).length > 0)
      await tx.update(tests).set(columns).where(eq(tests.id, test.id));
    return teacherView(tx, changed);
  });
  return c.json(updated, 200);
};

export const deleteTest: RouteHandler<typeof routes.deleteTest, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const { id } = c.req.valid("param");
  await c.var.deps.store.transaction(async (tx) => {
    const test = await ownTest(tx, caller, id);
    await tx.delete(tests).where(eq(tests.id, test.id));
  });
  return c.body(null, 204);
};

/** Opens or closes a test to a group of its own organization; answers the teacher's view. */
async function changeGroupAccess(
  c: AppContext,
  target: { id: number; groupId: number },
  open: boolean,
) {
  const caller = currentUser(c);
  return c.var.deps.store.transaction(async (tx) => {
    const own = await ownTest(tx, caller, target.id);
    const group = await findGroupInOrganization(tx, own.organizationId, target.groupId);
    if (!group)
      throw validationError("group", message("pk_does_not_exist", { pk: String(target.groupId) }));
    await bumpRevision(tx, own.id);
    if (open) {
      await tx
        .insert(testGroups)
        .values({ testId: own.id, groupId: group.id })
        .onConflictDoNothing();
    } else {
      await tx
        .delete(testGroups)
        .where(and(eq(testGroups.testId, own.id), eq(testGroups.groupId, group.id)));
    }
    return teacherView(tx, own);
  });
}

// Two handlers, each typed with its own route, so that the app's type keeps both routes.
export const allowForGroup: RouteHandler<typeof routes.allowForGroup, AppEnv> = async (c) => {
  const target = { id: c.req.valid("param").id, groupId: c.req.valid("json").group };
  return c.json(await changeGroupAccess(c, target, true), 200);
};

export const disallowForGroup: RouteHandler<typeof routes.disallowForGroup, AppEnv> = async (c) => {
  const target = { id: c.req.valid("param").id, groupId: c.req.valid("json").group };
  return c.json(await changeGroupAccess(c, target, false), 200);
};

export const regenerateUuid: RouteHandler<typeof routes.regenerateUuid, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const { id } = c.req.valid("param");
  const test = await c.var.deps.store.transaction(async (tx) => {
    const own = await ownTest(tx, caller, id);
    const publicUuid = await unusedPublicUuid(tx);
    await tx.update(tests).set({ publicUuid }).where(eq(tests.id, own.id));
    return teacherView(tx, { ...own, publicUuid });
  });
  return c.json(test, 200);
};

/**
 * A test by its public link with the caller, and `more` queries of the handler, in one round
 * trip; its questions, variants and groups come from the process's cache while current.
 */
export async function readTestByLink<T extends readonly BatchItem<"sqlite">[]>(
  c: AppContext,
  publicUuid: string,
  more: (callerId: number) => T,
) {
  const { db } = c.var.deps.store;
  const known = c.var.testTrees.versionOf(publicUuid);
  const [caller, [testRows, questionRows, variantRows, groupRows, ...moreResults]] =
    await readWithCaller(c, (callerId) => [
      ...testByLinkQueries(db, publicUuid, callerId, known),
      ...more(callerId),
    ]);
  const found = testRows[0];
  return {
    caller,
    access: linkAccess(caller, found?.test, found?.openToStudent ?? false),
    test:
      found &&
      c.var.testTrees.treeOf(publicUuid, found.test, known, [questionRows, variantRows, groupRows]),
    more: moreResults as BatchResponse<T>,
  };
}

const notOpenToYou = () => permissionDenied(message("test_not_open"));

/**
 * A test by its public link, for a student of one of the groups it is open to, with the
 * student's attempts at it. Callers outside its organization get 404 like any foreign object;
 * teachers and students without access, 403.
 */
async function testForTaker(c: AppContext, publicUuid: string) {
  const { store } = c.var.deps;
  const { caller, access, test, more } = await readTestByLink(c, publicUuid, (callerId) =>
    attemptStateQueries(store.db, publicUuid, callerId),
  );
  if (access === "unknown" || !test) throw notFound();
  if (access === "denied") throw notOpenToYou();
  return { caller, test, attempts: attemptStateFromRows(more) };
}

/** A test by its public link, for a student it is open to (see `testForTaker`). */
export async function testForStudent(c: AppContext, publicUuid: string) {
  const { caller, access, test } = await readTestByLink(c, publicUuid, () => [] as const);
  if (access === "unknown" || !test) throw notFound();
  if (access === "denied") throw notOpenToYou();
  return { caller, test };
}

/**
 * The test as the student takes it: inside its window, in the order of their current attempt. A
 * timed test shows its questions only while an attempt is open, so the clock runs while they
 * are read.
 */
export const getPublicTest: RouteHandler<typeof routes.getPublicTest, AppEnv> = async (c) => {
  const { caller, test, attempts } = await testForTaker(c, c.req.valid("param").public_uuid);
  const now = new Date(c.var.deps.clock.now());
  const closed = windowProblem(test, now);
  if (closed) throw permissionDenied(closed);
  const questionsShown = test.timeLimit === null || openAttempt(test, attempts, now) !== undefined;
  const taker = { studentId: caller.id, attempt: attemptToSubmit(attempts) };
  return c.json(toStudentTest(questionsShown ? test : { ...test, questions: [] }, taker), 200);
};

/**
 * Decides from the student's attempts, then writes. When a constraint refuses the write because
 * a concurrent request of the student changed their attempts first (unique attempt numbers make
 * the loser fail), decides again from a fresh read; any other failure is rethrown. A refusal of
 * `decide` costs no read.
 */
export async function decideAndWrite<Decision, Result>(
  c: AppContext,
  publicUuid: string,
  studentId: number,
  initial: AttemptState,
  decide: (state: AttemptState) => Decision | Promise<Decision>,
  write: (decision: Decision) => Promise<Result>,
): Promise<Result> {
  let state = initial;
  // Each retry follows another request's write, so this ends when the concurrent requests do.
  for (;;) {
    const decision = await decide(state);
    try {
      return await write(decision);
    } catch (error) {
      if (!isConstraintViolation(error)) throw error;
      const now = await readAttemptState(c.var.deps.store.db, publicUuid, studentId);
      const changed = now.used !== state.used || now.latest?.submitted !== state.latest?.submitted;
      if (!changed) throw error;
      state = now;
    }
  }
}

export const startAttempt: RouteHandler<typeof routes.startAttempt, AppEnv> = async (c) => {
  const publicUuid = c.req.valid("param").public_uuid;
  const { store, clock } = c.var.deps;
  const { caller, test, attempts } = await testForTaker(c, publicUuid);
  const now = new Date(clock.now());
  return decideAndWrite(
    c,
    publicUuid,
    caller.id,
    attempts,
    (state) => {
      const decision = decideStart(test, state, now);
      if ("refused" in decision) throw permissionDenied(decision.refused);
      return decision;
    },
    async (decision) => {
      if ("open" in decision) return c.json(toStartedAttempt(test, decision.open), 200);
      await store.batch([
        insertAttempt(store.db, { ...decision.start, userId: caller.id, testId: test.id }),
      ]);
      return c.json(toStartedAttempt(test, decision.start), 201);
    },
  );
};
