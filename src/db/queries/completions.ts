import { and, asc, between, count, eq, gt, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AnswerRecord, CompletionRecord } from "../../domain/completion-views";
import type { ExportCompletion } from "../../domain/export";
import type { Queryable, Store } from "../client";
import { answers, answerVariants, completions, questions, tests, users, variants } from "../schema";
import { chunksForInsert } from "./chunks";
import { groupBy } from "./group-by";
import { type Page, pageOf, rowsToRead, startingAfter } from "./page";

export type CompletionRow = typeof completions.$inferSelect;

/** Which completions to load: a condition on the completions table. */
export interface CompletionScope {
  where: SQL | undefined;
  /** Also load the correct answers of the answered questions (for the student's `full` view). */
  withSolutions?: boolean;
}

/** The scope, for the student's views: with what `show_results: full` shows. */
export const forStudent = (scope: CompletionScope): CompletionScope => ({
  ...scope,
  withSolutions: true,
});

export const completionById = (id: number): CompletionScope => ({ where: eq(completions.id, id) });
export const completionsOfTest = (testId: number): CompletionScope => ({
  where: eq(completions.testId, testId),
});
export const completionsOfUser = (userId: number): CompletionScope => ({
  where: eq(completions.userId, userId),
});
export const completionsOfUserForTest = (userId: number, testId: number): CompletionScope => ({
  where: and(eq(completions.userId, userId), eq(completions.testId, testId)),
});

/**
 * Completions with their students, tests and answers: three queries in one round trip, whatever
 * their number. Answers follow the test's question order. Long lists go through `pageOfCompletions`.
 */
export async function loadCompletions(
  store: Store,
  scope: CompletionScope,
): Promise<CompletionRecord[]> {
  const { db } = store;
  const { where } = scope;
  // Answers of the same completions, found by id: cheap to look up through their index.
  const inScope = inArray(
    answers.completionId,
    db.select({ id: completions.id }).from(completions).where(where),
  );
  // Flat selections of only the columns needed: row materialization dominates this query's cost.
  const picked = { id: variants.id, text: variants.text, isCorrect: variants.isCorrect };
  const answeredQuestions = db
    .selectDistinct({ id: answers.questionId })
    .from(answers)
    .where(scope.withSolutions ? inScope : sql`0`);
  const [heads, answerRows, pickRows, solutionRows] = await store.readBatch([
    db
      .select({
        completion: completions,
        user: users,
        test: {
          id: tests.id,
          publicUuid: tests.publicUuid,
          showResults: tests.showResults,
          closesAt: tests.closesAt,
        },
      })
      .from(completions)
      .innerJoin(users, eq(completions.userId, users.id))
      .innerJoin(tests, eq(completions.testId, tests.id))
      .where(where)
      .orderBy(asc(completions.id)),
    db
      .select({
        id: answers.id,
        completionId: answers.completionId,
        questionId: answers.questionId,
        type: questions.type,
        text: answers.text,
        code: answers.code,
        points: answers.points,
        isCorrect: answers.isCorrect,
        runtimeErrors: answers.runtimeErrors,
        passed: answers.passed,
        total: answers.total,
        pickedId: variants.id,
        pickedText: variants.text,
        pickedCorrect: variants.isCorrect,
      })
      .from(answers)
      .innerJoin(questions, eq(answers.questionId, questions.id))
      .leftJoin(variants, eq(answers.pickedVariantId, variants.id))
      .where(inScope)
      .orderBy(asc(answers.completionId), asc(questions.numberInTest), asc(questions.id)),
    db
      .select({ answerId: answerVariants.answerId, ...picked })
      .from(answerVariants)
      .innerJoin(answers, eq(answerVariants.answerId, answers.id))
      .innerJoin(variants, eq(answerVariants.variantId, variants.id))
      .where(inScope)
      .orderBy(asc(answerVariants.answerId), asc(variants.position), asc(variants.id)),
    db
      .select({ questionId: variants.questionId, id: variants.id, text: variants.text })
      .from(variants)
      .where(and(eq(variants.isCorrect, true), inArray(variants.questionId, answeredQuestions)))
      .orderBy(asc(variants.questionId), asc(variants.position), asc(variants.id)),
  ]);
  const solutions = scope.withSolutions
    ? new Map(
        [...groupBy(solutionRows, (row) => row.questionId)].map(([questionId, rows]) => [
          questionId,
          rows.map(({ id, text }) => ({ id, text })),
        ]),
      )
    : undefined;
  const picksByAnswer = groupBy(pickRows, (row) => row.answerId);
  const answersByCompletion = groupBy(answerRows, (row) => row.completionId);
  const toRecord = (row: (typeof answerRows)[number]): AnswerRecord => ({
    questionId: row.questionId,
    type: row.type,
    pickedVariant:
      row.pickedId === null
        ? null
        : { id: row.pickedId, text: row.pickedText ?? "", isCorrect: row.pickedCorrect ?? false },
    pickedVariants: (picksByAnswer.get(row.id) ?? []).map(({ id, text, isCorrect }) => ({
      id,
      text,
      isCorrect,
    })),
    text: row.text,
    code: row.code,
    points: row.points,
    isCorrect: row.isCorrect,
    runtimeErrors: row.runtimeErrors,
    passed: row.passed,
    total: row.total,
  });
  return heads.map(({ completion, user, test }) => ({
    id: completion.id,
    user,
    test,
    score: completion.score,
    status: completion.status,
    attempt: completion.attempt,
    late: completion.late,
    createdAt: completion.createdAt,
    answers: (answersByCompletion.get(completion.id) ?? []).map(toRecord),
    ...(solutions ? { solutions } : {}),
  }));
}

