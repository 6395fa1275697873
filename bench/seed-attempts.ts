/**
 * Seeds a class that took one test many times, straight into the database through the same
 * queries the API uses: `students` students of varied ability, `attemptsPerStudent` completions
 * each, of a 20-question test (radio, check, text, and code questions as the grader leaves them).
 */
import { eq, inArray } from "drizzle-orm";
import type { Store } from "../src/db/client";
import { insertCompletion } from "../src/db/queries/completions";
import {
  insertQuestions,
  loadTestTree,
  type NewQuestion,
  type TestTree,
} from "../src/db/queries/tests";
import { answers, completions, tests, users } from "../src/db/schema";
import type { AnswerRecord } from "../src/domain/completion-views";
import { generatePublicUuid } from "../src/domain/public-uuid";
import { resolveSubmission } from "../src/domain/submission";
import type { AnswerInput } from "../src/routes/completions/completions.schemas";

const types = ["radio", "check", "text", "code"] as const;
/** Code questions are worth as many points as they have cases: points = cases passed. */
const casesPerCodeQuestion = 3;

function questions(): NewQuestion[] {
  return Array.from({ length: 20 }, (_, index) => {
    const type = types[index % types.length] ?? "radio";
    const variants =
      type === "radio"
        ? ["right", "wrong", "also wrong"].map((text, i) => ({ text, isCorrect: i === 0 }))
        : type === "check"
          ? ["a", "b", "c", "d"].map((text, i) => ({ text, isCorrect: i < 2 }))
          : type === "text"
            ? [{ text: "Paris", isCorrect: true }]
            : [];
    return {
      text: `Question ${index + 1}`,
      type,
      points: type === "code" ? casesPerCodeQuestion : 1 + (index % 4),
      numberInTest: index,
      testingCode: type === "code" ? "assert f(1) == 1\nassert f(2) == 4\nassert f(3) == 9" : null,
      strictScore: type === "check" || type === "code" ? false : null,
      language: type === "code" ? "python" : null,
      variants,
    };
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

/** One completion's answers: each question skipped now and then, right with the given chance. */
function answersOf(tree: TestTree, ability: number, random: () => number): AnswerRecord[] {
  const inputs: AnswerInput[] = [];
  const code: AnswerRecord[] = [];
  for (const question of tree.questions) {
    if (random() < 0.05) continue;
    const right = random() < ability;
    const picked = question.variants.filter((variant) => variant.isCorrect === right);
    if (question.type === "radio")
      inputs.push({ question: question.id, body: { picked_variant: { id: picked[0]?.id } } });
    if (question.type === "check")
      inputs.push({
        question: question.id,
        body: { picked_variants: picked.map(({ id }) => ({ id })) },
      });
    if (question.type === "text")
      inputs.push({
        question: question.id,
        body: { picked_variant: { text: right ? "paris" : "London" } },
      });
    if (question.type === "code") {
      const passed = Math.min(casesPerCodeQuestion, Math.floor(random() * 4 * ability + 0.5));
      code.push({
        questionId: question.id,
        type: "code",
        pickedVariant: null,
        pickedVariants: [],
        text: null,
        code: "def f(x):\n    return x * x\n",
        points: passed,
        isCorrect: passed === casesPerCodeQuestion,
        runtimeErrors: null,
        passed,
        total: casesPerCodeQuestion,
      });
    }
  }
  const scored = resolveSubmission(tree, inputs);
  if (!scored.ok) throw new Error("seeded answers must be valid");
  return [...scored.answers, ...code];
}

export async function seedAttempts(
  store: Store,
  options: { teacherId: number; organizationId: number; students: number; attempts: number },
): Promise<{ testId: number; completions: number }> {
  const { teacherId, organizationId } = options;
  const random = randomGenerator(42);
  const test = await store.transaction(async (tx) => {
    const [row] = await tx
      .insert(tests)
      .values({
        name: "Дроби и проценты — итоговая работа",
        creatorId: teacherId,
        organizationId,
        publicUuid: generatePublicUuid(),
      })
      .returning();
    if (!row) throw new Error("no test");
    await insertQuestions(tx, row.id, questions());
    return row;
  });
  const studentIds = await store.transaction(async (tx) =>
    (
      await tx
        .insert(users)
        .values(
          Array.from({ length: options.students }, (_, i) => ({
            email: `attempts${i}.${test.id}@bench.example`,
            passwordHash: "not a hash: these students never sign in",
            firstName: `Student${i}`,
            lastName: "Bench",
            organizationId,
          })),
        )
        .returning({ id: users.id })
    ).map((row) => row.id),
  );
  const tree = await loadTestTree(store.db, test);
  const abilities = studentIds.map(() => 0.2 + 0.7 * random());
  const start = Date.UTC(2026, 8, 1, 8);
  const total = options.attempts * studentIds.length;
  for (let first = 0; first < total; first += 1000) {
    // Submitted at once, as a class would: the Node store commits them in groups.
    const inserts: Promise<unknown>[] = [];
    for (let n = first; n < Math.min(total, first + 1000); n++) {
      const attempt = Math.floor(n / studentIds.length);
      const index = n % studentIds.length;
      // Students do a little better with every attempt.
      const ability = Math.min(0.95, (abilities[index] ?? 0.5) + attempt * 0.01);
      const records = answersOf(tree, ability, random);
      inserts.push(
        insertCompletion(
          store,
          {
            userId: studentIds[index] as number,
            testId: test.id,
            score: records.reduce((sum, answer) => sum + answer.points, 0),
            status: "graded",
            createdAt: new Date(start + n * 1000),
          },
          records,
        ),
      );
    }
    await Promise.all(inserts);
  }
  // insertCompletion leaves the case counts to the grader; the grader would have set them so.
  const codeQuestions = tree.questions.filter((q) => q.type === "code").map((q) => q.id);
  await store.transaction((tx) =>
    tx
      .update(answers)
      .set({ passed: answers.points, total: casesPerCodeQuestion })
      .where(inArray(answers.questionId, codeQuestions)),
  );
  const seeded = await store.db.$count(completions, eq(completions.testId, test.id));
  return { testId: test.id, completions: seeded };
}
