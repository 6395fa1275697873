import {
  and,
  count,
  desc,
  eq,
  exists,
  inArray,
  isNull,
  max,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import type { AttemptState, NewAttempt } from "../../domain/attempts";
import type { Queryable } from "../client";
import { attempts, completions, tests } from "../schema";

/**
 * A student's attempts at the test of a link, as queries for the batch that reads the test: the
 * latest attempt (and whether a completion submitted it), and the completions stored before
 * attempts were counted.
 */
export function attemptStateQueries(db: Queryable, publicUuid: string, userId: number) {
  const testOfLink = db
    .select({ id: tests.id })
    .from(tests)
    .where(eq(tests.publicUuid, publicUuid));
  const submission = db
    .select({ id: completions.id })
    .from(completions)
    .where(
      and(
        eq(completions.userId, attempts.userId),
        eq(completions.testId, attempts.testId),
        eq(completions.attempt, attempts.number),
      ),
    );
  return [
    db
      .select({
        number: attempts.number,
        startedAt: attempts.startedAt,
        submitted: sql<boolean>`${exists(submission)}`.mapWith(Boolean),
      })
      .from(attempts)
      .where(and(eq(attempts.userId, userId), inArray(attempts.testId, testOfLink)))
      .orderBy(desc(attempts.number))
      .limit(1),
    uncountedCompletions(db, userId, testOfLink),
  ] as const;
}

/** How many of the student's completions of the test(s) were stored before attempts were counted. */
function uncountedCompletions(db: Queryable, userId: number, testIds: number[] | SQLWrapper) {
  return db
    .select({ total: count() })
    .from(completions)
    .where(
      and(
        eq(completions.userId, userId),
        inArray(completions.testId, testIds),
        isNull(completions.attempt),
      ),
    );
}

export type AttemptStateRows = readonly [
  { number: number; startedAt: Date; submitted: boolean }[],
  { total: number }[],
];

export function attemptStateFromRows([latestRows, uncounted]: AttemptStateRows): AttemptState {
  const latest = latestRows[0];
  return {
    used: latest?.number ?? uncounted[0]?.total ?? 0,
    latest,
  };
}

/** Reads the attempt state on its own (after a write lost a race, to decide again). */
export async function readAttemptState(
  db: Queryable,
  publicUuid: string,
  userId: number,
): Promise<AttemptState> {
  const [latest, uncounted] = attemptStateQueries(db, publicUuid, userId);
  return attemptStateFromRows([await latest, await uncounted]);
}

/** Stores a new attempt; fails on the unique number if another request stored it first. */
export function insertAttempt(
  db: Queryable,
  attempt: Omit<NewAttempt, "number"> & {
    number: number | SQL<number>;
    userId: number;
    testId: number;
  },
) {
  return db.insert(attempts).values(attempt);
}

/**
 * The student's next attempt number, computed inside the write that stores it: concurrent
 * submissions to a test without an attempt limit each get their own number, none has to retry.
 */
export function nextAttemptNumber(db: Queryable, userId: number, testId: number): SQL<number> {
  const uncounted = uncountedCompletions(db, userId, [testId]);
  const highest = db
    .select({ number: max(attempts.number) })
    .from(attempts)
    .where(and(eq(attempts.userId, userId), eq(attempts.testId, testId)));
  return sql<number>`(coalesce((${highest}), (${uncounted})) + 1)`;
}