/**
 * The embedded database runs each query on the event loop, so a list is read in slices of about
 * this many answers (a few milliseconds each here), and other requests run between slices.
 */
const answersPerSlice = 500;
/** Completions sized per planning query (their answers are counted through an index). */
const completionsPerPlan = 100;

/** A page of completions, read lazily slice by slice; `nextAfterId` is known up front. */
export interface CompletionPage {
  nextAfterId: number | undefined;
  slices: AsyncGenerator<CompletionRecord[]>;
}

/** Lets other requests run: the next macrotask turn of the event loop. */
export const nextTurn = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/** Consecutive id ranges of the planned completions, each holding about `answersPerSlice` answers. */
function sliceRanges(planned: { id: number; answers: number }[]): [number, number][] {
  const ranges: [number, number][] = [];
  let start: number | undefined;
  let weight = 0;
  for (const [index, completion] of planned.entries()) {
    start ??= completion.id;
    // Each completion weighs one more than its answers, so empty ones are bounded too.
    weight += completion.answers + 1;
    const isLast = index === planned.length - 1;
    if (weight >= answersPerSlice || isLast) {
      ranges.push([start, completion.id]);
      start = undefined;
      weight = 0;
    }
  }
  return ranges;
}

async function* completionSlices(
  store: Store,
  scope: CompletionScope,
  afterId: number | undefined,
  throughId: number | undefined,
): AsyncGenerator<CompletionRecord[]> {
  const { where } = scope;
  let cursor = afterId;
  for (;;) {
    const bounded = throughId === undefined ? where : and(where, lte(completions.id, throughId));
    const planned = await store.db
      .select({ id: completions.id, answers: count(answers.id) })
      .from(completions)
      .leftJoin(answers, eq(answers.completionId, completions.id))
      .where(startingAfter(bounded, completions.id, { afterId: cursor }))
      .groupBy(completions.id)
      .orderBy(asc(completions.id))
      .limit(completionsPerPlan);
    for (const [first, last] of sliceRanges(planned)) {
      yield await loadCompletions(store, {
        ...scope,
        where: and(where, between(completions.id, first, last)),
      });
      await nextTurn();
    }
    if (planned.length < completionsPerPlan) return;
    cursor = planned.at(-1)?.id;
  }
}

/** A keyset page of the scope's completions (the whole rest of them without a limit). */
export async function pageOfCompletions(
  store: Store,
  scope: CompletionScope,
  page: Page,
): Promise<CompletionPage> {
  if (page.limit === undefined)
    return {
      nextAfterId: undefined,
      slices: completionSlices(store, scope, page.afterId, undefined),
    };
  const ids = await store.db
    .select({ id: completions.id })
    .from(completions)
    .where(startingAfter(scope.where, completions.id, page))
    .orderBy(asc(completions.id))
    .limit(rowsToRead(page));
  const { items, nextAfterId } = pageOf(ids, page);
  const throughId = items.at(-1)?.id ?? page.afterId ?? 0;
  return { nextAfterId, slices: completionSlices(store, scope, page.afterId, throughId) };
}

/**
 * A page of a test's completions as the export needs them — the student, score, time and each
 * answer's points, nothing else — in one round trip.
 */
