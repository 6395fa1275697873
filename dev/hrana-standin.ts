/**
 * A stand-in for sqld/Turso, for `npm run dev` and the Workers tests only: it speaks the part of
 * Hrana over HTTP that `@libsql/client/web` uses (`POST /v2/pipeline`) over a local libSQL file.
 * It is a test double, not a server to deploy: one connection, transactions serialized.
 *
 *   npx tsx dev/hrana-standin.ts --db data/testit.db --port 8080
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { parseArgs } from "node:util";
import Database from "libsql";

type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

type Condition =
  | { type: "ok"; step: number }
  | { type: "error"; step: number }
  | { type: "not"; cond: Condition }
  | { type: "and"; conds: Condition[] }
  | { type: "or"; conds: Condition[] }
  | { type: "is_autocommit" };

type HranaRequest =
  | { type: "execute"; stmt: HranaStmt }
  | { type: "batch"; batch: { steps: { condition?: Condition | null; stmt: HranaStmt }[] } }
  | { type: "sequence"; sql?: string; sql_id?: number }
  | { type: "describe"; sql?: string; sql_id?: number }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number }
  | { type: "get_autocommit" }
  | { type: "close" };

class HranaError extends Error {
  constructor(
    message: string,
    readonly code = "SQLITE_ERROR",
  ) {
    super(message);
  }
}

function toJsValue(value: HranaValue): unknown {
  switch (value.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "float":
      return value.value;
    case "text":
      return value.value;
    case "blob":
      return Buffer.from(value.base64, "base64");
  }
}

function toHranaValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? { type: "integer", value: String(value) }
      : { type: "float", value };
  }
  if (typeof value === "string") return { type: "text", value };
  if (value instanceof Uint8Array)
    return { type: "blob", base64: Buffer.from(value).toString("base64") };
  return { type: "text", value: String(value) };
}

interface Stream {
  sql: Map<number, string>;
  lastUsed: number;
}

/** The stand-in's state: one connection; the stream inside a transaction owns it until it ends. */
class StandIn {
  readonly #db: Database.Database;
  readonly #streams = new Map<string, Stream>();
  #owner: string | undefined;
  #waiting: (() => void)[] = [];
  #nextBaton = 1;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
  }

  close() {
    this.#db.close();
  }

  async pipeline(body: { baton: string | null; requests: HranaRequest[] }) {
    let baton = body.baton ?? `stream-${this.#nextBaton++}`;
    if (body.baton && !this.#streams.has(body.baton))
      throw new HranaError("Unknown baton", "STREAM_EXPIRED");
    const stream = this.#streams.get(baton) ?? { sql: new Map(), lastUsed: Date.now() };
    this.#streams.set(baton, stream);
    await this.#acquire(baton);
    const results = body.requests.map((request) => {
      try {
        return { type: "ok", response: this.#handle(stream, request) };
      } catch (error) {
        const { message, code } = error as { message: string; code?: string };
        return { type: "error", error: { message, code: code ?? "SQLITE_ERROR" } };
      }
    });
    stream.lastUsed = Date.now();
    const closed = body.requests.some((request) => request.type === "close");
    if (closed && this.#db.inTransaction) this.#db.exec("ROLLBACK");
    if (closed) this.#streams.delete(baton);
    this.#release(baton);
    if (closed) baton = null as unknown as string;
    return { baton: closed ? null : baton, base_url: null, results };
  }

  /** Rolls back a transaction whose stream went quiet, so one lost client cannot block the rest. */
  expireAbandoned(maxIdleMs: number) {
    const owner = this.#owner;
    const stream = owner ? this.#streams.get(owner) : undefined;
    if (owner && stream && Date.now() - stream.lastUsed > maxIdleMs) {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
      this.#streams.delete(owner);
      this.#owner = undefined;
      this.#wakeNext();
    }
  }

  async #acquire(baton: string) {
    while (this.#owner !== undefined && this.#owner !== baton) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  /** A stream keeps the connection while its transaction is open. */
  #release(baton: string) {
    if (this.#db.inTransaction) {
      this.#owner = baton;
      return;
    }
    if (this.#owner === baton || this.#owner === undefined) {
      this.#owner = undefined;
      this.#wakeNext();
    }
  }

  #wakeNext() {
    const waiters = this.#waiting;
    this.#waiting = [];
    for (const wake of waiters) wake();
  }

  #handle(stream: Stream, request: HranaRequest): object {
    switch (request.type) {
      case "execute":
        return { type: "execute", result: this.#execute(stream, request.stmt) };
      case "batch":
        return { type: "batch", result: this.#batch(stream, request.batch.steps) };
      case "sequence":
        this.#db.exec(this.#sqlOf(stream, request));
        return { type: "sequence" };
      case "describe": {
        const statement = this.#db.prepare(this.#sqlOf(stream, request));
        return {
          type: "describe",
          result: {
            params: [],
            cols: statement.reader
              ? statement.columns().map((col) => ({ name: col.name, decltype: col.type }))
              : [],
            is_explain: false,
            is_readonly: statement.readonly,
          },
        };
      }
      case "store_sql":
        stream.sql.set(request.sql_id, request.sql);
        return { type: "store_sql" };
      case "close_sql":
        stream.sql.delete(request.sql_id);
        return { type: "close_sql" };
      case "get_autocommit":
        return { type: "get_autocommit", is_autocommit: !this.#db.inTransaction };
      case "close":
        return { type: "close" };
    }
  }

  #sqlOf(
    stream: Stream,
    source: { sql?: string | undefined; sql_id?: number | undefined },
  ): string {
    const sql =
      source.sql ?? (source.sql_id === undefined ? undefined : stream.sql.get(source.sql_id));
    if (sql === undefined) throw new HranaError("Statement has no SQL");
    return sql;
  }

  #execute(stream: Stream, stmt: HranaStmt) {
    const statement = this.#db.prepare(this.#sqlOf(stream, stmt));
    statement.safeIntegers(true);
    const named = Object.fromEntries(
      (stmt.named_args ?? []).map(({ name, value }) => [
        name.replace(/^[:@$]/, ""),
        toJsValue(value),
      ]),
    );
    const params: unknown[] = [
      ...(stmt.args ?? []).map(toJsValue),
      ...(stmt.named_args?.length ? [named] : []),
    ];
    if (statement.reader) {
      const rows = statement.raw(true).all(...params) as unknown[][];
      return {
        cols: statement.columns().map((col) => ({ name: col.name, decltype: col.type })),
        rows: stmt.want_rows === false ? [] : rows.map((row) => row.map(toHranaValue)),
        affected_row_count: 0,
        last_insert_rowid: null,
        rows_read: rows.length,
        rows_written: 0,
      };
    }
    const info = statement.run(...params);
    return {
      cols: [],
      rows: [],
      affected_row_count: Number(info.changes),
      last_insert_rowid: String(info.lastInsertRowid),
      rows_read: 0,
      rows_written: Number(info.changes),
    };
  }

  #batch(stream: Stream, steps: { condition?: Condition | null; stmt: HranaStmt }[]) {
    const stepResults: (object | null)[] = [];
    const stepErrors: ({ message: string; code: string } | null)[] = [];
    const holds = (condition: Condition): boolean => {
      switch (condition.type) {
        case "ok":
          return stepResults[condition.step] != null;
        case "error":
          return stepErrors[condition.step] != null;
        case "not":
          return !holds(condition.cond);
        case "and":
          return condition.conds.every(holds);
        case "or":
          return condition.conds.some(holds);
        case "is_autocommit":
          return !this.#db.inTransaction;
      }
    };
    for (const step of steps) {
      if (step.condition && !holds(step.condition)) {
        stepResults.push(null);
        stepErrors.push(null);
        continue;
      }
      try {
        stepResults.push(this.#execute(stream, step.stmt));
        stepErrors.push(null);
      } catch (error) {
        const { message, code } = error as { message: string; code?: string };
        stepResults.push(null);
        stepErrors.push({ message, code: code ?? "SQLITE_ERROR" });
      }
    }
    return { step_results: stepResults, step_errors: stepErrors };
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

export interface RunningStandIn {
  url: string;
  close(): Promise<void>;
}

/** Serves the stand-in on loopback; port 0 picks a free one. */
export async function startHranaStandIn(options: {
  path: string;
  port?: number;
  host?: string;
}): Promise<RunningStandIn> {
  const standIn = new StandIn(options.path);
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.method !== "POST" || request.url !== "/v2/pipeline")
      return reply(404, { error: "not found" });
    readJson(request)
      .then((body) => standIn.pipeline(body as { baton: string | null; requests: HranaRequest[] }))
      .then((body) => reply(200, body))
      .catch((error: unknown) => reply(400, { message: String(error) }));
  });
  const expiry = setInterval(() => standIn.expireAbandoned(15_000), 1000);
  expiry.unref();
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        clearInterval(expiry);
        server.closeAllConnections();
        server.close(() => {
          standIn.close();
          resolve();
        });
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { db: { type: "string" }, port: { type: "string", default: "8080" } },
  });
  if (!values.db) throw new Error("usage: tsx dev/hrana-standin.ts --db <file> [--port 8080]");
  const running = await startHranaStandIn({ path: values.db, port: Number(values.port) });
  console.log(
    JSON.stringify({ message: "hrana stand-in listening", url: running.url, db: values.db }),
  );
}
