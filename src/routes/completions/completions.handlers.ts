import type { RouteHandler } from "@hono/zod-openapi";
import type { Queryable } from "../../db/client";
import {
  type CompletionScope,
  completionById,
  completionsOfTest,
  completionsOfUser,
  completionsOfUserForTest,
  findCompletion,
  insertCompletion,
  loadCompletions,
  pageOfCompletions,
} from "../../db/queries/completions";
import { groupsOfTestStudents } from "../../db/queries/groups";
import { findIdempotencyKey, rememberIdempotencyKey } from "../../db/queries/idempotency";
import {
  findTestByPublicUuid,
  isTestOpenTo,
  loadTestTree,
  type TestRow,
} from "../../db/queries/tests";
import type { UserRow } from "../../db/queries/users";
import { sha256Hex } from "../../digest";
import { relationToTest } from "../../domain/access";
import {
  type CompletionRecord,
  toStudentCompletion,
  toTeacherCompletion,
} from "../../domain/completion-views";
import {
  attachmentDisposition,
  type ExportQuestion,
  exportColumnWidths,
  exportHeaders,
  exportRow,
  groupLabel,
  sheetName,
} from "../../domain/export";
import { needsGrading, resolveSubmission } from "../../domain/submission";
import { streamSheet, xlsxContentType } from "../../export/xlsx-stream";
import { currentUser } from "../../http/authentication";
import type { AppContext, AppDeps, AppEnv } from "../../http/context";
import {
  ApiError,
  conflict,
  notFound,
  permissionDenied,
  toValidationErrorBody,
  validationError,
} from "../../http/errors";
import { jsonArrayResponse } from "../../http/json-array-stream";
import { nextPageHeaders, type PageQuery, toPage } from "../../http/paging";
import { formerCreator, ownTest, testForStudent } from "../tests/tests.handlers";
import type * as routes from "./completions.routes";

/** The test a submission names: unknown (or foreign) is a field error; not open to the caller, 403. */
async function testToSubmitTo(
  db: Queryable,
  caller: UserRow,
  publicUuid: string,
): Promise<TestRow> {
  const test = await findTestByPublicUuid(db, publicUuid);
  if (!test || relationToTest(caller, test) === "outsider") {
    throw validationError("test", `Object with public_uuid=${publicUuid} does not exist.`);
  }
  if (caller.isTeacher || !(await isTestOpenTo(db, test.id, caller.id))) {
    throw permissionDenied("This test is not open to you.");
  }
  return test;
}

/** An `Idempotency-Key` header: 1–255 printable ASCII characters, or none. */
function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw new ApiError(400, {
      detail: "Idempotency-Key must be 1 to 255 printable ASCII characters.",
    });
  }
  return header;
}

/**
 * Code answers must fit in the grading queue. Per student, only answers already waiting from
 * earlier submissions count, so a test with any number of code questions can always be submitted.
 */
async function ensureGradingCapacity(deps: AppDeps, userId: number, newJobs: number) {
  const pending = await deps.grading.pending(userId);
  if (pending.total + newJobs > deps.config.gradingQueueCapacity) {
    throw new ApiError(
      503,
      { detail: "The grader is busy. Try again shortly." },
      { "Retry-After": "30" },
    );
  }
  if (pending.ofUser >= deps.config.gradingMaxPendingPerUser) {
    throw new ApiError(
      429,
      { detail: "Too many of your code answers are waiting for the grader. Try again shortly." },
      { "Retry-After": "30" },
    );
  }
}

export const createCompletion: RouteHandler<typeof routes.createCompletion, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const body = c.req.valid("json");
  const { store, clock, grading, config } = c.var.deps;
  const idempotencyKey = idempotencyKeyOf(c.req.header("idempotency-key"));
  const requestHash = idempotencyKey === undefined ? "" : await sha256Hex(JSON.stringify(body));
  const createdAt = new Date(clock.now());

  /** A retry of a request already done: the first result; the same key on another request: 409. */
  const replay = async (entry: { requestHash: string; completionId: number }) => {
    if (entry.requestHash !== requestHash) {
      throw conflict("This Idempotency-Key was already used for a different submission.");
    }
    c.header("Idempotent-Replayed", "true");
    return c.json(toStudentCompletion(await loadOne(store.db, entry.completionId)), 201);
  };
  const earlier =
    idempotencyKey && (await findIdempotencyKey(store.db, caller.id, idempotencyKey, createdAt));
  if (earlier) return replay(earlier);

  const test = await testToSubmitTo(store.db, caller, body.test);
  const submission = resolveSubmission(await c.var.testTrees.load(store.db, test), body.answers);
  if (!submission.ok) throw new ApiError(400, toValidationErrorBody(submission.issues, body));
  const codeAnswers = submission.answers.filter(needsGrading);
  if (codeAnswers.length > 0)
    await ensureGradingCapacity(c.var.deps, caller.id, codeAnswers.length);
  const status = submission.needsGrading ? ("grading" as const) : ("graded" as const);
  const stored = await store.transaction(async (tx) => {
    // Checked again inside the transaction: two retries racing each other create one completion.
    const raced =
      idempotencyKey && (await findIdempotencyKey(tx, caller.id, idempotencyKey, createdAt));
    if (raced) return { raced };
    const inserted = await insertCompletion(
      tx,
      { userId: caller.id, testId: test.id, score: submission.score, status, createdAt },
      submission.answers,
    );
    if (idempotencyKey) {
      await rememberIdempotencyKey(tx, {
        userId: caller.id,
        key: idempotencyKey,
        requestHash,
        completionId: inserted.id,
        createdAt,
      });
    }
    return { inserted };
  });
  if ("raced" in stored && stored.raced) return replay(stored.raced);
  const { id, answerIdByQuestion } = (
    stored as { inserted: Awaited<ReturnType<typeof insertCompletion>> }
  ).inserted;
  if (!submission.needsGrading) {
    const completion = {
      id,
      user: caller,
      test,
      score: submission.score,
      status,
      createdAt,
      answers: submission.answers,
    };
    return c.json(toStudentCompletion(completion), 201);
  }
  await grading.submit(
    codeAnswers.map((answer) => ({
      answerId: answerIdByQuestion.get(answer.questionId) as number,
      completionId: id,
      userId: caller.id,
    })),
  );
  await grading.waitFor(id, config.gradingWaitMs);
  return c.json(toStudentCompletion(await loadOne(store.db, id)), 201);
};
/**
 * A completion the caller may read: their own, or one of a test they created (while a teacher:
 * a former creator gets 403); else 404.
 */
