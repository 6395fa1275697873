/**
 * Seeds a class that took one test many times, straight into the database through the same
 * queries the API uses: `students` students of varied ability, `attemptsPerStudent` completions
 * each, of a 20-question test (radio, check, text and graded code questions).
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Store } from "../src/db/client";
import { insertCompletion } from "../src/db/queries/completions";
import { insertQuestions, loadTestTree, type NewQuestion } from "../src/db/queries/tests";
import { answers, completions, tests, users } from "../src/db/schema";
import { generatePublicUuid } from "../src/domain/public-uuid";
import { resolveSubmission } from "../src/domain/submission";
import type { AnswerInput } from "../src/routes/completions/completions.schemas";

const questionCount = 20;
const casesPerCodeQuestion = 3;

function questions(): NewQuestion[] {
  return Array.from({ length: questionCount }, (_, index) => {
    const type = (["radio", "check", "text", "code"] as const)[index % 4] ?? "radio";
    const base = {
      text: `Question ${index + 1}`,
      type,
      points: 1 + (index % 4),
      numberInTest: index,
    };
    switch (type) {
      case "radio":
        return {
          ...base,
          testingCode: null,
          strictScore: null,
          language: null,
          variants: ["right", "wrong", "also wrong"].map((text, i) => ({
            text,
            isCorrect: i === 0,
          })),
        };
      case "check":
        return {
          ...base,
          testingCode: null,
          strictScore: false,
          language: null,
          variants: ["a", "b", "c", "d"].map((text, i) => ({ text, isCorrect: i < 2 })),
        };
      case "text":
        return {
          ...base,
          testingCode: null,
          strictScore: null,
          language: null,
          variants: [{ text: "Paris", isCorrect: true }],
        };
      default:
        return {
          ...base,
          testingCode: "assert f(1) == 1\nassert f(2) == 4\nassert f(3) == 9",
          strictScore: false,
          language: "python",
          variants: [],
        };
    }
  });
}

/** A small deterministic generator, so every run seeds the same class. */
function randomGenerator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface SeededAttempts {
  testId: number;
  completions: number;
}

export async function seedAttempts(
  store: Store,
  {
    teacherId,
    organizationId,
    students,
    attemptsPerStudent,
  }: {
    teacherId: number;
    organizationId: number;
    students: number;
    attemptsPerStudent: number;
  },
): Promise<SeededAttempts> {
  const random = randomGenerator(42);
  const { testId, studentIds } = await store.transaction(async (tx) => {
    const [test] = await tx
      .insert(tests)
      .values({
        name: "Дроби и проценты — итоговая работа",
        creatorId: teacherId,
        organizationId,
        publicUuid: generatePublicUuid(),
      })
      .returning({ id: tests.id });
    if (!test) throw new Error("no test");
    await insertQuestions(tx, test.id, questions());
    const inserted = await tx
      .insert(users)
      .values(
        Array.from({ length: students }, (_, i) => ({
          email: `attempts${i}.${test.id}@bench.example`,
          passwordHash: "unused",
          firstName: `Student${i}`,
          lastName: "Bench",
          organizationId,
        })),
      )
      .returning({ id: users.id });
    return { testId: test.id, studentIds: inserted.map((row) => row.id) };
  });
  const test = await store.db.select().from(tests).where(eq(tests.id, testId)).get();
  if (!test) throw new Error("the test was just created");
  const tree = await loadTestTree(store.db, test);
  const abilities = studentIds.map(() => 0.2 + 0.7 * random());
  const start = Date.UTC(2026, 8, 1, 8);
  for (let attempt = 0; attempt < attemptsPerStudent; attempt++) {
    // Concurrent inserts: the Node store commits them in groups, as it would a class's submissions.
    const inserts: Promise<unknown>[] = [];
    for (const [index, userId] of studentIds.entries()) {
      const ability = Math.min(0.95, (abilities[index] as number) + attempt * 0.01);
      const inputs: AnswerInput[] = tree.questions
        .filter((question) => question.type !== "code" && random() < 0.95)
        .map((question) => {
          const right = random() < ability;
          const variant =
            question.variants.find((v) => v.isCorrect === right) ?? question.variants[0];
          if (question.type === "check")
            return {
              question: question.id,
              body: {
                picked_variants: question.variants
                  .filter((v) => v.isCorrect === right || random() < 0.2)
                  .map(({ id }) => ({ id })),
              },
            };
          if (question.type === "text")
            return {
              question: question.id,
              body: { picked_variant: { text: right ? "paris" : "London" } },
            };
          return { question: question.id, body: { picked_variant: { id: variant?.id } } };
        });
      const scored = resolveSubmission(tree, inputs);
      if (!scored.ok) throw new Error("seeded answers must be valid");
      const graded = tree.questions
        .filter((question) => question.type === "code")
        .map((question) => {
          const passed = Math.round(ability * casesPerCodeQuestion * random() * 1.2);
          const points = Math.floor(
            (question.points * Math.min(passed, casesPerCodeQuestion)) / casesPerCodeQuestion,
          );
          return {
            ...scored.answers[0],
            questionId: question.id,
            type: "code" as const,
            pickedVariant: null,
            pickedVariants: [],
            text: null,
            code: "def f(x):\n    return x * x\n",
            points,
            isCorrect: points === question.points,
            runtimeErrors: null,
            passed: Math.min(passed, casesPerCodeQuestion),
            total: casesPerCodeQuestion,
          };
        });
      const all = [...scored.answers, ...graded];
      inserts.push(
        insertCompletion(
          store,
          {
            userId,
            testId,
            score: all.reduce((sum, answer) => sum + answer.points, 0),
            status: "graded",
            createdAt: new Date(start + (attempt * studentIds.length + index) * 1000),
          },
          all,
        ),
      );
    }
    await Promise.all(inserts);
  }
  // insertCompletion leaves the grader's case counts to it: fill them in as it would.
  const codeQuestionIds = tree.questions.filter((q) => q.type === "code").map((q) => q.id);
  await store.transaction((tx) =>
    tx
      .update(answers)
      .set({
        total: casesPerCodeQuestion,
        passed: sql`(${answers.points} * ${casesPerCodeQuestion}) / (select points from questions where id = ${answers.questionId})`,
      })
      .where(inArray(answers.questionId, codeQuestionIds)),
  );
  const [counted] = await store.db
    .select({ n: sql<number>`count(*)` })
    .from(completions)
    .where(eq(completions.testId, testId));
  return { testId, completions: counted?.n ?? 0 };
}
