/**
 * JavaScript answers in each real sandbox backend: results, error texts with the answer's lines,
 * limits, and what an answer could do if it got out of its context (Node's API inside the
 * sandbox): no files, no child processes, no network, no signals outside, no environment.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox, bwrapSlotLaunch } from "../../src/grading/sandbox/bwrap";
import { runProcess } from "../../src/grading/sandbox/process";
import {
  PyodideSandbox,
  pyodideIsolation,
  pyodideSlotLaunch,
} from "../../src/grading/sandbox/pyodide";
import type { SlotLaunch } from "../../src/grading/sandbox/quickjs-slot";
import { defaultLimits, type Sandbox } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";
import { type LoopbackListener, startLoopbackListener } from "../helpers/loopback-listener";

const addTests =
  "assert.strictEqual(add(1, 2), 3);\nassert.strictEqual(add(-1, 1), 0);\nassert.strictEqual(add(0, 0), 0);";
const correctAdd = "function add(a, b) {\n  return a + b;\n}\n";
/** A program that fails the tests unless it manages something it must not. */
const mustFail = (attempt: string) => `${attempt}\n${correctAdd}`;
const projectFile = fileURLToPath(new URL("../../package.json", import.meta.url));

type Limits = ReturnType<typeof defaultLimits>;
/** Each backend: its sandbox, and how it starts the JavaScript slot process around a source. */
const backends: [
  string,
  (limits: Limits) => Promise<Sandbox>,
  (limits: Limits, source: string) => Promise<SlotLaunch>,
][] = [
  [
    "bwrap",
    async (limits) => new BwrapSandbox(limits, 4),
    (limits, source) => bwrapSlotLaunch(limits, 4, source),
  ],
  [
    "pyodide",
    async (limits) => new PyodideSandbox(limits, (await pyodideIsolation()) ?? "uid", 4),
    async (_, source) => pyodideSlotLaunch((await pyodideIsolation()) ?? "uid", 4, source),
  ],
];

