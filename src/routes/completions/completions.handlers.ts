import type { RouteHandler } from "@hono/zod-openapi";
import type { Queryable, Store } from "../../db/client";
import {
  attemptStateFromRows,
  attemptStateQueries,
  insertAttempt,
  nextAttemptNumber,
} from "../../db/queries/attempts";
import {
  attemptOfNewestCompletion,
  type CompletionScope,
  completionById,
  completionsOfTest,
  completionsOfUser,
  completionsOfUserForTest,
  findCompletion,
  forStudent,
  insertCompletion,
  loadCompletions,
  loadExportPage,
  newestCompletionOf,
  pageOfCompletions,
} from "../../db/queries/completions";
import { groupsOfTestStudents } from "../../db/queries/groups";
import {
  findIdempotencyKey,
  rememberIdempotencyKey,
  selectIdempotencyKey,
} from "../../db/queries/idempotency";
import { loadTestStatistics } from "../../db/queries/statistics";
import { loadTestTree, type TestRow, type TestTree } from "../../db/queries/tests";
import type { UserRow } from "../../db/queries/users";
import { sha256Hex } from "../../digest";
import { relationToTest } from "../../domain/access";
import { decideSubmission, type SubmissionTarget } from "../../domain/attempts";
import {
  type CompletionRecord,
  solutionsOf,
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
import type { AttemptsMode } from "../../domain/statistics";
import {
  statisticsFilterColumns,
  statisticsSheetHeaders,
  statisticsSheetName,
  statisticsSheetRows,
  statisticsSheetWidths,
} from "../../domain/statistics-sheet";
import {
  asLate,
  needsGrading,
  resolveSubmission,
  type ScoredSubmission,
} from "../../domain/submission";
import { streamWorkbook, xlsxContentType } from "../../export/xlsx-stream";
import { currentUser } from "../../http/authentication";
import type { AppContext, AppDeps, AppEnv } from "../../http/context";
import {
  ApiError,
  badRequest,
  conflict,
  notFound,
  permissionDenied,
  toValidationErrorBody,
  validationError,
} from "../../http/errors";
import { jsonArrayResponse } from "../../http/json-array-stream";
import { nextPageHeaders, type PageQuery, toPage } from "../../http/paging";
import { message } from "../../i18n/messages";
import {
  decideAndWrite,
  formerCreator,
  ownTest,
  readTestByLink,
  testForStudent,
} from "../tests/tests.handlers";
import type * as routes from "./completions.routes";
import type { CompletionInput } from "./completions.schemas";

const exportPageSize = 500;

/** An `Idempotency-Key` header: 1–255 printable ASCII characters, or none. */
function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) {
    throw badRequest(message("idempotency_key_format"));
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
    throw new ApiError(503, { detail: message("grader_busy") }, { "Retry-After": "30" });
  }
  if (pending.ofUser >= deps.config.gradingMaxPendingPerUser) {
    throw new ApiError(
      429,
      { detail: message("too_many_waiting_answers") },
      { "Retry-After": "30" },
    );
  }
}

/** A submission's answers as stored: scored, or all worth 0 when it came too late. */
function storedAnswers(test: TestTree, body: CompletionInput, late: boolean) {
  const submission = resolveSubmission(test, body.answers);
  if (!submission.ok) throw new ApiError(400, toValidationErrorBody(submission.issues, body));
  if (!late) return submission;
  return { ...submission, answers: asLate(submission.answers), score: 0, needsGrading: false };
}

/**
 * Stores a decided submission in one batch: the completion with its answers, the attempt it
 * opens (if it does) and its idempotency key (if sent). Without an attempt limit nothing is
 * decided by the attempt's number, so the write takes the next one: a student's concurrent
 * submissions then never collide (as before attempts existed).
 */
async function storeSubmission(
  store: Store,
  userId: number,
  test: TestTree,
  { target, submission }: { target: SubmissionTarget; submission: ScoredSubmission },
  keyUse: { key: string; requestHash: string } | undefined,
  createdAt: Date,
) {
  const numberedInWrite = target.opens !== undefined && test.maxAttempts === null;
  const completion = {
    userId,
    testId: test.id,
    score: submission.score,
    status: submission.needsGrading ? ("grading" as const) : ("graded" as const),
    attempt: numberedInWrite ? nextAttemptNumber(store.db, userId, test.id) : target.attempt,
    late: target.late,
    createdAt,
  };
  const opened = target.opens && {
    userId,
    testId: test.id,
    startedAt: target.opens.startedAt,
    number: numberedInWrite ? attemptOfNewestCompletion(userId) : target.attempt,
  };
  const inserted = await insertCompletion(store, completion, submission.answers, [
    ...(opened ? [insertAttempt(store.db, opened)] : []),
    ...(keyUse === undefined
      ? []
      : rememberIdempotencyKey(store.db, {
          userId,
          ...keyUse,
          completionId: newestCompletionOf(userId),
          createdAt,
        })),
  ]);
  return { ...inserted, completion: { ...completion, attempt: inserted.attempt } };
}

