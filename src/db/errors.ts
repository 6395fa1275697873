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
]);

/**
 * Whether the error is a libSQL error (`LibsqlError`, local or remote) of that kind, or wraps one
 * (drizzle reports a failed query as a `DrizzleQueryError` caused by it).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code } = cause as Error & { code?: unknown };
    if (typeof code === "string") return unavailableCodes.has(code);
  }
  return false;
}
