import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import Database from "libsql";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../dev/free-port";
import { type RoundTripProxy, startRoundTripProxy } from "../dev/round-trip-proxy";
import { type RunningSqld, startSqld } from "../dev/sqld";
import { createStore } from "../src/db/client";
import { isDatabaseUnavailable } from "../src/db/errors";
import { applyMigrations } from "../src/db/node-database";
import { users } from "../src/db/schema";

// The Worker's store over a real sqld (Turso's server), through the proxy that counts round trips.
let folder: string;
let sqld: RunningSqld;
let proxy: RoundTripProxy;
let client: Client;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "testit-busy-retry-"));
  sqld = await startSqld({ dbPath: join(folder, "sqld"), log: "ignore" });
  proxy = await startRoundTripProxy({ target: sqld.url });
  client = createClient({ url: proxy.url });
  await applyMigrations(client);
});

afterAll(async () => {
  client.close();
  await proxy.stop();
  await sqld.stop();
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(async () => {
  await client.execute("DELETE FROM users");
  await fetch(`${proxy.url}/__proxy/reset`, { method: "POST" });
});

const roundTrips = async () =>
  ((await (await fetch(`${proxy.url}/__proxy/round-trips`)).json()) as { count: number }).count;

const person = (email: string) => ({
  email,
  passwordHash: "not a real hash",
  firstName: "Ada",
  lastName: "Lovelace",
});

/**
 * Another process holding sqld's write lock (on its database file) until the returned function
 * is called: sqld's own wait for it gives up with SQLITE_BUSY after about half a second.
 */
function holdWriteLock() {
  const other = new Database(join(folder, "sqld", "dbs", "default", "data"));
  other.exec("BEGIN IMMEDIATE");
  return () => {
    other.exec("ROLLBACK");
    other.close();
  };
}

const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const emails = Array.from({ length: 10 }, (_, i) => `patient${i}@example.com`);

describe("a batch that finds sqld's write lock held", () => {
  it("is tried again once the lock is free, and each commits exactly once", async () => {
    const store = createStore(client, { budgetMs: 30_000 });
    const release = holdWriteLock();
    const writes = Promise.all(
      emails.map((email) =>
        store.batch([store.db.insert(users).values(person(email)).returning({ id: users.id })]),
      ),
    );
    // Longer than sqld waits: every batch has failed with SQLITE_BUSY at least once by now.
    await after(2_000);
    release();
    const results = await writes;
    expect(results.map(([rows]) => rows.length)).toEqual(emails.map(() => 1));
    const stored = await store.db.select({ id: users.id, email: users.email }).from(users);
    expect(stored.map((row) => row.email).sort()).toEqual([...emails].sort());
    expect(results.map(([[row]]) => row?.id).sort()).toEqual(stored.map((row) => row.id).sort());
    expect(await roundTrips()).toBeGreaterThan(emails.length);
  });

  it("gives up with SQLITE_BUSY (a 503) once the budget is spent, and leaves nothing behind", async () => {
    const store = createStore(client, { budgetMs: 1_500 });
    const release = holdWriteLock();
    let error: unknown;
    try {
      error = await store.batch([store.db.insert(users).values(person("late@example.com"))]).then(
        () => undefined,
        (reason: unknown) => reason,
      );
    } finally {
      release();
    }
    expect(error).toMatchObject({ code: "SQLITE_BUSY" });
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(await roundTrips()).toBeGreaterThan(1);
    expect(await store.db.select().from(users)).toEqual([]);
  });

  it("costs one round trip when the lock is free", async () => {
    const store = createStore(client);
    await store.batch([store.db.insert(users).values(person("quick@example.com"))]);
    expect(await roundTrips()).toBe(1);
  });
});

describe("a batch to a database that does not answer", () => {
  it("fails at once, without waiting out the busy budget", async () => {
    const nowhere = createClient({ url: `http://127.0.0.1:${await freePort()}` });
    // A budget far beyond the test's timeout: a retry would make the test time out.
    const store = createStore(nowhere, { budgetMs: 600_000 });
    try {
      const error = await store
        .batch([store.db.insert(users).values(person("nowhere@example.com"))])
        .then(
          () => undefined,
          (reason: unknown) => reason,
        );
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toMatch(/fetch failed/);
      // The API answers 503 with Retry-After for it, not a 500.
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      nowhere.close();
    }
  });
});
