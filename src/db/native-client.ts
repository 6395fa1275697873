import {
  type Client,
  type InArgs,
  type InStatement,
  LibsqlError,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";
import type { PreparedConnection } from "./prepared-connection";

/** How the transactions and batches of a client begin and end on its connection. */
export interface TransactionScope {
  begin(mode: TransactionMode): string;
  commit: string;
  /** Run only while the connection is still in a transaction (some errors end it themselves). */
  rollback: string;
}

const beginStatements: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

/** Transactions of their own: BEGIN … COMMIT. */
export const ownTransactions: TransactionScope = {
  begin: (mode) => beginStatements[mode],
  commit: "COMMIT",
  rollback: "ROLLBACK",
};

/** Transactions nested in one the connection's owner opened: a savepoint each. */
export const savepointTransactions: TransactionScope = {
  begin: () => "SAVEPOINT request",
  commit: "RELEASE request",
  rollback: "ROLLBACK TO request; RELEASE request",
};

type BatchStatement = InStatement | [string, InArgs?];

const toStatement = (statement: BatchStatement): InStatement =>
  Array.isArray(statement) ? { sql: statement[0], args: statement[1] ?? [] } : statement;

/**
 * `@libsql/client`'s `Client` over one {@link PreparedConnection}, so drizzle-orm/libsql runs on
 * the embedded file with prepared statements; its transactions are whole ones or savepoints,
 * as `scope` says.
 */
export class NativeClient implements Client {
  readonly protocol = "file";

  constructor(
    private readonly connection: PreparedConnection,
    private readonly scope: TransactionScope,
  ) {}

  get closed(): boolean {
    return !this.connection.isOpen;
  }

  async execute(statement: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return this.connection.execute(
      typeof statement === "string" ? { sql: statement, args: args ?? [] } : statement,
    );
  }

  async batch(statements: BatchStatement[], mode: TransactionMode = "deferred") {
    return this.#inTransaction(mode, () =>
      statements.map((statement) => this.connection.execute(toStatement(statement))),
    );
  }

  /** A batch with foreign keys off, as schema changes that rebuild tables need. */
  async migrate(statements: InStatement[]) {
    if (this.scope !== ownTransactions)
      throw new LibsqlError("Migrations need a connection of their own", "TRANSACTION_ACTIVE");
    this.connection.exec("PRAGMA foreign_keys = OFF");
    try {
      return await this.batch(statements);
    } finally {
      this.connection.exec("PRAGMA foreign_keys = ON");
    }
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    this.connection.exec(this.scope.begin(mode));
    return new NativeTransaction(this.connection, this.scope);
  }

  async executeMultiple(sql: string): Promise<void> {
    this.connection.exec(sql);
  }

  async sync(): Promise<never> {
    throw new LibsqlError("An embedded database has no replica to sync", "SYNC_NOT_SUPPORTED");
  }

  reconnect(): never {
    throw new LibsqlError("An embedded connection is opened once", "RECONNECT_NOT_SUPPORTED");
  }

  close(): void {
    this.connection.close();
  }

  #inTransaction<T>(mode: TransactionMode, work: () => T): T {
    this.connection.exec(this.scope.begin(mode));
    try {
      const result = work();
      this.connection.exec(this.scope.commit);
      return result;
    } catch (error) {
      if (this.connection.inTransaction) this.connection.exec(this.scope.rollback);
      throw error;
    }
  }
}

/** An open transaction (or savepoint) on the connection; unusable once committed or rolled back. */
class NativeTransaction implements Transaction {
  #settled = false;

  constructor(
    private readonly connection: PreparedConnection,
    private readonly scope: TransactionScope,
  ) {}

  get closed(): boolean {
    return this.#settled || !this.connection.inTransaction;
  }

  async execute(statement: InStatement | string): Promise<ResultSet> {
    this.#checkOpen();
    return this.connection.execute(statement);
  }

  async batch(statements: InStatement[]): Promise<ResultSet[]> {
    this.#checkOpen();
    return statements.map((statement) => this.connection.execute(statement));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.#checkOpen();
    this.connection.exec(sql);
  }

  async commit(): Promise<void> {
    this.#checkOpen();
    this.#settled = true;
    this.connection.exec(this.scope.commit);
  }

  async rollback(): Promise<void> {
    this.close();
  }

  close(): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.connection.inTransaction) this.connection.exec(this.scope.rollback);
  }

  #checkOpen(): void {
    if (this.closed) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
  }
}
