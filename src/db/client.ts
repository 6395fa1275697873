import type { Client } from "@libsql/client";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { type BusyRetryOptions, defaultBusyRetry, retryWhileBusy } from "./busy-retry";
import * as schema from "./schema";
import { createSerialLock } from "./serial-lock";

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either the database or an open transaction: what a query function runs on. */
export type Queryable = Db | Tx;
/** Queries for {@link Store.batch} and {@link Store.readBatch}: built on `store.db`, run in order. */
export type BatchQueries = Readonly<[BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]>;

export interface Store {
  /** For reads; each query runs on its own and sees only committed data. */
  db: Db;
  /**
   * Runs the writes of one request as one all-or-nothing unit; resolves once it is committed,
   * rejects with the work's own error (and leaves nothing behind) if it fails.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs the queries in order as one all-or-nothing unit, like `transaction`, in one call: one
   * round trip to a remote database, where `transaction` pays one per statement.
   */
  batch<T extends BatchQueries>(queries: T): Promise<BatchResponse<T>>;
  /** Runs read-only queries in one call (one round trip), all seeing the same committed data. */
  readBatch<T extends BatchQueries>(queries: T): Promise<BatchResponse<T>>;
}

/**
 * A store over `@libsql/client`: Turso and the Worker, or an in-memory database (an embedded
 * file gets the group-commit store, see node-database.ts). Embedded libSQL refuses concurrent
 * write transactions with SQLITE_BUSY, and a busy timeout would block the event loop, so there
 * transactions and batches queue behind one lock; a remote server serializes a batch itself.
 * There a batch that waited too long for the write lock (SQLITE_BUSY: on a busy server, a queue
 * of other requests' batches) ran as BEGIN … COMMIT, or ROLLBACK, in one call and committed
 * nothing, so it is tried again within `busyRetry`'s budget before the error reaches the caller.
 */
export function createStore(client: Client, busyRetry: BusyRetryOptions = defaultBusyRetry): Store {
  const db = drizzle(client, { schema });
  const lock = createSerialLock();
  const local = client.protocol === "file";
  const batch = <T extends BatchQueries>(queries: T) =>
    local ? lock(() => db.batch(queries)) : retryWhileBusy(() => db.batch(queries), busyRetry);
  return {
    db,
    transaction: (work) => lock(() => db.transaction(work)),
    batch,
    readBatch: batch,
  };
}
