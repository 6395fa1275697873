/**
 * SQLite results that say the database can't serve the request right now (a full disk, an I/O
 * error, the write lock held too long by another process), not that the request is wrong.
 */
const unavailableCodes = new Set([
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_NOMEM",
  // A remote database (Turso, sqld) that answered with an HTTP error (a gateway's 502, an
  // overloaded server's 503) or whose connection closed under the request.
  "SERVER_ERROR",
  "HRANA_CLOSED_ERROR",
  "HRANA_WEBSOCKET_ERROR",
]);

/**
 * The code of a libSQL error (`LibsqlError`, local or remote), or of the one it wraps (drizzle
 * reports a failed query as a `DrizzleQueryError` caused by it).
 */
function sqliteCodeOf(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code } = cause as Error & { code?: unknown };
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * Whether a remote database could not be reached at all: Node's fetch (undici) rejects with a
 * `TypeError("fetch failed")` that libSQL passes on unwrapped (drizzle wraps it once more).
 */
function isUnreachable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause)
    if (cause instanceof TypeError && cause.message === "fetch failed") return true;
  return false;
}

/** Whether the error is a libSQL error of one of those kinds, or wraps one. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = sqliteCodeOf(error);
  return (code !== undefined && unavailableCodes.has(code)) || isUnreachable(error);
}

/** Whether the statement gave up waiting for the write lock that another connection held. */
export function isWriteLockBusy(error: unknown): boolean {
  return sqliteCodeOf(error) === "SQLITE_BUSY";
}

/** A UNIQUE (or other) constraint refused a write: another request stored the same first. */
export function isConstraintViolation(error: unknown): boolean {
  return sqliteCodeOf(error)?.startsWith("SQLITE_CONSTRAINT") ?? false;
}