export async function loadExportPage(
  store: Store,
  testId: number,
  page: { afterId: number | undefined; limit: number },
): Promise<ExportCompletion[]> {
  const { db } = store;
  const where = and(
    eq(completions.testId, testId),
    page.afterId === undefined ? undefined : gt(completions.id, page.afterId),
  );
  const pageIds = db
    .select({ id: completions.id })
    .from(completions)
    .where(where)
    .orderBy(asc(completions.id))
    .limit(page.limit);
  const [heads, points] = await store.readBatch([
    db
      .select({
        id: completions.id,
        score: completions.score,
        createdAt: completions.createdAt,
        user: {
          id: users.id,
          email: users.email,
          firstName: users.firstName,
          lastName: users.lastName,
        },
      })
      .from(completions)
      .innerJoin(users, eq(completions.userId, users.id))
      .where(where)
      .orderBy(asc(completions.id))
      .limit(page.limit),
    db
      .select({
        completionId: answers.completionId,
        questionId: answers.questionId,
        points: answers.points,
      })
      .from(answers)
      .where(inArray(answers.completionId, pageIds)),
  ]);
  const pointsByCompletion = groupBy(points, (row) => row.completionId);
  return heads.map((head) => ({ ...head, answers: pointsByCompletion.get(head.id) ?? [] }));
}

export async function findCompletion(db: Queryable, id: number) {
  return db
    .select({ completion: completions, test: tests })
    .from(completions)
    .innerJoin(tests, eq(completions.testId, tests.id))
    .where(eq(completions.id, id))
    .get();
}

/** The attempt number of the student's newest completion, for statements that follow its insert. */
export const attemptOfNewestCompletion = (userId: number) =>
  sql<number>`(select ${completions.attempt} from ${completions} where ${completions.id} = ${newestCompletionOf(userId)})`;

/**
 * The student's newest completion, for statements that follow its insert in the same batch:
 * ids only grow, and nobody else writes inside the batch's transaction.
 */
export const newestCompletionOf = (userId: number) =>
  sql<number>`(select max(${completions.id}) from ${completions} where ${completions.userId} = ${userId})`;

/**
 * Stores a scored submission in one batch (one round trip): the completion, its answers and
 * check picks, then `after` (statements that may name the completion as `newestCompletionOf`).
 * All of it or, if any statement fails, nothing.
 */
export async function insertCompletion(
  store: Store,
  completion: {
    userId: number;
    testId: number;
    score: number;
    status: CompletionRow["status"];
    /** Left out by seeds, which store completions as if from before attempts were counted. */
    attempt?: number | SQL<number>;
    late?: boolean;
    createdAt: Date;
  },
  answerRecords: AnswerRecord[],
  after: BatchItem<"sqlite">[] = [],
): Promise<{ id: number; attempt: number | null; answerIdByQuestion: Map<number, number> }> {
  const { db } = store;
  const completionId = newestCompletionOf(completion.userId);
  const answerOf = (questionId: number) =>
    sql<number>`(select ${answers.id} from ${answers} where ${answers.completionId} = ${completionId} and ${answers.questionId} = ${questionId})`;
  const answerRows = answerRecords.map((answer) => ({
    completionId,
    questionId: answer.questionId,
    pickedVariantId: answer.pickedVariant?.id ?? null,
    text: answer.text,
    code: answer.code,
    points: answer.points,
    isCorrect: answer.isCorrect,
    runtimeErrors: answer.runtimeErrors,
  }));
  const picks = answerRecords.flatMap((answer) =>
    answer.pickedVariants.map((variant) => ({
      answerId: answerOf(answer.questionId),
      variantId: variant.id,
    })),
  );
  // A test has at most 500 questions: their answers fit in one statement.
  const [inserted, ...afterInsert] = (await store.batch([
    db
      .insert(completions)
      .values(completion)
      .returning({ id: completions.id, attempt: completions.attempt }),
    ...(answerRows.length === 0
      ? []
      : [
          db
            .insert(answers)
            .values(answerRows)
            .returning({ id: answers.id, questionId: answers.questionId }),
        ]),
    ...chunksForInsert(picks, 3).map((chunk) => db.insert(answerVariants).values(chunk)),
    ...after,
  ])) as unknown as [{ id: number; attempt: number | null }[], ...unknown[]];
  const insertedAnswers =
    answerRows.length === 0 ? [] : (afterInsert[0] as { id: number; questionId: number }[]);
  const [head] = inserted;
  if (head === undefined) throw new Error("insert returned no completion");
  // RETURNING order is not guaranteed: match by question, unique within a completion.
  return {
    ...head,
    answerIdByQuestion: new Map(insertedAnswers.map((row) => [row.questionId, row.id])),
  };
}
