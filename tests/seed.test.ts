// Requests go through the typed client (`client`), except through `call`: sign-ins with emails the
// types read as possibly undefined.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config";
import { createJsonLogger } from "../src/logger";
import { openNodeApp } from "../src/node-server";
import { call } from "./helpers/api";
import { testJwtSecret } from "./helpers/app";
import { client, responseOf } from "./helpers/client";

/** Runs `npm run seed -- --demo` as a person would (a real process over a database file). */
function seedDemo(databaseUrl: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "dev/seed.ts", "--demo"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("npm run seed -- --demo", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-seed-"));
  const databaseUrl = `file:${join(folder, "demo.db")}`;
  let seeded: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    seeded = await seedDemo(databaseUrl, { CI: "true" });
  }, 120_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("prints sign-ins that work, and stays quiet on stderr under CI=true", async () => {
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stderr).toBe("");
    const password = /password: (\S+)/.exec(seeded.stdout)?.[1] as string;
    const emails = [...seeded.stdout.matchAll(/(\S+@demo\.example)/g)].map((match) => match[1]);
    expect(emails).toHaveLength(7);

    const node = await openNodeApp(
      parseConfig({
        DATABASE_URL: databaseUrl,
        JWT_SECRET: testJwtSecret,
        GRADING_CONCURRENCY: "0",
      }),
      createJsonLogger("silent"),
      () => undefined,
    );
    try {
      const api = { app: node.app };
      const signIns = await Promise.all(
        emails.map((email) =>
          call(api, "POST", "/api/users/token/obtain/", { json: { email, password } }),
        ),
      );
      expect(signIns.map((response) => response.status)).toEqual(Array(7).fill(200));
      const [teacher, student] = signIns.map((response) => ({ bearer: response.body.access }));

      const tests = await responseOf(client(api, teacher).api.tests.index.$get({ query: {} }));
      expect(tests.body).toHaveLength(2);
      const types = new Set<string>();
      for (const test of tests.body as { id: number }[]) {
        const full = await responseOf(
          client(api, teacher).api.tests[":id"].index.$get({ param: { id: String(test.id) } }),
        );
        for (const question of full.body.questions) types.add(question.type);
        const completions = await responseOf(
          client(api, teacher).api.tests[":id"].completions.index.$get({
            param: { id: String(test.id) },
            query: {},
          }),
        );
        expect(completions.body).toHaveLength(5);
        for (const completion of completions.body) expect(completion.status).toBe("graded");
        // Students got different scores: some answers right, some wrong.
        const scores = new Set(
          completions.body.map((completion: { score: number }) => completion.score),
        );
        expect(scores.size).toBeGreaterThan(1);
      }
      expect([...types].sort()).toEqual(["check", "code", "radio", "text"]);
      expect(
        (await responseOf(client(api, student).api.users.me.$get())).body.organization,
      ).toMatchObject({ name: "Demo school" });
      const groups = await responseOf(client(api, teacher).api.groups.index.$get());
      expect(groups.body.map((group: { name: string }) => group.name).sort()).toEqual(["9A", "9B"]);
    } finally {
      await node.close();
    }
  });

  it("refuses to seed the demo twice into one database, saying why; progress goes to stderr", async () => {
    const again = await seedDemo(databaseUrl, { CI: "" });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("demo: migrating");
    expect(again.stderr).toContain("teacher@demo.example exists already");
    expect(again.stdout).toBe("");
  });
});
