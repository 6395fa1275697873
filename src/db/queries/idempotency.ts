import { and, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Queryable } from "../client";
import { idempotencyKeys } from "../schema";

/** How long a key is remembered: a client retrying later than this is making a new request. */
export const idempotencyKeyLifetimeMs = 24 * 60 * 60 * 1000;

/** The live entry for a user's key, if any. */
export function selectIdempotencyKey(db: Queryable, userId: number, key: string, now: Date) {
  return db
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        gte(idempotencyKeys.createdAt, new Date(now.getTime() - idempotencyKeyLifetimeMs)),
      ),
    );
}

export async function findIdempotencyKey(db: Queryable, userId: number, key: string, now: Date) {
  return (await selectIdempotencyKey(db, userId, key, now))[0];
}

/** Statements that remember a key for a completion (and forget keys past their lifetime). */
export function rememberIdempotencyKey(
  db: Queryable,
  entry: {
    userId: number;
    key: string;
    requestHash: string;
    completionId: number | SQL<number>;
    createdAt: Date;
  },
) {
  return [
    db
      .delete(idempotencyKeys)
      .where(
        lt(
          idempotencyKeys.createdAt,
          new Date(entry.createdAt.getTime() - idempotencyKeyLifetimeMs),
        ),
      ),
    db.insert(idempotencyKeys).values(entry),
  ] as const;
}
