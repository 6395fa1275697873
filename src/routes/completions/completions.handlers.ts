import type { RouteHandler } from "@hono/zod-openapi";
import type { Queryable } from "../../db/client";
import {
  completionById,
  completionsOfTest,
  completionsOfUser,
  completionsOfUserForTest,
  findCompletion,
  insertCompletion,
  loadCompletions,
} from "../../db/queries/completions";
import { groupsOfTestStudents } from "../../db/queries/groups";
import {
  findTestByPublicUuid,
  isTestOpenTo,
  loadTestTree,
  type TestRow,
} from "../../db/queries/tests";
import type { UserRow } from "../../db/queries/users";
import { relationToTest } from "../../domain/access";
import { toStudentCompletion, toTeacherCompletion } from "../../domain/completion-views";
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
import type { AppEnv } from "../../http/context";
import {
  ApiError,
  notFound,
  permissionDenied,
  toValidationErrorBody,
  validationError,
} from "../../http/errors";
import { ownTest, testForStudent } from "../tests/tests.handlers";
import type * as routes from "./completions.routes";

const exportPageSize = 500;

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

export const createCompletion: RouteHandler<typeof routes.createCompletion, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const body = c.req.valid("json");
  const { store, clock, grading, config } = c.var.deps;
  const test = await testToSubmitTo(store.db, caller, body.test);
  const submission = resolveSubmission(await loadTestTree(store.db, test), body.answers);
  if (!submission.ok) throw new ApiError(400, toValidationErrorBody(submission.issues, body));
  const createdAt = new Date(clock.now());
  const status = submission.needsGrading ? ("grading" as const) : ("graded" as const);
  const { id, answerIdByQuestion } = await store.transaction((tx) =>
    insertCompletion(
      tx,
      { userId: caller.id, testId: test.id, score: submission.score, status, createdAt },
      submission.answers,
    ),
  );
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
    submission.answers.filter(needsGrading).map((answer) => ({
      answerId: answerIdByQuestion.get(answer.questionId) as number,
      completionId: id,
      userId: caller.id,
    })),
  );
  await grading.waitFor(id, config.gradingWaitMs);
  return c.json(toStudentCompletion(await loadOne(store.db, id)), 201);
};

/** A completion the caller may read: their own, or one of a test they created; else 404. */
async function readableCompletion(db: Queryable, caller: UserRow, id: number) {
  const found = await findCompletion(db, id);
  if (!found) throw notFound();
  const isStudent = found.completion.userId === caller.id;
  const isCreator = relationToTest(caller, found.test) === "creator";
  if (!isStudent && !isCreator) throw notFound();
  return { isCreator };
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

export const listTestCompletions: RouteHandler<typeof routes.listTestCompletions, AppEnv> = async (
  c,
) => {
  const { db } = c.var.deps.store;
  const test = await ownTest(db, currentUser(c), c.req.valid("param").id);
  const all = await loadCompletions(db, completionsOfTest(test.id));
  return c.json(all.map(toTeacherCompletion), 200);
};

export const listMyCompletionsOfTest: RouteHandler<
  typeof routes.listMyCompletionsOfTest,
  AppEnv
> = async (c) => {
  const { db } = c.var.deps.store;
  const caller = currentUser(c);
  const test = await testForStudent(db, caller, c.req.valid("param").public_uuid);
  const own = await loadCompletions(db, completionsOfUserForTest(caller.id, test.id));
  return c.json(own.map(toStudentCompletion), 200);
};

export const listMyCompletions: RouteHandler<typeof routes.listMyCompletions, AppEnv> = async (
  c,
) => {
  const own = await loadCompletions(c.var.deps.store.db, completionsOfUser(currentUser(c).id));
  return c.json(own.map(toStudentCompletion), 200);
};

/** Completions of a test, one page at a time, as sheet rows. */
async function* exportRows(
  db: Queryable,
  test: TestRow,
  questions: ExportQuestion[],
  openGroupIds: Set<number>,
) {
  const groupsByStudent = await groupsOfTestStudents(db, test.id, test.organizationId);
  let afterId: number | undefined;
  for (;;) {
    const page = await loadCompletions(db, {
      ...completionsOfTest(test.id),
      afterId,
      limit: exportPageSize,
    });
    for (const completion of page) {
      const group = groupLabel(groupsByStudent.get(completion.user.id) ?? [], openGroupIds);
      yield exportRow(completion, group, questions);
    }
    if (page.length < exportPageSize) return;
    afterId = page.at(-1)?.id;
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