export const createCompletion: RouteHandler<typeof routes.createCompletion, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const { store, clock, grading, config } = c.var.deps;
  const idempotencyKey = idempotencyKeyOf(c.req.header("idempotency-key"));
  const requestHash = idempotencyKey === undefined ? "" : await sha256Hex(JSON.stringify(body));
  const createdAt = new Date(clock.now());

  /** A retry of a request already done: the first result; the same key on another request: 409. */
  const replay = async (entry: { requestHash: string; completionId: number }) => {
    if (entry.requestHash !== requestHash) {
      throw conflict(message("idempotency_key_reused"));
    }
    c.header("Idempotent-Replayed", "true");
    return c.json(toStudentCompletion(await loadOne(store, entry.completionId), createdAt), 201);
  };
  // The caller, the test (with its questions unless cached), the caller's attempts at it and an
  // earlier use of the key: one read.
  const { caller, access, test, more } = await readTestByLink(c, body.test, (callerId) => {
    const attemptQueries = attemptStateQueries(store.db, body.test, callerId);
    return idempotencyKey === undefined
      ? attemptQueries
      : ([
          ...attemptQueries,
          selectIdempotencyKey(store.db, callerId, idempotencyKey, createdAt),
        ] as const);
  });
  const [latestAttempt, uncountedCompletions] = more;
  const earlier = more[2]?.[0];
  if (earlier) return replay(earlier);
  if (access === "unknown" || !test) {
    throw validationError(
      "test",
      message("slug_does_not_exist", { slug: "public_uuid", value: body.test }),
    );
  }
  if (access === "denied") throw permissionDenied(message("test_not_open"));

  const attempts = attemptStateFromRows([latestAttempt, uncountedCompletions]);
  const keyUse = idempotencyKey === undefined ? undefined : { key: idempotencyKey, requestHash };
  const stored = await decideAndWrite(
    c,
    body.test,
    caller.id,
    attempts,
    async (state) => {
      const target = decideSubmission(test, state, createdAt);
      if ("refused" in target) throw permissionDenied(target.refused);
      const submission = storedAnswers(test, body, target.late);
      const codeAnswers = submission.answers.filter(needsGrading);
      if (codeAnswers.length > 0)
        await ensureGradingCapacity(c.var.deps, caller.id, codeAnswers.length);
      return { target, submission, codeAnswers };
    },
    async (decided) => {
      try {
        return {
          ...decided,
          ...(await storeSubmission(store, caller.id, test, decided, keyUse, createdAt)),
        };
      } catch (error) {
        // Two retries racing each other: the key is taken by the first, whose result the second gets.
        const raced =
          idempotencyKey &&
          (await findIdempotencyKey(store.db, caller.id, idempotencyKey, createdAt));
        if (raced) return { raced };
        throw error;
      }
    },
  );
  if (stored.raced) return replay(stored.raced);

  const { id, answerIdByQuestion, completion, submission, codeAnswers } = stored;
  if (!submission.needsGrading) {
    const record = {
      ...completion,
      id,
      user: caller,
      test,
      answers: submission.answers,
      solutions: solutionsOf(test),
    };
    return c.json(toStudentCompletion(record, createdAt), 201);
  }
  await grading.submit(
    codeAnswers.map((answer) => ({
      answerId: answerIdByQuestion.get(answer.questionId) as number,
      completionId: id,
      userId: caller.id,
    })),
  );
  await grading.waitFor(id, config.gradingWaitMs);
  return c.json(toStudentCompletion(await loadOne(store, id), new Date(clock.now())), 201);
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

async function loadOne(store: Store, id: number) {
  const [completion] = await loadCompletions(store, forStudent(completionById(id)));
  if (!completion) throw notFound();
  return completion;
}

export const getCompletion: RouteHandler<typeof routes.getCompletion, AppEnv> = async (c) => {
  const { store } = c.var.deps;
  const { id } = c.req.valid("param");
  await readableCompletion(store.db, currentUser(c), id);
  return c.json(
    toStudentCompletion(await loadOne(store, id), new Date(c.var.deps.clock.now())),
    200,
  );
};

export const getCompletionWithCorrectness: RouteHandler<
  typeof routes.getCompletionWithCorrectness,
  AppEnv
