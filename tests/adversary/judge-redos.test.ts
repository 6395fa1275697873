/**
 * Adversary: one submission that freezes the API.
 *
 * The judge runs in the runner, which is the API process itself with in-process runners (the
 * default). It decodes each float the student's run reports with
 * `/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/`, which backtracks quadratically on a long run of digits
 * that doesn't match (`111…1x`): 40 000 digits take ~4 s, the ~900 000 that fit in the 1 MiB
 * channel ~40 minutes — with the event loop blocked, so no request of anyone is answered. The
 * answer only writes one line on its own result channel (fd 3), which it may always do.
 *
 * The API runs as a real process here (so that the test itself isn't frozen, and the process
 * can be killed), with bubblewrap and one in-process runner.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import type { TestApp } from "../helpers/app";
import { createGroup, createOrganization, registerUser } from "../helpers/fixtures";

const digits = 900_000;
const freezer = [
  "import os",
  `os.write(3, b'["p",0,["f","' + b'1' * ${digits} + b'x"]]\\n["done"]\\n')`,
  "os._exit(0)",
].join("\n");

/** Generous: a request of this API normally answers in milliseconds. */
const answerWithinMs = 10_000;

describe("a reported float that the judge's regular expression chokes on", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-adv-redos-"));
  let server: ChildProcess | undefined;
  let baseUrl = "";
  let remote: TestApp;

  beforeAll(async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
      env: {
        ...process.env,
        PORT: "0",
        LOG_LEVEL: "info",
        DATABASE_URL: `file:${join(folder, "testit.db")}`,
        JWT_SECRET: "a-secret-for-the-adversary-redos-test!!",
        GRADING_CONCURRENCY: "1",
        SANDBOX: "bwrap",
        GRADING_WAIT_MS: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    server = child;
    baseUrl = await new Promise<string>((resolve, reject) => {
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
    remote = {
      app: { request: (path: string, init: RequestInit) => fetch(`${baseUrl}${path}`, init) },
    } as unknown as TestApp;
  }, 60_000);

  afterAll(() => {
    server?.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  it("is judged (and failed) while the API keeps answering everyone", async () => {
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
        answers: [{ question: created.body.questions[0].id, body: { code: freezer } }],
      },
    });
    expect(submitted.status).toBe(201);

    const deadline = Date.now() + 60_000;
    let status = submitted.body.status as string;
    let score: number | undefined;
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
      const body = (await response.json()) as { status: string; score: number };
      ({ status, score } = body);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe("graded");
    expect(score).toBe(0);
  }, 120_000);
});