async function readableCompletion(db: Queryable, caller: UserRow, id: number) {
  const found = await findCompletion(db, id);
  if (!found) throw notFound();
  const isStudent = found.completion.userId === caller.id;
  const relation = relationToTest(caller, found.test);
  if (!isStudent && relation === "former creator") throw formerCreator();
  if (!isStudent && relation !== "creator") throw notFound();
  return { isCreator: relation === "creator" };
}

async function loadOne(db: Queryable, id: number) {
  const [completion] = await loadCompletions(db, completionById(id));
  if (!completion) throw notFound();
  return completion;
}

export const getCompletion: RouteHandler<typeof routes.getCompletion, AppEnv> = async (c) => {
  const { db } = c.var.deps.store;
  const { id } = c.req.valid("param");
  await readableCompletion(db, currentUser(c), id);
  return c.json(toStudentCompletion(await loadOne(db, id)), 200);
};

export const getCompletionWithCorrectness: RouteHandler<
  typeof routes.getCompletionWithCorrectness,
  AppEnv
> = async (c) => {
  const { db } = c.var.deps.store;
  const { id } = c.req.valid("param");
  const { isCreator } = await readableCompletion(db, currentUser(c), id);
  if (!isCreator)
    throw permissionDenied("Only the creator of the test can see which answers are correct.");
  return c.json(toTeacherCompletion(await loadOne(db, id)), 200);
};

/** A completions list as the contract pages it, streamed in slices (see `pageOfCompletions`). */
async function completionList<Output>(
  c: AppContext,
  query: PageQuery,
  scope: CompletionScope,
  toOutput: (completion: CompletionRecord) => Output,
) {
  const page = toPage(query);
  const { nextAfterId, slices } = await pageOfCompletions(c.var.deps.store.db, scope, page);
  return jsonArrayResponse(c, slices, toOutput, nextPageHeaders(c, page, nextAfterId));
}

export const listTestCompletions: RouteHandler<typeof routes.listTestCompletions, AppEnv> = async (
  c,
) => {
  const test = await ownTest(c.var.deps.store.db, currentUser(c), c.req.valid("param").id);
  return completionList(c, c.req.valid("query"), completionsOfTest(test.id), toTeacherCompletion);
};

export const listMyCompletionsOfTest: RouteHandler<
  typeof routes.listMyCompletionsOfTest,
  AppEnv
> = async (c) => {
  const caller = currentUser(c);
  const test = await testForStudent(c.var.deps.store.db, caller, c.req.valid("param").public_uuid);
  return completionList(
    c,
    c.req.valid("query"),
    completionsOfUserForTest(caller.id, test.id),
    toStudentCompletion,
  );
};

export const listMyCompletions: RouteHandler<typeof routes.listMyCompletions, AppEnv> = async (c) =>
  completionList(
    c,
    c.req.valid("query"),
    completionsOfUser(currentUser(c).id),
    toStudentCompletion,
  );

/** Completions of a test, slice by slice, as sheet rows. */
async function* exportRows(
  db: Queryable,
  test: TestRow,
  questions: ExportQuestion[],
  openGroupIds: Set<number>,
) {
  const groupsByStudent = await groupsOfTestStudents(db, test.id, test.organizationId);
  const { slices } = await pageOfCompletions(db, completionsOfTest(test.id), {});
  for await (const slice of slices) {
    for (const completion of slice) {
      const group = groupLabel(groupsByStudent.get(completion.user.id) ?? [], openGroupIds);
      yield exportRow(completion, group, questions);
    }
  }
}

export const exportTestCompletions: RouteHandler<
  typeof routes.exportTestCompletions,
  AppEnv
> = async (c) => {
  const { db } = c.var.deps.store;
  const test = await loadTestTree(db, await ownTest(db, currentUser(c), c.req.valid("param").id));
  const questions = test.questions.map(({ id, text, points }) => ({ id, text, points }));
  const openGroupIds = new Set(test.availableFor.map((group) => group.id));
  const requestId = c.get("requestId");
  const body = streamSheet(
    {
      sheetName: sheetName(test.name),
      headers: exportHeaders(questions),
      widths: exportColumnWidths(questions),
      rows: exportRows(db, test, questions, openGroupIds),
      dateColumn: 4,
    },
    (error) =>
      c.var.deps.logger.error("export failed", { request_id: requestId, error: String(error) }),
  );
  return c.body(body, 200, {
    "Content-Type": xlsxContentType,
    "Content-Disposition": attachmentDisposition(test.name),
  });
};
