import { eq, sql } from "drizzle-orm";
import type { Tx } from "../db/client";
import { answers, completions, questions } from "../db/schema";
import { scoreCode } from "../domain/scoring";
import type { RunReport } from "./harness/harness";

/** A graded code answer as stored. */
export interface AnswerGrade {
  points: number;
  isCorrect: boolean;
  runtimeErrors: string | null;
  passed: number | null;
  total: number | null;
}

export function gradeFromReport(
  question: { points: number; strictScore: boolean | null },
  report: RunReport,
): AnswerGrade {
  const score = scoreCode(question.points, question.strictScore ?? true, report);
  return { ...score, runtimeErrors: report.errors, passed: report.passed, total: report.total };
}

export const failedGrade = (message: string): AnswerGrade => ({
  points: 0,
  isCorrect: false,
  runtimeErrors: message,
  passed: 0,
  total: null,
});

/** The question a code answer belongs to, for its points and scoring mode. */
export async function questionOfAnswer(tx: Tx, answerId: number) {
  return tx
    .select({
      completionId: answers.completionId,
      points: questions.points,
      strictScore: questions.strictScore,
    })
    .from(answers)
    .innerJoin(questions, eq(answers.questionId, questions.id))
    .where(eq(answers.id, answerId))
    .get();
}

/**
 * Stores a code answer's grade, then the completion's score (the sum of its answers' points)
 * and status (still `grading` while any answer awaits its grade: `is_correct` is null only then).
 * Callers run it inside the transaction that also settles the job, so it happens once.
 */
export async function applyGrade(
  tx: Tx,
  answerId: number,
  grade: AnswerGrade,
): Promise<number | undefined> {
  const [answer] = await tx
    .update(answers)
    .set(grade)
    .where(eq(answers.id, answerId))
    .returning({ completionId: answers.completionId });
  if (!answer) return undefined;
  const pending = sql`exists (select 1 from ${answers} where ${answers.completionId} = ${answer.completionId} and ${answers.isCorrect} is null)`;
  await tx
    .update(completions)
    .set({
      score: sql`(select coalesce(sum(${answers.points}), 0) from ${answers} where ${answers.completionId} = ${answer.completionId})`,
      status: sql`case when ${pending} then 'grading' else 'graded' end`,
    })
    .where(eq(completions.id, answer.completionId));
  return answer.completionId;
}
