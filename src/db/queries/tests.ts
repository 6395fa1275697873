import { and, asc, eq, exists, inArray, ne, or, type SQLWrapper, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../client";
import {
  completions,
  groupMembers,
  groups,
  questions,
  testGroups,
  tests,
  variants,
} from "../schema";
import { chunksForInsert } from "./chunks";
import { groupBy } from "./group-by";
import type { GroupRow } from "./groups";
import { type Page, type PageOf, pageOf, rowsToRead, startingAfter } from "./page";

export type TestRow = typeof tests.$inferSelect;
export type QuestionRow = typeof questions.$inferSelect;
export type VariantRow = typeof variants.$inferSelect;
export type QuestionWithVariants = QuestionRow & { variants: VariantRow[] };
/** A test with everything its views need, questions in (number_in_test, id) order. */
export type TestTree = TestRow & { questions: QuestionWithVariants[]; availableFor: GroupRow[] };

export async function findTest(db: Queryable, id: number): Promise<TestRow | undefined> {
  return db.select().from(tests).where(eq(tests.id, id)).get();
}

export async function findTestByPublicUuid(
  db: Queryable,
  publicUuid: string,
): Promise<TestRow | undefined> {
  return db.select().from(tests).where(eq(tests.publicUuid, publicUuid)).get();
}

export async function isPublicUuidTaken(db: Queryable, publicUuid: string): Promise<boolean> {
  return (await findTestByPublicUuid(db, publicUuid)) !== undefined;
}

/** The questions, variants and groups of the tests whose ids `testIds` lists or selects. */
function testTreeQueries(db: Queryable, testIds: number[] | SQLWrapper) {
  return [
    db
      .select()
      .from(questions)
      .where(inArray(questions.testId, testIds))
      .orderBy(asc(questions.testId), asc(questions.numberInTest), asc(questions.id)),
    db
      .select({ variant: variants })
      .from(variants)
      .innerJoin(questions, eq(variants.questionId, questions.id))
      .where(inArray(questions.testId, testIds))
      .orderBy(asc(variants.questionId), asc(variants.position), asc(variants.id)),
    db
      .select({ testId: testGroups.testId, group: groups })
      .from(testGroups)
      .innerJoin(groups, eq(testGroups.groupId, groups.id))
      .where(inArray(testGroups.testId, testIds))
      .orderBy(asc(groups.id)),
  ] as const;
}

/** A test by id, then its questions, variants and groups: queries for one batch. */
export function testWithTreeQueries(db: Queryable, id: number) {
  return [db.select().from(tests).where(eq(tests.id, id)), ...testTreeQueries(db, [id])] as const;
}

/** What the three tree queries return. */
export type TestTreeRows = [
  QuestionRow[],
  { variant: VariantRow }[],
  { testId: number; group: GroupRow }[],
];

function assembleTestTrees(
  rows: TestRow[],
  [questionRows, variantRows, groupRows]: TestTreeRows,
): TestTree[] {
  const variantsByQuestion = groupBy(
    variantRows.map((row) => row.variant),
    (variant) => variant.questionId,
  );
  const questionsByTest = groupBy(questionRows, (question) => question.testId);
  const groupsByTest = groupBy(groupRows, (row) => row.testId);
  return rows.map((test) => ({
    ...test,
    questions: (questionsByTest.get(test.id) ?? []).map((question) => ({
      ...question,
      variants: variantsByQuestion.get(question.id) ?? [],
    })),
    availableFor: (groupsByTest.get(test.id) ?? []).map((row) => row.group),
  }));
}

/** Loads the questions, variants and groups of many tests in three queries. */
export async function loadTestTrees(db: Queryable, rows: TestRow[]): Promise<TestTree[]> {
  if (rows.length === 0) return [];
  const [questionQuery, variantQuery, groupQuery] = testTreeQueries(
    db,
    rows.map((test) => test.id),
  );
  const treeRows = await Promise.all([questionQuery, variantQuery, groupQuery]);
  return assembleTestTrees(rows, treeRows);
}

export async function loadTestTree(db: Queryable, test: TestRow): Promise<TestTree> {
  return (await loadTestTrees(db, [test]))[0] as TestTree;
}

export async function listTestsOfCreator(
  db: Queryable,
  creatorId: number,
  page: Page = {},
): Promise<PageOf<TestTree>> {
  const rows = await db
    .select()
    .from(tests)
    .where(startingAfter(eq(tests.creatorId, creatorId), tests.id, page))
    .orderBy(asc(tests.id))
    .limit(rowsToRead(page));
  const { items, nextAfterId } = pageOf(rows, page);
  return { items: await loadTestTrees(db, items), nextAfterId };
}

export interface NewQuestion {
  text: string;
  type: QuestionRow["type"];
  points: number;
  numberInTest: number;
  testingCode: string | null;
  strictScore: boolean | null;
  language: string | null;
  variants: { text: string; isCorrect: boolean }[];
}

/** Inserts a test's questions and their variants with a few multi-row statements. */
export async function insertQuestions(
  tx: Tx,
  testId: number,
  newQuestions: NewQuestion[],
): Promise<void> {
  const idByNumber = new Map<number, number>();
  for (const chunk of chunksForInsert(newQuestions, 8)) {
    const inserted = await tx
      .insert(questions)
      .values(chunk.map(({ variants: _variants, ...question }) => ({ ...question, testId })))
      .returning({ id: questions.id, numberInTest: questions.numberInTest });
    // RETURNING order is not guaranteed: match rows by their number, unique within the test.
    for (const row of inserted) idByNumber.set(row.numberInTest, row.id);
  }
  const variantRows = newQuestions.flatMap((question) =>
    question.variants.map((variant, position) => ({
      questionId: idByNumber.get(question.numberInTest) as number,
      text: variant.text,
      isCorrect: variant.isCorrect,
      position,
    })),
  );
  for (const chunk of chunksForInsert(variantRows, 4)) await tx.insert(variants).values(chunk);
}

export async function testHasCompletions(db: Queryable, testId: number): Promise<boolean> {
  const row = await db
    .select({ id: completions.id })
    .from(completions)
    .where(eq(completions.testId, testId))
    .get();
  return row !== undefined;
}

/** A test version a process holds in memory: which test, at which revision. */
export interface TestVersion {
  testId: number;
  revision: number;
}

/**
 * What opening a test by its link needs, as queries for one batch: the test and whether it is
 * open to the student (in one of its groups), then its questions, variants and groups — which
 * come back empty when `known` is still the test's current version, so a cached copy serves.
 */
export function testByLinkQueries(
  db: Queryable,
  publicUuid: string,
  studentId: number,
  known: TestVersion | undefined,
) {
  const byLink = eq(tests.publicUuid, publicUuid);
  const openToStudent = db
    .select({ one: sql`1` })
    .from(testGroups)
    .innerJoin(groupMembers, eq(groupMembers.groupId, testGroups.groupId))
    .where(and(eq(testGroups.testId, tests.id), eq(groupMembers.userId, studentId)));
  const unknownVersion = known
    ? and(byLink, or(ne(tests.id, known.testId), ne(tests.revision, known.revision)))
    : byLink;
  return [
    db
      .select({
        test: tests,
        openToStudent: sql<number>`${exists(openToStudent)}`.mapWith(Boolean),
      })
      .from(tests)
      .where(byLink),
    ...testTreeQueries(db, db.select({ id: tests.id }).from(tests).where(unknownVersion)),
  ] as const;
}

/** The test of a link with its questions and groups, from the rows of `testByLinkQueries`. */
export function testTreeFromRows(test: TestRow, treeRows: TestTreeRows): TestTree {
  return assembleTestTrees([test], treeRows)[0] as TestTree;
}
