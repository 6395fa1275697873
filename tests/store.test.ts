import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LibsqlError } from "@libsql/client";
import { eq, inArray, sql } from "drizzle-orm";
import Database from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tx } from "../src/db/client";
import { GroupCommitStore } from "../src/db/group-commit";
import { type NodeStore, openNodeStore } from "../src/db/node-database";
import { PreparedConnection } from "../src/db/prepared-connection";
import { users } from "../src/db/schema";

let folder: string;
let file: string;
let store: NodeStore;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), "testit-store-"));
  file = join(folder, "store.db");
  store = await openNodeStore(`file:${file}`);
});

afterEach(async () => {
  await store.close();
  rmSync(folder, { recursive: true, force: true });
});

const person = (email: string) => ({
  email,
  passwordHash: "not a real hash",
  firstName: "Ada",
  lastName: "Lovelace",
});

const insertPerson = (tx: Tx, email: string) =>
  tx.insert(users).values(person(email)).returning({ id: users.id });

async function storedEmails(): Promise<string[]> {
  const rows = await store.db.select({ email: users.email }).from(users).orderBy(users.email);
  return rows.map((row) => row.email);
}

const commits = () => store.stats?.commits ?? 0;

/** A promise the test settles by hand, to hold a transaction open at a known point. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("group commit", () => {
  it("commits concurrent transactions together, each keeping its own outcome", async () => {
    const before = commits();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        store.transaction(async (tx) => {
          const [row] = await insertPerson(tx, `p${i}@example.com`);
          if (i % 3 === 0) throw new Error(`request ${i} failed`);
          // Another account with the same address in other case: the unique index refuses it.
          if (i % 3 === 1) await insertPerson(tx, `P${i}@EXAMPLE.COM`);
          return row?.id;
        }),
      ),
    );
    expect(commits() - before).toBe(1);
    outcomes.forEach((outcome, i) => {
      if (i % 3 === 0)
        expect(outcome).toMatchObject({ reason: { message: `request ${i} failed` } });
      if (i % 3 === 1)
        expect(outcome).toMatchObject({ reason: { cause: { code: "SQLITE_CONSTRAINT" } } });
      if (i % 3 === 2)
        expect(outcome).toMatchObject({ status: "fulfilled", value: expect.any(Number) });
    });
    const succeeded = Array.from({ length: 60 }, (_, i) => i)
      .filter((i) => i % 3 === 2)
      .map((i) => `p${i}@example.com`)
      .sort();
    expect(await storedEmails()).toEqual(succeeded);
  });

  it("reports a failure only once its group committed, so the failed request sees its neighbours' work", async () => {
    const winner = store.transaction((tx) => insertPerson(tx, "same@example.com"));
    const loser = store
      .transaction((tx) => insertPerson(tx, "SAME@example.com"))
      .then(
        () => ({ failed: false, seen: [] as string[] }),
        async () => ({ failed: true, seen: await storedEmails() }),
      );
    // A neighbour after it keeps the group open a while longer.
    const slow = store.transaction(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await insertPerson(tx, "slow@example.com");
    });
    await Promise.all([winner, slow]);
    expect(await loser).toEqual({
      failed: true,
      seen: ["same@example.com", "slow@example.com"],
    });
  });

  it("runs a batch as one unit in the group: a failing one leaves nothing, its neighbours commit", async () => {
    const [kept, refused, alone] = await Promise.allSettled([
      store.batch([
        store.db.insert(users).values(person("b1@example.com")),
        store.db.insert(users).values(person("b2@example.com")),
      ]),
      store.batch([
        store.db.insert(users).values(person("b3@example.com")),
        store.db.insert(users).values(person("B1@example.com")),
      ]),
      store.transaction((tx) => insertPerson(tx, "t1@example.com")),
    ]);
    expect(kept.status).toBe("fulfilled");
    expect(refused).toMatchObject({ reason: { code: "SQLITE_CONSTRAINT" } });
    expect(alone.status).toBe("fulfilled");
    expect(await storedEmails()).toEqual(["b1@example.com", "b2@example.com", "t1@example.com"]);
  });

  it("returns what a batch's queries return", async () => {
    const [inserted, selected] = await store.batch([
      store.db.insert(users).values(person("r@example.com")).returning({ email: users.email }),
      store.db.select({ n: sql<number>`count(*)` }).from(users),
    ]);
    expect(inserted).toEqual([{ email: "r@example.com" }]);
    expect(selected).toEqual([{ n: 1 }]);
  });

  it("hides uncommitted writes from readers and acknowledges a write only with its group", async () => {
    const holding = gate();
    const inserted = gate();
    const slow = store.transaction(async (tx) => {
      await insertPerson(tx, "slow@example.com");
      // The transaction sees its own write before it commits.
      expect(await tx.select().from(users)).toHaveLength(1);
      inserted.open();
      await holding.opened;
    });
    let quickCommitted = false;
    const quick = store
      .transaction((tx) => insertPerson(tx, "quick@example.com"))
      .then(() => {
        quickCommitted = true;
      });
    await inserted.opened;
    expect(await storedEmails()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(quickCommitted).toBe(false);
    holding.open();
    await Promise.all([slow, quick]);
    expect(await storedEmails()).toEqual(["quick@example.com", "slow@example.com"]);
  });

  it("fails the request that fills the disk, and runs its neighbours again in the next group", async () => {
    const [[pages]] = (await store.db.values(sql`PRAGMA page_count`)) as [[number]];
    // The writer may grow the file by a few pages only: as full as a disk can be.
    await store.transaction((tx) => tx.run(sql.raw(`PRAGMA max_page_count = ${pages + 8}`)));
    const before = commits();
    const [first, filler, last] = await Promise.allSettled([
      store.transaction((tx) => insertPerson(tx, "first@example.com")),
      store.transaction(async (tx) => {
        for (let i = 0; i < 200; i++)
          await tx
            .insert(users)
            .values({ ...person(`f${i}@example.com`), lastName: "x".repeat(4000) });
      }),
      store.transaction((tx) => insertPerson(tx, "last@example.com")),
    ]);
    expect(filler).toMatchObject({ reason: { cause: { code: "SQLITE_FULL" } } });
    expect(first.status).toBe("fulfilled");
    expect(last.status).toBe("fulfilled");
    expect(await storedEmails()).toEqual(["first@example.com", "last@example.com"]);
    // The group the filler ended was rolled back; its neighbours committed in the next one.
    expect(commits() - before).toBe(1);
    await store.transaction((tx) => tx.run(sql.raw("PRAGMA max_page_count = 1073741823")));
  });

  it("waits without blocking the event loop while another process holds the write lock", async () => {
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    let done = false;
    const write = store
      .transaction((tx) => insertPerson(tx, "patient@example.com"))
      .then(() => {
        done = true;
      });
    const ticks = await new Promise<number>((resolve) => {
      let count = 0;
      const timer = setInterval(() => {
        if (++count === 5) {
          clearInterval(timer);
          resolve(count);
        }
      }, 10);
    });
    expect(ticks).toBe(5);
    expect(done).toBe(false);
    other.exec("COMMIT");
    other.close();
    await write;
    expect(await storedEmails()).toEqual(["patient@example.com"]);
  });

  it("gives up with SQLITE_BUSY when the lock is held longer than it waits", async () => {
    const impatient = new GroupCommitStore(
      { reader: new PreparedConnection(file), writer: new PreparedConnection(file) },
      { busyRetryMs: 50 },
    );
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    try {
      await expect(
        impatient.transaction((tx) => insertPerson(tx, "late@example.com")),
      ).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    } finally {
      other.exec("ROLLBACK");
      other.close();
      await impatient.close();
    }
    expect(await storedEmails()).toEqual([]);
  });

  it("commits what was submitted before closing, and refuses work after", async () => {
    const writes = Array.from({ length: 5 }, (_, i) =>
      store.transaction((tx) => insertPerson(tx, `c${i}@example.com`)),
    );
    const closing = store.close();
    await Promise.all(writes);
    await closing;
    await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(LibsqlError);
    store = await openNodeStore(`file:${file}`);
    expect(await storedEmails()).toHaveLength(5);
  });

  it("refuses writes through the reader", async () => {
    await expect(store.db.insert(users).values(person("r@example.com"))).rejects.toMatchObject({
      cause: { code: "SQLITE_READONLY" },
    });
  });
});

describe("prepared statements", () => {
  it("keeps at most the configured number, the most recently used", async () => {
    const connection = new PreparedConnection(file, 4);
    try {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 20; i++) {
          const result = connection.execute({ sql: `select ? + ${i} as n`, args: [round] });
          expect(result.rows[0]?.n).toBe(round + i);
          expect(connection.cachedStatements).toBeLessThanOrEqual(4);
        }
      }
      expect(connection.cachedStatements).toBe(4);
    } finally {
      connection.close();
    }
  });

  it("reads rows by position and by name, and maps errors to libSQL's codes", async () => {
    const connection = new PreparedConnection(file);
    try {
      const { rows, columns } = connection.execute("select 1 as a, 'two' as b, 3 as a, 4");
      expect(columns).toEqual(["a", "b", "a", "4"]);
      expect(Array.from(rows[0] as ArrayLike<unknown>)).toEqual([1, "two", 3, 4]);
      expect(rows[0]).toMatchObject({ a: 1, b: "two" });
      connection.execute({
        sql: "insert into users (email, password_hash, first_name, last_name) values (?, ?, ?, ?)",
        args: ["x@example.com", "h", "X", "Y"],
      });
      expect(() =>
        connection.execute({
          sql: "insert into users (email, password_hash, first_name, last_name) values (?, ?, ?, ?)",
          args: ["X@example.com", "h", "X", "Y"],
        }),
      ).toThrow(
        expect.objectContaining({
          code: "SQLITE_CONSTRAINT",
          extendedCode: "SQLITE_CONSTRAINT_UNIQUE",
        }),
      );
    } finally {
      connection.close();
    }
  });

  it("serve drizzle's reads of many rows in order", async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 300; i++)
        await insertPerson(tx, `m${String(i).padStart(3, "0")}@example.com`);
    });
    const some = await store.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.id, [1, 150, 300]))
      .orderBy(users.id);
    expect(some.map((row) => row.email)).toEqual([
      "m000@example.com",
      "m149@example.com",
      "m299@example.com",
    ]);
    expect(await storedEmails()).toHaveLength(300);
    const one = await store.db.select().from(users).where(eq(users.id, 2)).get();
    expect(one).toMatchObject({ email: "m001@example.com", isTeacher: false, isActive: true });
  });
});