> = async (c) => {
  const { store } = c.var.deps;
  const { id } = c.req.valid("param");
  const { isCreator } = await readableCompletion(store.db, currentUser(c), id);
  if (!isCreator) throw permissionDenied(message("only_creator_sees_correct_answers"));
  return c.json(toTeacherCompletion(await loadOne(store, id), c.var.language), 200);
};

/** The student's view of completions, as their tests' `show_results` allow it now. */
const studentView = (c: AppContext) => {
  const now = new Date(c.var.deps.clock.now());
  return (completion: CompletionRecord) => toStudentCompletion(completion, now);
};

/** A completions list as the contract pages it, streamed in slices (see `pageOfCompletions`). */
async function completionList<Output>(
  c: AppContext,
  query: PageQuery,
  scope: CompletionScope,
  toOutput: (completion: CompletionRecord) => Output,
) {
  const page = toPage(query);
  const { nextAfterId, slices } = await pageOfCompletions(c.var.deps.store, scope, page);
  return jsonArrayResponse(c, slices, toOutput, nextPageHeaders(c, page, nextAfterId));
}

export const listTestCompletions: RouteHandler<typeof routes.listTestCompletions, AppEnv> = async (
  c,
) => {
  const test = await ownTest(c.var.deps.store.db, currentUser(c), c.req.valid("param").id);
  const teacherView = (completion: CompletionRecord) =>
    toTeacherCompletion(completion, c.var.language);
  return completionList(c, c.req.valid("query"), completionsOfTest(test.id), teacherView);
};

export const listMyCompletionsOfTest: RouteHandler<
  typeof routes.listMyCompletionsOfTest,
  AppEnv
> = async (c) => {
  const { caller, test } = await testForStudent(c, c.req.valid("param").public_uuid);
  return completionList(
    c,
    c.req.valid("query"),
    forStudent(completionsOfUserForTest(caller.id, test.id)),
    studentView(c),
  );
};

export const listMyCompletions: RouteHandler<typeof routes.listMyCompletions, AppEnv> = async (c) =>
  completionList(
    c,
    c.req.valid("query"),
    forStudent(completionsOfUser(currentUser(c).id)),
    studentView(c),
  );

/** Completions of a test, one page at a time, as sheet rows. */
async function* exportRows(
  store: Store,
  test: TestRow,
  questions: ExportQuestion[],
  openGroupIds: Set<number>,
) {
  const groupsByStudent = await groupsOfTestStudents(store.db, test.id, test.organizationId);
  let afterId: number | undefined;
  for (;;) {
    const page = await loadExportPage(store, test.id, { afterId, limit: exportPageSize });
    for (const completion of page) {
      const group = groupLabel(groupsByStudent.get(completion.user.id) ?? [], openGroupIds);
      yield exportRow(completion, group, questions);
    }
    if (page.length < exportPageSize) return;
    afterId = page.at(-1)?.id;
  }
}

/** The statistics sheet's rows, computed when the writer gets to them. */
async function* statisticsRows(store: Store, test: TestTree, attempts: AttemptsMode) {
  const statistics = await loadTestStatistics(store, test, attempts);
  const texts = new Map(test.questions.map((question) => [question.id, question.text]));
  yield* statisticsSheetRows(statistics, texts, attempts);
}

export const exportTestCompletions: RouteHandler<
  typeof routes.exportTestCompletions,
  AppEnv
> = async (c) => {
  const { store } = c.var.deps;
  const test = await loadTestTree(
    store.db,
    await ownTest(store.db, currentUser(c), c.req.valid("param").id),
  );
  const questions = test.questions.map(({ id, text, points }) => ({ id, text, points }));
  const openGroupIds = new Set(test.availableFor.map((group) => group.id));
  const requestId = c.get("requestId");
  const body = streamWorkbook(
    [
      {
        sheetName: sheetName(test.name),
        headers: exportHeaders(questions),
        widths: exportColumnWidths(questions),
        rows: exportRows(store, test, questions, openGroupIds),
        dateColumn: 4,
      },
      {
        sheetName: statisticsSheetName,
        headers: statisticsSheetHeaders,
        widths: statisticsSheetWidths,
        rows: statisticsRows(store, test, c.req.valid("query").attempts),
        filterColumns: statisticsFilterColumns,
      },
    ],
    (error) =>
      c.var.deps.logger.error("export failed", { request_id: requestId, error: String(error) }),
  );
  return c.body(body, 200, {
    "Content-Type": xlsxContentType,
    "Content-Disposition": attachmentDisposition(test.name),
  });
};
