import type { Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";
import { createSerialLock } from "./serial-lock";

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Either the database or an open transaction: what a query function runs on. */
export type Queryable = Db | Tx;

export interface Store {
  /** For reads; each query runs on its own (autocommit). */
  db: Db;
  /** Runs every write of one request in one transaction, one writer at a time. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/**
 * Embedded libSQL refuses concurrent write transactions with SQLITE_BUSY, and a busy timeout
 * would block the event loop, so writers queue behind one lock instead.
 */
export function createStore(client: Client): Store {
  const db = drizzle(client, { schema });
  const lock = createSerialLock();
  return {
    db,
    transaction: (work) => lock(() => db.transaction(work)),
  };
}
