/**
 * Adversary: one submission that freezes the API.
 *
 * The judge runs in the runner, which is the API process itself with in-process runners (the
 * default), synchronously, on whatever the student's run wrote on its result channel (fd 3, up to
 * 1 MiB) — which the answer may always write to.
 * - A reported float is checked with `/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/`, which backtracks
 *   quadratically on a run of digits that doesn't match (`111…1x`): 40 000 digits take ~4 s, the
 *   ~900 000 that fit in the channel ~40 minutes.
 * - Every line is handed to `JSON.parse`, and an empty line throws: 1 MiB of newlines is a million
 *   exceptions, ~8 s here (2 cores, shared and busy).
 * Meanwhile no request of anyone is answered.
 *
 * The API runs as a real process here (so that the test itself isn't frozen, and the process can
 * be killed), with bubblewrap and one in-process runner.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import type { TestApp } from "../helpers/app";
import { createGroup, createOrganization, registerUser } from "../helpers/fixtures";

/** Writes `payload` (a Python bytes expression) on the result channel, then says it is done. */
const writer = (payload: string) =>
  ["import os", `os.write(3, ${payload} + b'\\n["done"]\\n')`, "os._exit(0)"].join("\n");

const running: { child: ChildProcess; folder: string }[] = [];

afterEach(() => {
  for (const { child, folder } of running.splice(0)) {
    child.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  }
});

/** The API as its own process, with one bubblewrap runner in it. */
async function startApi(): Promise<{ baseUrl: string; remote: TestApp }> {
  const folder = mkdtempSync(join(tmpdir(), "testit-adv-stall-"));
  const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      LOG_LEVEL: "info",
      DATABASE_URL: `file:${join(folder, "testit.db")}`,
      JWT_SECRET: "a-secret-for-the-adversary-stall-test!!",
      GRADING_CONCURRENCY: "1",
      SANDBOX: "bwrap",
      GRADING_WAIT_MS: "0",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.push({ child, folder });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
      try {
        const line = JSON.parse(text) as { message?: string; url?: string };
        if (line.message === "listening" && line.url) resolve(line.url);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`the API exited with ${code}`)));
  });
  const remote = {
    app: { request: (path: string, init: RequestInit) => fetch(`${baseUrl}${path}`, init) },
  } as unknown as TestApp;
  return { baseUrl, remote };
}

/**
 * Submits `code` to `assert sq(3) == 9` as a student, then reads the completion until it is
 * graded; every read must be answered within `answerWithinMs`. Returns the final score.
 */
async function gradeWhileReading(code: string, answerWithinMs: number): Promise<number> {
  const { baseUrl, remote } = await startApi();
  const teacher = await registerUser(remote, { is_teacher: true });
  const organization = await createOrganization(remote, teacher);
  const student = await registerUser(remote, { organization_id: organization.id });
  const group = await createGroup(remote, teacher, [student]);
  const created = await call(remote, "POST", "/api/tests/", {
    auth: teacher.auth,
    json: {
      name: "Squares",
      questions: [
        { text: "sq", type: "code", points: 5, body: { testing_code: "assert sq(3) == 9" } },
      ],
    },
  });
  await call(remote, "POST", `/api/tests/${created.body.id}/allow_for_group/`, {
    auth: teacher.auth,
    json: { group: group.id },
  });
  const submitted = await call(remote, "POST", "/api/completions/", {
    auth: student.auth,
    json: {
      test: created.body.public_uuid,
      answers: [{ question: created.body.questions[0].id, body: { code } }],
    },
  });
  expect(submitted.status).toBe(201);

  const deadline = Date.now() + 60_000;
  let { status, score } = submitted.body as { status: string; score: number };
  while (status !== "graded" && Date.now() < deadline) {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/completions/${submitted.body.id}/`, {
        headers: { authorization: `Bearer ${student.access}` },
        signal: AbortSignal.timeout(answerWithinMs),
      });
    } catch {
      throw new Error(`the API did not answer a GET within ${answerWithinMs / 1000} s`);
    }
    ({ status, score } = (await response.json()) as { status: string; score: number });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(status).toBe("graded");
  return score;
}

describe("what the student's run writes on its channel, judged inside the API", () => {
  it("a float of 900 000 digits that doesn't match leaves the API answering", async () => {
    const code = writer(`b'["p",0,["f","' + b'1' * 900000 + b'x"]]'`);
    expect(await gradeWhileReading(code, 10_000)).toBe(0);
  }, 120_000);

  it("a million empty lines leave the API answering", async () => {
    // A GET answers in milliseconds; 2 s leaves room for a busy machine.
    const code = writer("b'\\n' * 1040000");
    expect(await gradeWhileReading(code, 2_000)).toBe(0);
  }, 120_000);
});
