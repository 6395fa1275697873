import { and, eq, gte, lt } from "drizzle-orm";
import type { Queryable, Tx } from "../client";
import { idempotencyKeys } from "../schema";

/** How long a key is remembered: a client retrying later than this is making a new request. */
export const idempotencyKeyLifetimeMs = 24 * 60 * 60 * 1000;

/** The live entry for a user's key, if any. */
export async function findIdempotencyKey(db: Queryable, userId: number, key: string, now: Date) {
  return db
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.userId, userId),
        eq(idempotencyKeys.key, key),
        gte(idempotencyKeys.createdAt, new Date(now.getTime() - idempotencyKeyLifetimeMs)),
      ),
    )
    .get();
}

export async function rememberIdempotencyKey(
  tx: Tx,
  entry: {
    userId: number;
    key: string;
    requestHash: string;
    completionId: number;
    createdAt: Date;
  },
) {
  await tx
    .delete(idempotencyKeys)
    .where(
      lt(idempotencyKeys.createdAt, new Date(entry.createdAt.getTime() - idempotencyKeyLifetimeMs)),
    );
  await tx.insert(idempotencyKeys).values(entry);
}
