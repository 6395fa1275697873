// Requests go through the typed client (`client`), except through `call`: answers whose question
// ids the types read as possibly undefined.
/**
 * What a sandboxed run writes on its result channel never stalls the API. The channel (fd 3, up to
 * 1 MiB) is written by the answer's code, or by the tests' own code in the teacher-only run: every
 * hostile shape here is read and judged while the API keeps answering other requests promptly.
 * The API runs as its own process (so that a stall would show, and could be killed) with two
 * bubblewrap runners in it. (Found by the adversary of issue 11: a float regex that backtracked for
 * 40 minutes on one answer, and a million empty lines parsed one by one.)
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../bench/server-process";
import { call, type ServedApi, servedApi } from "../helpers/api";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";

/** An answer that writes `payload` (a Python bytes expression) on the channel, then "done". */
const writer = (payload: string) =>
  ["import os", `os.write(3, ${payload} + b'\\n["done"]\\n')`, "os._exit(0)"].join("\n");

/** What answers write (each within the 1 MiB the runner keeps of the channel). */
const hostileAnswers: [string, string][] = [
  ["a float of 900 000 digits that doesn't match", `b'["p",0,["f","' + b'1' * 900000 + b'x"]]'`],
  ["a million empty lines", "b'\\n' * 1040000"],
  ["a million lines of '['", "b'[\\n' * 520000"],
  ["brackets nested 500 000 deep", `b'["p",0,' + b'[' * 500000 + b']' * 500000 + b']'`],
  ["an int of 4 million bits", `b'["p",0,["i","' + b'f' * 1000000 + b'"]]'`],
  ["a JSON number of a million digits", `b'["p",0,' + b'9' * 1000000 + b']'`],
  [
    "a set of 60 000 huge ints",
    `b'["p",0,["S",[' + b','.join(b'["i","%x"]' % (7 ** 4000 + i) for i in range(300)) + b']]]'`,
  ],
  [
    "tuples nested 100 deep in a set",
    `b'["p",0,["S",[' + b'["t",[' * 100 + b'["i","1"]' + b']]' * 100 + b']]]'`,
  ],
  ["60 000 reports of the same probe", `b'["p",0,["i","9"]]\\n' * 60000`],
  ["reports of a million probes", `b''.join(b'["p",%d,["n"]]\\n' % i for i in range(60000))`],
  ["a string of a million characters", `b'["p",0,["s","' + b'a' * 1000000 + b'"]]'`],
  ["a string of escapes", `b'["p",0,["s","' + b'\\\\u00e9' * 170000 + b'"]]'`],
  ["a list of 100 000 items", `b'["p",0,["l",[' + b','.join([b'["n"]'] * 100000) + b']]]'`],
];

/** Tests whose own code writes on the channel of the teacher-only run. */
const hostileTests: [string, string][] = [
  [
    "a plan line holding a float that backtracks",
    `b'{"plan":{"expected":[["f","' + b'1' * 900000 + b'x"]]}}'`,
  ],
  ["a plan nested 500 000 deep", `b'{"plan":' + b'[' * 500000 + b']' * 500000 + b'}'`],
  ["a million empty lines before the plan", "b'\\n' * 1040000"],
].map(([name, payload]) => [
  name as string,
  `import os\nos.write(3, ${payload} + b'\\n')\nassert sq(3) == 9`,
]);

const correctSquare = "def sq(x):\n    return x * x\n";
const answerWithinMs = 3_000;

describe("hostile channel output, read while the API serves", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-judge-stall-"));
  let child: ChildProcess;
  let baseUrl: string;
  let remote: ServedApi;
  let teacher: TestUser;
  let student: TestUser;
  let test: { public_uuid: string; questions: { id: number }[] };

  beforeAll(async () => {
    ({ child, url: baseUrl } = await startServer("src/node.ts", `file:${join(folder, "t.db")}`, {
      JWT_SECRET: "a-secret-for-the-judge-stall-test-0123456789",
      LOG_LEVEL: "info",
      GRADING_CONCURRENCY: "2",
      SANDBOX: "bwrap",
      GRADING_WAIT_MS: "0",
    }));
    remote = servedApi(baseUrl);
    teacher = await registerUser(remote, { is_teacher: true });
    const organization = await createOrganization(remote, teacher);
    student = await registerUser(remote, { organization_id: organization.id });
    const question = (text: string, testingCode: string) => ({
      text,
      type: "code",
      points: 5,
      body: { testing_code: testingCode },
    });
    ({ test } = await createOpenTest(
      remote,
      teacher,
      [student],
      [
        question("honest", "assert sq(3) == 9"),
        ...hostileAnswers.map(([name]) => question(name, "assert sq(3) == 9")),
        ...hostileTests.map(([name, tests]) => question(name, tests)),
      ],
    ));
  }, 60_000);

  afterAll(() => {
    child?.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  it("answers every request within seconds while it grades them, and fails each hostile answer", async () => {
    const codes = [
      correctSquare,
      ...hostileAnswers.map(([, payload]) => writer(payload)),
      ...hostileTests.map(() => correctSquare),
    ];
    const submitted = await call(remote, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: codes.map((code, index) => ({
          question: test.questions[index]?.id,
          body: { code },
        })),
      },
    });
    expect(submitted.status).toBe(201);

    const deadline = Date.now() + 150_000;
    let completion = submitted.body as { status: string; score: number };
    let slowest = 0;
    while (completion.status !== "graded" && Date.now() < deadline) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}/api/completions/${submitted.body.id}/`, {
        headers: { authorization: `Bearer ${student.access}` },
        signal: AbortSignal.timeout(answerWithinMs),
      }).catch(() => {
        throw new Error(`the API did not answer a GET within ${answerWithinMs / 1000} s`);
      });
      completion = (await response.json()) as typeof completion;
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(completion.status).toBe("graded");
    expect(slowest).toBeLessThan(answerWithinMs);
    // Only the honest answers earn their points: the first, and the correct answer to tests that
    // write empty lines before the plan (their set-up reaches no student's run unless the answer
    // uses `os`, so the plan is read and the answer judged like any other). The others are read in
    // linear time: none needed the judge thread's time budget.
    expect(completion.score).toBe(10);
    const detail = await responseOf(
      client(remote, teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(submitted.body.id) },
      }),
    );
    const errors = (detail.body.answers as { body: { runtime_errors: string | null } }[]).map(
      (answer) => answer.body.runtime_errors ?? "",
    );
    expect(errors.filter((text) => /could not be (judged|read) within/.test(text))).toEqual([]);
    const earned = (detail.body.answers as { question: number; points: number }[])
      .filter((answer) => answer.points > 0)
      .map((answer) => test.questions.findIndex((question) => question.id === answer.question));
    expect(earned.sort((a, b) => a - b)).toEqual([0, codes.length - 1]);
  }, 200_000);
});
