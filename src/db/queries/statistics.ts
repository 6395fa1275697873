import {
  and,
  asc,
  count,
  countDistinct,
  eq,
  gt,
  inArray,
  lte,
  max,
  notExists,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import type { BatchResponse } from "drizzle-orm/batch";
import { alias } from "drizzle-orm/sqlite-core";
import {
  type AttemptsMode,
  type CompletionSums,
  type StatisticsQuestion,
  StatisticsReducer,
  type TestStatistics,
} from "../../domain/statistics";
import type { Db, Store } from "../client";
import { answers, answerVariants, completions } from "../schema";
import { nextTurn } from "./completions";

/**
 * Answers summed per page (one batch of statements): about 20 ms of the embedded database's time,
 * which runs on the event loop, and one round trip to a remote one. A class's test fits in one.
 */
const answersPerPage = 20_000;

/** Completions per page: a completion holds at most one answer per question. */
const completionsPerPage = (questions: number) =>
  Math.min(5000, Math.max(100, Math.floor(answersPerPage / Math.max(1, questions))));

/** What the statements of every page share. */
interface Scope {
  testId: number;
  mode: AttemptsMode;
  checkQuestionIds: number[];
  pageSize: number;
  /** The last completion counted: the same for every page, so later submissions never count. */
  throughId: SQL | number;
}

const other = alias(completions, "other");

/** Blank text or code: empty, or only spaces, tabs and line breaks. */
const blank = (column: typeof answers.text | typeof answers.code) =>
  sql`trim(${column}, char(32, 9, 10, 13)) = ''`;

/**
 * What makes `other`, a completion of the same student, count instead of the page's one: being
 * later (`latest`); a higher score, or the same score and being later (`best`). Each condition
 * is one seek in the (test, student, time) or (test, student, score, time) index, ties included.
 */
function outranking(
  mode: Exclude<AttemptsMode, "all">,
  page: { id: SQLWrapper; score: SQLWrapper; createdAt: SQLWrapper },
): (SQL | undefined)[] {
  const later = [
    gt(other.createdAt, page.createdAt),
    and(eq(other.createdAt, page.createdAt), gt(other.id, page.id)),
  ];
  if (mode === "latest") return later;
  const sameScore = eq(other.score, page.score);
  return [gt(other.score, page.score), ...later.map((condition) => and(sameScore, condition))];
}

/**
 * A page of at most `pageSize` of the test's completions after `afterId` (CTE `page`), and those
 * of them that `mode` counts (CTE `selected`).
 */
function pageOfCompletions(db: Db, scope: Scope, afterId: number) {
  const { testId, mode, throughId } = scope;
  const page = db.$with("page").as(
    db
      .select({
        id: completions.id,
        userId: completions.userId,
        score: completions.score,
        createdAt: completions.createdAt,
      })
      .from(completions)
      .where(
        and(
          eq(completions.testId, testId),
          gt(completions.id, afterId),
          lte(completions.id, throughId),
        ),
      )
      .orderBy(asc(completions.id))
      .limit(scope.pageSize),
  );
  const outrankedBy = (condition: SQL | undefined) =>
    notExists(
      db
        .select({ one: sql`1` })
        .from(other)
        .where(
          and(
            eq(other.userId, page.userId),
            eq(other.testId, testId),
            // Unary plus: not a range for an index, so the probe takes the (test, student) ones.
            sql`+${other.id} <= ${throughId}`,
            condition,
          ),
        ),
    );
  const selected = db.$with("selected").as(
    db
      .select({ id: page.id, score: page.score })
      .from(page)
      .where(mode === "all" ? undefined : and(...outranking(mode, page).map(outrankedBy))),
  );
  return { page, selected };
}

/**
 * The statements of one page: its extent, then sums over the completions it selects by score,
 * by question (and radio pick) and by check pick.
 */
function pageQueries(db: Db, scope: Scope, afterId: number) {
  const { page, selected } = pageOfCompletions(db, scope, afterId);
  const extent = db
    .with(page)
    .select({ lastId: max(page.id), completions: count() })
    .from(page);
  const scores = db
    .with(page, selected)
    .select({ score: selected.score, count: count() })
    .from(selected)
    .groupBy(selected.score);
  const hasPicks = sql`exists (select 1 from ${answerVariants} where ${answerVariants.answerId} = ${answers.id})`;
  const answered = sql`case
    when ${answers.pickedVariantId} is not null then 1
    when ${answers.text} is not null then not ${blank(answers.text)}
    when ${answers.code} is not null then not ${blank(answers.code)}
    when ${inArray(answers.questionId, scope.checkQuestionIds)} then ${hasPicks}
    else 0 end`;
  const byQuestion = db
    .with(page, selected)
    .select({
      questionId: answers.questionId,
      pickedVariantId: answers.pickedVariantId,
      answers: count(),
      answered: sql<number>`sum(${answered})`,
      points: sql<number>`total(${answers.points})`,
      pointsSquared: sql<number>`total(${answers.points} * ${answers.points})`,
      pointsTimesScore: sql<number>`total(${answers.points} * ${selected.score})`,
      casesPassed: sql<number>`total(${answers.passed})`,
      casesRun: sql<number>`total(${answers.total})`,
    })
    .from(selected)
    .innerJoin(answers, eq(answers.completionId, selected.id))
    .groupBy(answers.questionId, answers.pickedVariantId);
  const checkPicks = db
    .with(page, selected)
    .select({ variantId: answerVariants.variantId, count: count() })
    .from(selected)
    .innerJoin(
      answers,
      and(
        eq(answers.completionId, selected.id),
        inArray(answers.questionId, scope.checkQuestionIds),
      ),
    )
    .innerJoin(answerVariants, eq(answerVariants.answerId, answers.id))
    .groupBy(answerVariants.variantId);
  return [extent, scores, byQuestion, checkPicks] as const;
}

type PageResults = BatchResponse<ReturnType<typeof pageQueries>>;

function toSums([, scores, byQuestion, checkPicks]: PageResults): CompletionSums {
  const radioPicks = byQuestion.flatMap((row) =>
    row.pickedVariantId === null ? [] : [{ variantId: row.pickedVariantId, count: row.answers }],
  );
  return { scores, questions: byQuestion, picks: [...radioPicks, ...checkPicks] };
}

/** How many students took the test, and its last completion: the end of what is counted. */
const snapshotQuery = (db: Db, testId: number) =>
  db
    .select({ students: countDistinct(completions.userId), lastId: max(completions.id) })
    .from(completions)
    .where(eq(completions.testId, testId));

const lastCompletionIdOf = (testId: number) =>
  sql`(select max(${completions.id}) from ${completions} where ${completions.testId} = ${testId})`;

/**
 * The statistics of a test over the completions that `mode` selects (CONTRACT §10), summed in
 * SQL a page at a time. A page is one batch, consistent in itself; every page stops at the last
 * completion the first one saw, so submissions arriving meanwhile don't count.
 */
export async function loadTestStatistics(
  store: Store,
  test: { id: number; questions: StatisticsQuestion[] },
  mode: AttemptsMode,
): Promise<TestStatistics> {
  const reducer = new StatisticsReducer(test.questions);
  const checkQuestionIds = test.questions.filter((q) => q.type === "check").map((q) => q.id);
  const scope: Scope = {
    testId: test.id,
    mode,
    checkQuestionIds,
    pageSize: completionsPerPage(test.questions.length),
    throughId: lastCompletionIdOf(test.id),
  };
  const { db } = store;
  const [[snapshot], ...first] = await store.readBatch([
    snapshotQuery(db, test.id),
    ...pageQueries(db, scope, 0),
  ]);
  let page: PageResults = first;
  scope.throughId = snapshot?.lastId ?? 0;
  for (;;) {
    reducer.add(toSums(page));
    const [[extent]] = page;
    if (!extent || extent.completions < scope.pageSize || extent.lastId === null) break;
    await nextTurn();
    page = await store.readBatch(pageQueries(db, scope, extent.lastId));
  }
  return reducer.result(snapshot?.students ?? 0);
}
