import { eq, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client";
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
export async function questionOfAnswer(db: Queryable, answerId: number) {
  return db
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
 * A code answer's grade, then its completion's score (the sum of its answers' points) and status
 * (still `grading` while any answer awaits its grade: `is_correct` is null only then), as two
 * statements for one batch or transaction.
 */
export function gradeStatements(db: Queryable, answerId: number, grade: AnswerGrade) {
  const completionId = sql`(select ${answers.completionId} from ${answers} where ${answers.id} = ${answerId})`;
  const pending = sql`exists (select 1 from ${answers} where ${answers.completionId} = ${completionId} and ${answers.isCorrect} is null)`;
  return [
    db
      .update(answers)
      .set(grade)
      .where(eq(answers.id, answerId))
      .returning({ completionId: answers.completionId }),
    db
      .update(completions)
      .set({
        score: sql`(select coalesce(sum(${answers.points}), 0) from ${answers} where ${answers.completionId} = ${completionId})`,
        status: sql`case when ${pending} then 'grading' else 'graded' end`,
      })
      .where(eq(completions.id, completionId))
      .returning({ status: completions.status }),
  ] as const;
}

/**
 * Stores a code answer's grade and its completion's score and status. Callers run it inside the
 * transaction that also settles the job, so it happens once. Says which completion, and whether
 * it is now graded (no answer of it awaits a grade); undefined when the answer is gone.
 */
export async function applyGrade(
  tx: Tx,
  answerId: number,
  grade: AnswerGrade,
): Promise<{ completionId: number; finished: boolean } | undefined> {
  const [gradeAnswer, scoreCompletion] = gradeStatements(tx, answerId, grade);
  const [answer] = await gradeAnswer;
  if (!answer) return undefined;
  const [completion] = await scoreCompletion;
  return { completionId: answer.completionId, finished: completion?.status !== "grading" };
}
