/**
 * Seeds a realistic organization straight into a database file, through the same queries the
 * API uses: 1,000 students in 30 groups, 50 tests of 20 mixed questions open to every group, and
 * 20,000 completions (500 on one test, 2,000 on another, the rest spread).
 */
import { eq } from "drizzle-orm";
import { progress } from "../dev/progress";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import type { Store } from "../src/db/client";
import { openNodeStore } from "../src/db/node-database";
import { insertCompletion } from "../src/db/queries/completions";
import { insertQuestions, loadTestTree, type NewQuestion } from "../src/db/queries/tests";
import { groupMembers, groups, organizations, testGroups, tests, users } from "../src/db/schema";
import { generatePublicUuid } from "../src/domain/public-uuid";
import { resolveSubmission } from "../src/domain/submission";
import { CreateCompletionBodySchema } from "../src/routes/completions/completions.schemas";

export const seedPassword = "bench password 42";
export const seedCounts = {
  students: 1000,
  groups: 30,
  tests: 50,
  questionsPerTest: 20,
  completions: 20_000,
};

export interface Seeded {
  teacherEmail: string;
  studentEmail: string;
  /** A test whose 20 questions have no code, for submissions. */
  submitTest: { id: number; publicUuid: string };
  listTest: { id: number; completions: number };
  exportTest: { id: number; completions: number };
}

function mixedQuestions(testIndex: number, withCode: boolean): NewQuestion[] {
  return Array.from({ length: seedCounts.questionsPerTest }, (_, index) => {
    const kind =
      withCode && index % 5 === 4 ? "code" : (["radio", "check", "text"] as const)[index % 3];
    const base = {
      text: `Test ${testIndex}, question ${index + 1}`,
      points: 1 + (index % 4),
      numberInTest: index,
    };
    switch (kind) {
      case "radio":
        return {
          ...base,
          type: "radio",
          testingCode: null,
          strictScore: null,
          language: null,
          variants: [
            { text: "right", isCorrect: true },
            { text: "wrong", isCorrect: false },
            { text: "also wrong", isCorrect: false },
          ],
        };
      case "check":
        return {
          ...base,
          type: "check",
          testingCode: null,
          strictScore: index % 2 === 0,
          language: null,
          variants: [
            { text: "a", isCorrect: true },
            { text: "b", isCorrect: true },
            { text: "c", isCorrect: false },
            { text: "d", isCorrect: false },
          ],
        };
      case "text":
        return {
          ...base,
          type: "text",
          testingCode: null,
          strictScore: null,
          language: null,
          variants: [{ text: "Paris", isCorrect: true }],
        };
      default:
        return {
          ...base,
          type: "code",
          testingCode: "assert add(1, 2) == 3",
          strictScore: true,
          language: "python",
          variants: [],
        };
    }
  });
}

/** Answers to every question of a test, a mix of right and wrong, in the API's input shape. */
function answersFor(tree: Awaited<ReturnType<typeof loadTestTree>>, seed: number) {
  return tree.questions
    .filter((question) => question.type !== "code")
    .map((question, index) => {
      const right = (seed + index) % 3 !== 0;
      const pick =
        question.variants.find((variant) => variant.isCorrect === right) ?? question.variants[0];
      switch (question.type) {
        case "radio":
          return { question: question.id, body: { picked_variant: { id: pick?.id } } };
        case "check":
          return {
            question: question.id,
            body: {
              picked_variants: question.variants
                .filter((v) => v.isCorrect === right)
                .map(({ id }) => ({ id })),
            },
          };
        default:
          return {
            question: question.id,
            body: { picked_variant: { text: right ? "paris" : "London" } },
          };
      }
    });
}

let completionsSeeded = 0;

