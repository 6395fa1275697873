import { LibsqlError } from "@libsql/client";
import type { BatchResponse } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/libsql";
import type { BatchQueries, Db, Store, Tx } from "./client";
import { NativeClient, ownTransactions, savepointTransactions } from "./native-client";
import type { PreparedConnection } from "./prepared-connection";
import * as schema from "./schema";

export interface GroupCommitOptions {
  /** The most requests one commit takes; more wait for the next. */
  maxGroupSize: number;
  /** How long to keep retrying, without blocking, while another process holds the write lock. */
  busyRetryMs: number;
}

/** Transactions and batches committed, and the commits that took them. */
export interface WriteStats {
  units: number;
  commits: number;
}

interface Member {
  run(db: Db): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Its work was already lost once with a group that failed as a whole. */
  lostBefore: boolean;
}

const defaults: GroupCommitOptions = { maxGroupSize: 128, busyRetryMs: 5000 };

/**
 * The embedded database's store. Reads run on a connection of their own, which (WAL) sees only
 * committed data. Writes run on one writer connection, where the transactions and batches that
 * requests submit while it is busy are committed together: one `BEGIN IMMEDIATE … COMMIT`, so one
 * sync to disk, for the group, each request's work inside its own savepoint so that a failing
 * one rolls back alone and gets its own error. A request's promise settles after its group
 * committed. If an error ends the whole transaction (a full disk does), the other requests of the
 * group run again once in the next one.
 */
export class GroupCommitStore implements Store {
  readonly db: Db;
  readonly stats: WriteStats = { units: 0, commits: 0 };
  readonly #writer: PreparedConnection;
  readonly #reader: PreparedConnection;
  readonly #options: GroupCommitOptions;
  /** Drizzle over the writer, where each transaction or batch is a savepoint in the group's. */
  readonly #memberDb: Db;
  readonly #queue: Member[] = [];
  #drained: Promise<void> = Promise.resolve();
  #draining = false;
  #closed = false;

  constructor(
    connections: { reader: PreparedConnection; writer: PreparedConnection },
    options: Partial<GroupCommitOptions> = {},
  ) {
    this.#reader = connections.reader;
    this.#writer = connections.writer;
    this.#options = { ...defaults, ...options };
    this.db = drizzle(new NativeClient(this.#reader, ownTransactions), { schema });
    this.#memberDb = drizzle(new NativeClient(this.#writer, savepointTransactions), { schema });
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#submit((db) => db.transaction(work));
  }

  batch<T extends BatchQueries>(queries: T): Promise<BatchResponse<T>> {
    return this.#submit((db) => db.batch(queries));
  }

  /** On the reader, in one read transaction (one snapshot), run start to end without a pause. */
  readBatch<T extends BatchQueries>(queries: T): Promise<BatchResponse<T>> {
    return this.db.batch(queries);
  }

  /** Commits what was submitted, then closes both connections; later work is refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#drained;
    this.#reader.close();
    this.#writer.close();
  }

  #submit<T>(run: (db: Db) => Promise<T>): Promise<T> {
    if (this.#closed)
      return Promise.reject(new LibsqlError("The store is closed", "CLIENT_CLOSED"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
        lostBefore: false,
      });
      if (this.#draining) return;
      this.#draining = true;
      // One turn of the event loop later, so the requests being handled in this turn join the group.
      this.#drained = new Promise((done) => setImmediate(() => this.#drain().then(done)));
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#options.maxGroupSize);
      try {
        this.#queue.unshift(...(await this.#commit(group)));
      } catch (error) {
        // The connection failed under the group (even ROLLBACK did): none of it is committed.
        for (const member of group) member.reject(error);
      }
    }
    this.#draining = false;
  }

  /**
   * Runs and commits one group; returns the members to run in the next: work lost with it, or
   * not run. Failures are reported after the commit too, so that a failed request that reads
   * next (a retry that lost a race for a unique key) sees what its neighbours committed.
   */
  async #commit(group: Member[]): Promise<Member[]> {
    try {
      await this.#begin();
    } catch (error) {
      for (const member of group) member.reject(error);
      return [];
    }
    const done: { member: Member; value: unknown }[] = [];
    const failed: { member: Member; error: unknown }[] = [];
    const reportFailures = () => {
      for (const { member, error } of failed) member.reject(error);
    };
    for (const [index, member] of group.entries()) {
      let failure: unknown;
      try {
        done.push({ member, value: await member.run(this.#memberDb) });
      } catch (error) {
        failure = error;
        failed.push({ member, error });
      }
      if (!this.#writer.inTransaction) {
        reportFailures();
        return [...lostWith(done, failure ?? endedByWork()), ...group.slice(index + 1)];
      }
    }
    try {
      this.#writer.execute("COMMIT");
    } catch (error) {
      if (this.#writer.inTransaction) this.#writer.execute("ROLLBACK");
      reportFailures();
      return lostWith(done, error);
    }
    this.stats.commits += 1;
    this.stats.units += done.length;
    for (const { member, value } of done) member.resolve(value);
    reportFailures();
    return [];
  }

  async #begin(): Promise<void> {
    const deadline = performance.now() + this.#options.busyRetryMs;
    for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, 50)) {
      try {
        this.#writer.execute("BEGIN IMMEDIATE");
        return;
      } catch (error) {
        const busy = error instanceof LibsqlError && error.code === "SQLITE_BUSY";
        if (!busy || performance.now() + waitMs > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}

const endedByWork = () =>
  new LibsqlError("A request's work ended the group's transaction", "TRANSACTION_CLOSED");

/** Members whose committed-looking work a failed group took with it: once runs again, twice fails. */
function lostWith(done: { member: Member }[], error: unknown): Member[] {
  const again: Member[] = [];
  for (const { member } of done) {
    if (member.lostBefore) {
      member.reject(error);
    } else {
      member.lostBefore = true;
      again.push(member);
    }
  }
  return again;
}
