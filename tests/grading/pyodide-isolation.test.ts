// Requests go through the typed client (`client`), except through `call`: answers whose question id
// the types read as possibly undefined.
import { readFileSync } from "node:fs";
import { url as inspectorUrl } from "node:inspector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { type PyodideIsolation, PyodideSandbox } from "../../src/grading/sandbox/pyodide";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import { createOpenTest, createOrganization, registerUser } from "../helpers/fixtures";
import { type LoopbackListener, startLoopbackListener } from "../helpers/loopback-listener";

const squareTests = "assert sq(2) == 4";
const correctSquare = "def sq(x):\n    return x * x\n";

/**
 * What a student tries from pyodide against the process that grades them (the test process
 * here, which plays the API): signals through Node's `process`, its inspector, and the network
 * (after disabling the child's own exit, so that its event loop gets to run the requests).
 */
function attacks(apiPid: number, port: number): [string, string][] {
  const keepRunning = "js.process.exit = lambda *args: None";
  const named: [string, string][] = [
    ...["SIGTERM", "SIGKILL", "SIGUSR1", "SIGSTOP"].map((signal): [string, string] => [
      `kill(ppid, ${signal})`,
      `import js\njs.process.kill(js.process.ppid, "${signal}")`,
    ]),
    ...["SIGTERM", "SIGUSR1", "SIGSTOP"].map((signal): [string, string] => [
      `kill(API pid, ${signal})`,
      `import js\njs.process.kill(${apiPid}, "${signal}")`,
    ]),
    ["kill(1, 0)", "import js\nassert js.process.kill(1, 0)\njs.process.kill(1, 'SIGSTOP')"],
    ["kill(-1, SIGKILL)", "import js\njs.process.kill(-1, 'SIGKILL')"],
    ["the inspector of the API", `import js\njs.process._debugProcess(${apiPid})`],
    [
      "fetch to 127.0.0.1",
      `import js\n${keepRunning}\njs.fetch("http://127.0.0.1:${port}/")\njs.fetch("http://localhost:${port}/")`,
    ],
    [
      "net.connect to 127.0.0.1",
      `import js\n${keepRunning}\nnet = js.process.getBuiltinModule("net")\nnet.connect(${port}, "127.0.0.1")\nnet.connect(${port}, "::1")`,
    ],
  ];
  return named.map(([name, attack]) => [
    name,
    `try:\n${indent(attack)}\nexcept Exception:\n    pass\n${correctSquare}`,
  ]);
}

const indent = (code: string) =>
  code
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");

/** This process is running (not stopped by a signal) and opened no inspector. */
function expectUntouched() {
  const state = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.[0];
  expect(state).not.toBe("T");
  expect(inspectorUrl()).toBeUndefined();
}

// The uid isolation (what root gets) is attacked through the API below; here the one a non-root
// API gets, where the sandbox shares the API's uid and only the namespaces stand between them.
describe.each<PyodideIsolation>(["user-namespace"])("pyodide isolated by %s", (isolation) => {
  let listener: LoopbackListener;
  beforeAll(async () => {
    listener = await startLoopbackListener();
  });
  afterAll(() => listener.close());

  it("keeps signals, the inspector and the network from reaching anything outside", async () => {
    const grader = new Grader(new PyodideSandbox(defaultLimits(2000, 256), isolation, 5));
    // One at a time, as one runner slot would: a dozen pyodide processes starting at once on
    // two cores would meet the time limit before their attacks ran.
    const reports = [];
    for (const [, code] of attacks(process.pid, listener.port))
      reports.push(await grader.grade({ code, testingCode: squareTests }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listener.connections()).toBe(0);
    expectUntouched();
    // A run whose attack failed harmlessly still grades the correct sq.
    expect(reports.some((report) => report.passed === 1)).toBe(true);
  }, 120_000);
});

describe("the API with SANDBOX=pyodide under attack", () => {
  let t: TestApp;
  let listener: LoopbackListener;
  beforeAll(async () => {
    listener = await startLoopbackListener();
    t = await createTestApp({
      runners: 2,
      env: { SANDBOX: "pyodide", GRADING_WAIT_MS: "120000", SANDBOX_TIME_LIMIT_MS: "5000" },
    });
  });
  afterAll(async () => {
    await t.close();
    await listener.close();
  });

  it("keeps serving and grading while answers signal it and call 127.0.0.1", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    const student = await registerUser(t, { organization_id: organization.id });
    const { test } = await createOpenTest(
      t,
      teacher,
      [student],
      [{ text: "sq", type: "code", points: 1, body: { testing_code: squareTests } }],
    );
    const submit = (code: string) =>
      call(t, "POST", "/api/completions/", {
        auth: student.auth,
        json: {
          test: test.public_uuid,
          answers: [{ question: test.questions[0]?.id, body: { code } }],
        },
      });
    const responses = await Promise.all(
      attacks(process.pid, listener.port).map(([, code]) => submit(code)),
    );
    for (const response of responses) expect(response.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listener.connections()).toBe(0);
    expectUntouched();
    expect(
      (
        await responseOf(
          client(t, student.auth).api.users[":id"].index.$get({ param: { id: "me" } }),
        )
      ).status,
    ).toBe(200);
    const after = await submit(correctSquare);
    expect(after.body).toMatchObject({ status: "graded", score: 1 });
  }, 180_000);
});
