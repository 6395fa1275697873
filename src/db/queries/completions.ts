import { and, asc, between, eq, gt, type SQL } from "drizzle-orm";
import type { AnswerRecord, CompletionRecord } from "../../domain/completion-views";
import type { Queryable, Tx } from "../client";
import { answers, answerVariants, completions, questions, tests, users, variants } from "../schema";
import { chunksForInsert } from "./chunks";
import { groupBy } from "./group-by";

export type CompletionRow = typeof completions.$inferSelect;

/** Which completions to load: a condition on the completions table, optionally a page of it. */
export interface CompletionScope {
  where: SQL | undefined;
  afterId?: number;
  limit?: number;
}

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
 * Completions with their students, tests and answers in four queries, whatever their number.
 * Answers follow the test's question order.
 */
export async function loadCompletions(
  db: Queryable,
  scope: CompletionScope,
): Promise<CompletionRecord[]> {
  const where =
    scope.afterId === undefined ? scope.where : and(scope.where, gt(completions.id, scope.afterId));
  const headQuery = db
    .select({
      completion: completions,
      user: users,
      test: { id: tests.id, publicUuid: tests.publicUuid },
    })
    .from(completions)
    .innerJoin(users, eq(completions.userId, users.id))
    .innerJoin(tests, eq(completions.testId, tests.id))
    .where(where)
    .orderBy(asc(completions.id));
  const heads = await (scope.limit === undefined ? headQuery : headQuery.limit(scope.limit));
  if (heads.length === 0) return [];

  // The same completions again, as an id range inside the scope: cheap to join on.
  const first = heads[0]?.completion.id as number;
  const last = heads.at(-1)?.completion.id as number;
  const inPage = and(where, between(completions.id, first, last));
  // Flat selections of only the columns needed: row materialization dominates this query's cost.
  const picked = { id: variants.id, text: variants.text, isCorrect: variants.isCorrect };
  const [answerRows, pickRows] = await Promise.all([
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
      .innerJoin(completions, eq(answers.completionId, completions.id))
      .innerJoin(questions, eq(answers.questionId, questions.id))
      .leftJoin(variants, eq(answers.pickedVariantId, variants.id))
      .where(inPage)
      .orderBy(asc(answers.completionId), asc(questions.numberInTest), asc(questions.id)),
    db
      .select({ answerId: answerVariants.answerId, ...picked })
      .from(answerVariants)
      .innerJoin(answers, eq(answerVariants.answerId, answers.id))
      .innerJoin(completions, eq(answers.completionId, completions.id))
      .innerJoin(variants, eq(answerVariants.variantId, variants.id))
      .where(inPage)
      .orderBy(asc(answerVariants.answerId), asc(variants.position), asc(variants.id)),
  ]);
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
    createdAt: completion.createdAt,
    answers: (answersByCompletion.get(completion.id) ?? []).map(toRecord),
  }));
}

export async function findCompletion(db: Queryable, id: number) {
  return db
    .select({ completion: completions, test: tests })
    .from(completions)
    .innerJoin(tests, eq(completions.testId, tests.id))
    .where(eq(completions.id, id))
    .get();
}

/** Stores a scored submission: the completion, its answers and check picks, in a few statements. */
export async function insertCompletion(
  tx: Tx,
  completion: {
    userId: number;
    testId: number;
    score: number;
    status: CompletionRow["status"];
    createdAt: Date;
  },
  answerRecords: AnswerRecord[],
): Promise<{ id: number; answerIdByQuestion: Map<number, number> }> {
  const [row] = await tx.insert(completions).values(completion).returning({ id: completions.id });
  if (!row) throw new Error("insert returned no completion");
  if (answerRecords.length === 0) return { id: row.id, answerIdByQuestion: new Map() };
  const answerRows = answerRecords.map((answer) => ({
    completionId: row.id,
    questionId: answer.questionId,
    pickedVariantId: answer.pickedVariant?.id ?? null,
    text: answer.text,
    code: answer.code,
    points: answer.points,
    isCorrect: answer.isCorrect,
  }));
  const inserted = await tx
    .insert(answers)
    .values(answerRows)
    .returning({ id: answers.id, questionId: answers.questionId });
  // RETURNING order is not guaranteed: match by question, unique within a completion.
  const answerIdByQuestion = new Map(inserted.map((answer) => [answer.questionId, answer.id]));
  const picks = answerRecords.flatMap((answer) =>
    answer.pickedVariants.map((variant) => ({
      answerId: answerIdByQuestion.get(answer.questionId) as number,
      variantId: variant.id,
    })),
  );
  for (const chunk of chunksForInsert(picks, 2)) await tx.insert(answerVariants).values(chunk);
  return { id: row.id, answerIdByQuestion };
}