describe.each(backends)("JavaScript in the %s sandbox", (_, createSandbox, slotLaunch) => {
  const timeLimitMs = 3000;
  let sandbox: Sandbox;
  let grader: Grader;
  const run = async (code: string, testingCode = addTests) =>
    inEnglish(await grader.grade({ code, testingCode, language: "javascript" }));

  let listener: LoopbackListener;
  beforeAll(async () => {
    sandbox = await createSandbox(defaultLimits(timeLimitMs, 256));
    grader = new Grader(sandbox);
    process.env.TESTIT_SERVER_SECRET = "do-not-leak-me";
    listener = await startLoopbackListener();
  });
  afterAll(async () => {
    await listener.close();
    delete process.env.TESTIT_SERVER_SECRET;
  });

  it("passes correct code on every case", async () => {
    expect(await run(correctAdd)).toEqual({ passed: 3, total: 3, raised: false, errors: null });
  });

  it("reports a syntax error with the answer's line", async () => {
    const report = await run("function add(a, b) {\n  return a +;\n}\n");
    expect(report).toMatchObject({ passed: 0, total: 3, raised: true });
    expect(report.errors).toBe(
      "<answer>:2\n  return a +;\n            ^\n\nSyntaxError: unexpected token in expression: ';'",
    );
  });

  it("shows the answer's own exception with its lines and no harness frames", async () => {
    const report = await run("function add(a, b) {\n  return a.b.c;\n}\n");
    expect(report.passed).toBe(0);
    expect(report.errors).toContain(
      "TypeError: cannot read property 'c' of undefined\n    at add (<answer>:2:13)\n    at <tests>:1:",
    );
    expect(report.errors).not.toMatch(/node:|<prelude>|run-steps|\[eval\]/);
  });

  it("stops an infinite loop at the time limit", async () => {
    const report = await run(mustFail("while (true) {}"));
    expect(report).toMatchObject({
      passed: 0,
      raised: true,
      errors: `Time limit exceeded (${timeLimitMs / 1000} s)`,
    });
  });

  it("stops an endless chain of promises at the time or the memory limit", async () => {
    // Each promise waits on the next: in QuickJS the chain fills 256 MiB in about 3 s of CPU, so
    // either limit may come first; the engine would otherwise end the chain silently.
    const report = await run(mustFail("const spin = () => Promise.resolve().then(spin);\nspin();"));
    expect(report).toMatchObject({ passed: 0, raised: true });
    expect([`Time limit exceeded (${timeLimitMs / 1000} s)`, "Memory limit exceeded"]).toContain(
      report.errors,
    );
  });

  it("stops a memory bomb at the memory limit", async () => {
    // Time enough that a busy machine meets the memory limit first.
    const patient = new Grader(await createSandbox(defaultLimits(10_000, 256)));
    const report = inEnglish(
      await patient.grade({
        testingCode: addTests,
        language: "javascript",
        code: mustFail("const hog = [];\nwhile (true) hog.push(new Array(1e7).fill(0));"),
      }),
    );
    expect(report).toMatchObject({ passed: 0, errors: "Memory limit exceeded" });
  });

  it("refuses a buffer larger than the memory", async () => {
    const report = await run(mustFail("new Uint8Array(2 ** 31).fill(1);"));
    expect(report.passed).toBe(0);
    expect(report.errors).toMatch(/RangeError|Memory limit exceeded/);
  });

  it("stops a 100 MB print at a limit", async () => {
    const report = await run(mustFail("console.log('x'.repeat(100_000_000));"));
    expect(report.passed).toBe(0);
    expect(report.errors).toMatch(/^(Output|Memory|Time) limit exceeded/);
  });

  it("fails endless recursion with the answer's error", async () => {
    const report = await run(mustFail("const deeper = () => deeper();\ndeeper();"));
    expect(report.passed).toBe(0);
    expect(report.errors).toContain("InternalError: stack overflow\n    at deeper (<answer>:1:");
  });

  it("gives the answer no process, require, timers or import()", async () => {
    const report = await run(
      mustFail("process.exit(0);"),
      "assert.strictEqual(typeof [process, require, setTimeout], 'object');",
    );
    expect(report.errors).toContain("ReferenceError: 'process' is not defined");
    const missing = await run(
      correctAdd,
      "assert.deepStrictEqual([typeof process, typeof require, typeof setTimeout, typeof fetch, typeof Buffer], ['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);",
    );
    expect(missing.passed).toBe(1);
  });

  /**
   * Node's API used directly in the slot process's sandbox, with its flags, as an answer that got
   * out of QuickJS's WebAssembly instance into the slot process would. It writes what it managed
   * on the channel, after giving its connections time to arrive.
   */
  const escapedAnswer = (apiPid: number) => `
    const require = process.getBuiltinModule;
    const fs = require("node:fs");
    const managed = [];
    const attempt = (name, thunk) => { try { thunk(); managed.push(name); } catch {} };
    attempt("read the project", () => fs.readFileSync(${JSON.stringify(projectFile)}));
    attempt("read /etc/shadow", () => fs.readFileSync("/etc/shadow"));
    attempt("read /proc/1/environ", () => fs.readFileSync("/proc/1/environ"));
    attempt("write /tmp", () => fs.writeFileSync("/tmp/testit-js-escape-${process.pid}", "x"));
    attempt("write the project", () => fs.writeFileSync(${JSON.stringify(`${projectFile}.escaped`)}, "x"));
    attempt("run a child process", () => require("node:child_process").execFileSync("/usr/bin/id"));
    attempt("start a worker", () => new (require("node:worker_threads").Worker)("1", { eval: true }));
    attempt("signal the API", () => process.kill(${apiPid}, "SIGSTOP"));
    attempt("see the API's secret", () => { if (JSON.stringify(process.env).includes("do-not-leak-me")) return; throw 0; });
    require("node:net").connect(${listener.port}, "127.0.0.1").on("error", () => {});
    fetch("http://127.0.0.1:${listener.port}/").catch(() => {});
    setTimeout(() => { fs.writeSync(3, JSON.stringify(managed) + "\\n"); process.exit(0); }, 300);
  `;

  it("keeps an answer that got out of QuickJS from files, processes, signals and the network", async () => {
    const limits = defaultLimits(timeLimitMs, 256);
    const { command, args, env, group } = await slotLaunch(limits, escapedAnswer(process.pid));
    const ending = await runProcess({ command, args, env, group, stdin: { input: "" }, limits });
    expect(JSON.parse(ending.channel)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.connections()).toBe(0);
    expect(existsSync(`/tmp/testit-js-escape-${process.pid}`)).toBe(false);
    expect(existsSync(`${projectFile}.escaped`)).toBe(false);
    expect(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.[0]).not.toBe("T");
  });
});