async function seedCompletions(
  store: Store,
  testId: number,
  studentIds: number[],
  count: number,
  start: Date,
) {
  const test = await store.db.select().from(tests).where(eq(tests.id, testId)).get();
  if (!test) throw new Error(`no test ${testId}`);
  const tree = await loadTestTree(store.db, test);
  const variants = [0, 1, 2].map((seed) => {
    const { answers } = CreateCompletionBodySchema.parse({
      test: test.publicUuid,
      answers: answersFor(tree, seed),
    });
    const scored = resolveSubmission(tree, answers);
    if (!scored.ok) throw new Error("seed answers must be valid");
    return scored;
  });
  for (let offset = 0; offset < count; offset += 500) {
    const inserts: Promise<unknown>[] = [];
    for (let i = offset; i < Math.min(count, offset + 500); i++) {
      const scored = variants[i % 3] as (typeof variants)[number] & { ok: true };
      inserts.push(
        insertCompletion(
          store,
          {
            userId: studentIds[i % studentIds.length] as number,
            testId,
            score: scored.score,
            status: "graded",
            createdAt: new Date(start.getTime() + i * 1000),
          },
          scored.answers,
        ),
      );
    }
    await Promise.all(inserts);
    completionsSeeded += inserts.length;
    if (completionsSeeded % 2000 < inserts.length)
      progress(`seed: ${completionsSeeded} of ${seedCounts.completions} completions`);
  }
}

export async function seedDatabase(databaseUrl: string): Promise<Seeded> {
  const store = await openNodeStore(databaseUrl);
  const passwordHash = await nodeArgon2Hasher.hash(seedPassword);
  const teacherEmail = "teacher@bench.example";
  completionsSeeded = 0;
  progress(
    `seed: ${seedCounts.students} students, ${seedCounts.groups} groups, ${seedCounts.tests} tests`,
  );

  const { studentIds, testIds } = await store.transaction(async (tx) => {
    const [teacher] = await tx
      .insert(users)
      .values({
        email: teacherEmail,
        passwordHash,
        firstName: "Bench",
        lastName: "Teacher",
        isTeacher: true,
      })
      .returning();
    if (!teacher) throw new Error("no teacher");
    const [organization] = await tx
      .insert(organizations)
      .values({ name: "Bench school", ownerId: teacher.id })
      .returning();
    if (!organization) throw new Error("no organization");
    await tx.update(users).set({ organizationId: organization.id }).where(eq(users.id, teacher.id));
    const students = await tx
      .insert(users)
      .values(
        Array.from({ length: seedCounts.students }, (_, i) => ({
          email: `student${i}@bench.example`,
          passwordHash,
          firstName: `Student${i}`,
          lastName: "Bench",
          organizationId: organization.id,
        })),
      )
      .returning({ id: users.id });
    const groupRows = await tx
      .insert(groups)
      .values(
        Array.from({ length: seedCounts.groups }, (_, i) => ({
          organizationId: organization.id,
          name: `Group ${i + 1}`,
        })),
      )
      .returning({ id: groups.id });
    await tx.insert(groupMembers).values(
      students.map((student, i) => ({
        groupId: (groupRows[i % groupRows.length] as { id: number }).id,
        userId: student.id,
      })),
    );
    const testIdsInner: number[] = [];
    for (let t = 0; t < seedCounts.tests; t++) {
      const [test] = await tx
        .insert(tests)
        .values({
          name: `Bench test ${t + 1}`,
          creatorId: teacher.id,
          organizationId: organization.id,
          publicUuid: generatePublicUuid(),
        })
        .returning({ id: tests.id });
      if (!test) throw new Error("no test");
      await insertQuestions(tx, test.id, mixedQuestions(t, t >= 3));
      await tx
        .insert(testGroups)
        .values(groupRows.map((group) => ({ testId: test.id, groupId: group.id })));
      testIdsInner.push(test.id);
    }
    return {
      studentIds: students.map((s) => s.id),
      testIds: testIdsInner,
    };
  });

  const [submitTestId, listTestId, exportTestId, ...rest] = testIds as [
    number,
    number,
    number,
    ...number[],
  ];
  const start = new Date(Date.UTC(2026, 8, 1, 8));
  await seedCompletions(store, listTestId, studentIds, 500, start);
  await seedCompletions(store, exportTestId, studentIds, 2000, start);
  const remaining = seedCounts.completions - 2500;
  const perTest = Math.floor(remaining / (rest.length + 1));
  for (const testId of [submitTestId, ...rest])
    await seedCompletions(store, testId, studentIds, perTest, start);

  const submitTest = await store.db.select().from(tests).where(eq(tests.id, submitTestId)).get();
  await store.close();
  return {
    teacherEmail,
    studentEmail: "student0@bench.example",
    submitTest: { id: submitTestId, publicUuid: submitTest?.publicUuid ?? "" },
    listTest: { id: listTestId, completions: 500 },
    exportTest: { id: exportTestId, completions: 2000 },
  };
}
