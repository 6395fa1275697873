import {
  type InArgs,
  type InStatement,
  type InValue,
  LibsqlError,
  type ResultSet,
  type Row,
} from "@libsql/client";
import Database from "libsql";

interface CachedStatement {
  statement: Database.Statement;
  /** Column names and declared types of a statement that returns rows; undefined if it returns none. */
  columns: { names: string[]; types: string[] } | undefined;
  /** Where each distinct column name is read from, so rows can be read by name too. */
  named: [index: number, name: string][];
}

/**
 * One connection to an embedded libSQL file that prepares each distinct SQL text once and re-runs
 * it: `@libsql/client` prepares and describes every statement anew, which costs several times
 * what running a point lookup does. The cache keeps the most recently used statements.
 */
export class PreparedConnection {
  readonly #database: Database.Database;
  readonly #statements = new Map<string, CachedStatement>();

  constructor(
    path: string,
    readonly maxStatements = 256,
  ) {
    this.#database = new Database(path);
  }

  get isOpen(): boolean {
    return this.#database.open;
  }

  get inTransaction(): boolean {
    return this.#database.open && this.#database.inTransaction;
  }

  get cachedStatements(): number {
    return this.#statements.size;
  }

  /** Runs one statement (any `?` arguments bound in order, or named ones) and returns its result. */
  execute(statement: InStatement | string): ResultSet {
    const { sql, args } =
      typeof statement === "string" ? { sql: statement, args: undefined } : statement;
    const bound = bindable(args);
    try {
      const cached = this.#prepared(sql);
      if (!cached.columns) {
        const info = cached.statement.run(bound);
        return new NativeResultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
      }
      const rows = cached.statement.all(bound) as unknown[][];
      for (const row of rows) {
        for (const [index, name] of cached.named)
          (row as unknown as Row)[name] = row[index] as never;
      }
      const { names, types } = cached.columns;
      return new NativeResultSet(names, types, rows as unknown as Row[], 0, undefined);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  /** Runs several `;`-separated statements (pragmas, transaction control) without caching them. */
  exec(sql: string): void {
    try {
      this.#checkOpen();
      this.#database.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.#database.open) this.#database.close();
  }

  #prepared(sql: string): CachedStatement {
    const hit = this.#statements.get(sql);
    if (hit) {
      // Map order is insertion order: moving a hit to the end keeps the least recently used first.
      this.#statements.delete(sql);
      this.#statements.set(sql, hit);
      return hit;
    }
    this.#checkOpen();
    const statement = this.#database.prepare(sql);
    const returnsRows = statement.reader;
    if (returnsRows) statement.raw(true);
    const definitions = returnsRows ? statement.columns() : [];
    const names = definitions.map((column) => column.name);
    const cached: CachedStatement = {
      statement,
      columns: returnsRows
        ? { names, types: definitions.map((column) => column.type ?? "") }
        : undefined,
      named: readableNames(names),
    };
    if (this.#statements.size >= this.maxStatements) {
      this.#statements.delete(this.#statements.keys().next().value as string);
    }
    this.#statements.set(sql, cached);
    return cached;
  }

  #checkOpen(): void {
    if (!this.#database.open) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
  }
}

/**
 * Rows are arrays (drizzle reads typed selects by position) that also carry each column under its
 * name, first occurrence winning, as `@libsql/client` rows do. Names that look like array indexes
 * (`select 1`) are left out so they can't overwrite a position.
 */
function readableNames(names: string[]): [number, string][] {
  const seen = new Set<string>();
  const named: [number, string][] = [];
  names.forEach((name, index) => {
    if (seen.has(name) || name === "length" || /^(0|[1-9]\d*)$/.test(name)) return;
    seen.add(name);
    named.push([index, name]);
  });
  return named;
}

/** Arguments as the native driver binds them, converted the way `@libsql/client` converts them. */
function bindable(args: InArgs | undefined) {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toSqlValue);
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [name.replace(/^[@$:]/, ""), toSqlValue(value)]),
  );
}

function toSqlValue(value: InValue): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value === undefined)
    throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

class NativeResultSet implements ResultSet {
  constructor(
    readonly columns: string[],
    readonly columnTypes: string[],
    readonly rows: Row[],
    readonly rowsAffected: number,
    readonly lastInsertRowid: bigint | undefined,
  ) {}

  toJSON() {
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((row) => Array.prototype.slice.call(row)),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: this.lastInsertRowid === undefined ? null : String(this.lastInsertRowid),
    };
  }
}

/** SQLite's primary result codes, by number: the `code` of a `LibsqlError`. */
const primaryCodes = [
  "SQLITE_OK",
  "SQLITE_ERROR",
  "SQLITE_INTERNAL",
  "SQLITE_PERM",
  "SQLITE_ABORT",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_INTERRUPT",
  "SQLITE_IOERR",
  "SQLITE_CORRUPT",
  "SQLITE_NOTFOUND",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
  "SQLITE_EMPTY",
  "SQLITE_SCHEMA",
  "SQLITE_TOOBIG",
  "SQLITE_CONSTRAINT",
  "SQLITE_MISMATCH",
  "SQLITE_MISUSE",
  "SQLITE_NOLFS",
  "SQLITE_AUTH",
  "SQLITE_FORMAT",
  "SQLITE_RANGE",
  "SQLITE_NOTADB",
  "SQLITE_NOTICE",
  "SQLITE_WARNING",
];

/** The driver's errors as the `LibsqlError`s `@libsql/client` throws, so callers see one kind. */
function toLibsqlError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const { code, rawCode } = error as typeof error & { rawCode?: number };
  const primary = rawCode === undefined ? "SQLITE_UNKNOWN" : (primaryCodes[rawCode & 0xff] ?? code);
  return new LibsqlError(error.message, primary, code, rawCode, error);
}
