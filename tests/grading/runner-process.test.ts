// Requests go through the typed client (`client`), except through `call`: answers whose question id
// the types read as possibly undefined.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Client, createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type ServedApi, servedApi } from "../helpers/api";
import { client, responseOf } from "../helpers/client";
import { createOpenTest, createOrganization, registerUser } from "../helpers/fixtures";

const runnerToken = "runner-token-for-the-process-test-42";

/** Starts a process and resolves with it once a JSON log line matches. */
function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: (line: Record<string, unknown>) => boolean,
) {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise<{ child: ChildProcess; line: Record<string, unknown> }>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (ready(line)) resolve({ child, line });
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
  });
}

const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("remote runner processes", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-runners-"));
  const databaseFile = join(folder, "testit.db");
  const processes: ChildProcess[] = [];
  let baseUrl = "";
  let remote: ServedApi;
  let database: Client;

  beforeAll(async () => {
    const server = await startProcess(
      ["src/node.ts"],
      {
        PORT: "0",
        DATABASE_URL: `file:${databaseFile}`,
        JWT_SECRET: "a-secret-for-the-runner-process-test!!",
        RUNNER_TOKEN: runnerToken,
        GRADING_CONCURRENCY: "0",
        GRADING_WAIT_MS: "0",
        GRADING_LEASE_MS: "4000",
      },
      (line) => line.message === "listening",
    );
    processes.push(server.child);
    baseUrl = server.line.url as string;
    remote = servedApi(baseUrl);
    database = createClient({ url: `file:${databaseFile}` });
  });

  afterAll(() => {
    for (const child of processes) child.kill("SIGKILL");
    database.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const startRunner = () =>
    startProcess(
      ["src/grading/runner-cli.ts", "--url", baseUrl],
      { RUNNER_TOKEN: runnerToken, GRADING_CONCURRENCY: "1", SANDBOX: "bwrap" },
      (line) => line.message === "runner started",
    ).then(({ child }) => {
      processes.push(child);
      return child;
    });

  /** A student allowed into a new test of one 5-point code question. */
  async function studentOfCodeTest(body: Record<string, unknown>) {
    const teacher = await registerUser(remote, { is_teacher: true });
    const organization = await createOrganization(remote, teacher);
    const student = await registerUser(remote, { organization_id: organization.id });
    const { test } = await createOpenTest(
      remote,
      teacher,
      [student],
      [{ text: "add", type: "code", points: 5, body }],
    );
    return { student, test };
  }

  it("grades for the API over HTTP, and a runner killed mid-job leads to a retry", async () => {
    const { student, test } = await studentOfCodeTest({ testing_code: "assert add(2, 3) == 5" });
    const slowButRight = "import time\ntime.sleep(1.5)\ndef add(a, b):\n    return a + b\n";
    const submitted = await call(remote, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [{ question: test.questions[0]?.id, body: { code: slowButRight } }],
      },
    });
    expect(submitted.body.status).toBe("grading");

    const doomed = await startRunner();
    await until(async () => {
      const { rows } = await database.execute(
        "select state from grading_jobs where state = 'leased'",
      );
      return rows.length > 0 ? true : undefined;
    }, 15_000);
    doomed.kill("SIGKILL");

    await startRunner();
    const graded = await until(async () => {
      const response = await responseOf(
        client(remote, student.auth).api.completions[":id"].index.$get({
          param: { id: String(submitted.body.id) },
        }),
      );
      return response.body.status === "graded" ? response.body : undefined;
    }, 30_000);
    expect(graded.score).toBe(5);
    const { rows } = await database.execute("select state, attempts from grading_jobs");
    expect(rows.map((row) => ({ ...row }))).toEqual([{ state: "done", attempts: 2 }]);
  }, 60_000);

  it("grades a JavaScript answer for the API over HTTP", async () => {
    const { student, test } = await studentOfCodeTest({
      language: "javascript",
      testing_code: "assert.strictEqual(add(2, 3), 5);",
    });
    const submitted = await call(remote, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [
          {
            question: test.questions[0]?.id,
            body: { code: "const add = (a, b) => a + b;" },
          },
        ],
      },
    });
    await startRunner();
    const graded = await until(async () => {
      const response = await responseOf(
        client(remote, student.auth).api.completions[":id"].index.$get({
          param: { id: String(submitted.body.id) },
        }),
      );
      return response.body.status === "graded" ? response.body : undefined;
    }, 30_000);
    expect(graded.score).toBe(5);
  }, 60_000);
});
