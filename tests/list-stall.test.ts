// Requests go through the typed client (`client`), except through `call`: following a `Link`
// header's path and query as given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import { openNodeDatabase } from "../src/db/node-database";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { signIn, type TestUser } from "./helpers/fixtures";
import { type HeavyStudent, seedHeavyStudent } from "./helpers/heavy-student";

/**
 * One student who stored 300 completions × 500 answers must not freeze the API for everyone
 * (the embedded database runs on the event loop). The latency figures are measured by
 * `npm run bench:stall`; this checks the structure that gives them: the list is read and written
 * in slices, and the event loop turns between them.
 */
let t: TestApp;
let heavy: HeavyStudent;
let student: TestUser;
let neighbour: TestUser;
const password = "heavy student password";

beforeAll(async () => {
  t = await createTestApp();
  const client = await openNodeDatabase(t.databaseUrl);
  heavy = await seedHeavyStudent(client, await nodeArgon2Hasher.hash(password));
  client.close();
  student = await signIn(t, heavy.studentId, heavy.studentEmail, password);
  neighbour = await signIn(t, 0, heavy.neighbourEmail, password);
}, 60_000);
afterAll(() => t.close());

interface ListedCompletion {
  id: number;
  answers: { question: number }[];
}

describe("a student's 300 completions × 500 answers", () => {
  it("are listed whole and in order, while the event loop keeps turning and 20 other requests are answered", async () => {
    let turns = 0;
    let serving = true;
    const countTurn = () => {
      turns += 1;
      if (serving) setImmediate(countTurn);
    };
    const list = responseOf(
      client(t, student.auth).api.users.me.completions.index.$get({ query: {} }),
    );
    setImmediate(countTurn);
    const others = Promise.all(
      Array.from({ length: 20 }, () => responseOf(client(t, neighbour.auth).api.users.me.$get())),
    );
    let listDone = false;
    const othersDoneWhileListing = others.then((responses) => ({ responses, listDone }));
    const listed = await list;
    listDone = true;
    serving = false;

    expect(listed.status).toBe(200);
    const completions = JSON.parse(listed.text) as ListedCompletion[];
    expect(completions).toHaveLength(heavy.completions);
    const ids = completions.map((completion) => completion.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const completion of completions) {
      expect(completion.answers).toHaveLength(heavy.answersPerCompletion);
      const questions = completion.answers.map((answer) => answer.question);
      expect(questions).toEqual([...questions].sort((a, b) => a - b));
    }
    // Read in slices of about 500 answers: one turn of the event loop (at least) after each.
    expect(turns).toBeGreaterThanOrEqual(heavy.completions / 2);
    const { responses, listDone: finishedFirst } = await othersDoneWhileListing;
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(finishedFirst).toBe(false);
  });

  it("are paged with every completion exactly once, whole, across slice boundaries", async () => {
    const seen: number[] = [];
    let next: string | undefined = "/api/users/me/completions/?limit=7";
    while (next) {
      const page = await call(t, "GET", next, { auth: student.auth });
      expect(page.status).toBe(200);
      const completions = JSON.parse(page.text) as ListedCompletion[];
      for (const completion of completions)
        expect(completion.answers).toHaveLength(heavy.answersPerCompletion);
      seen.push(...completions.map((completion) => completion.id));
      next = /^<([^>]+)>; rel="next"$/.exec(page.headers.get("link") ?? "")?.[1];
    }
    expect(seen).toHaveLength(heavy.completions);
    expect(new Set(seen).size).toBe(heavy.completions);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
