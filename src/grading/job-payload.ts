import { eq, inArray } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { answers, questions } from "../db/schema";

/** What a runner needs to grade each answer: the code, the tests and the language. */
export async function loadJobPayloads(db: Queryable, answerIds: number[]) {
  if (answerIds.length === 0)
    return new Map<number, { code: string; testingCode: string; language: string }>();
  const rows = await db
    .select({
      answerId: answers.id,
      code: answers.code,
      testingCode: questions.testingCode,
      language: questions.language,
    })
    .from(answers)
    .innerJoin(questions, eq(answers.questionId, questions.id))
    .where(inArray(answers.id, answerIds));
  return new Map(
    rows.map((row) => [
      row.answerId,
      {
        code: row.code ?? "",
        testingCode: row.testingCode ?? "",
        language: row.language ?? "python",
      },
    ]),
  );
}
