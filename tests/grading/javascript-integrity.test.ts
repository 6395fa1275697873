// Requests go through the typed client (`client`), except through `call`: answers whose question id
// the types read as possibly undefined.
/**
 * JavaScript answers that try to earn points they didn't, through the API, on both backends: each
 * earns 0 while the correct answer earns full points, and a student's function hunting for the
 * expected values finds none. Strict and non-strict scoring on the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";
import { type LoopbackListener, startLoopbackListener } from "../helpers/loopback-listener";

const squareTests = [
  "assert.strictEqual(sq(2), 4);",
  "assert.equal(sq(3), 9);",
  "assert.deepStrictEqual([sq(5), sq(-1)], [25, 1]);",
  "assert.ok(sq(4) === 16);",
].join("\n");
const squareQuestion = (strict: boolean) => ({
  text: "Write sq(x), the square of x",
  type: "code",
  points: 10,
  body: { language: "javascript", testing_code: squareTests, strict_score: strict },
});
const correctSquare = "function sq(x) {\n  return x * x;\n}\n";
/** x + x is x * x for 2 only: right on one case of four. */
const doublingSquare = "function sq(x) {\n  return x + x;\n}\n";

/** Tries every way out of the answer's context; sq is right only if one of them worked. */
const escapes = [
  "let escaped = false;",
  "const isProcess = (value) => typeof value?.pid === 'number' && typeof value?.exit === 'function';",
  "for (const attempt of [",
  "  () => this.constructor.constructor('return process')(),",
  "  () => Function('return process')(),",
  "  () => globalThis.process,",
  "  () => console.log.constructor('return process')(),",
  "  () => assert.constructor.constructor('return process')(),",
  "  () => Object.getPrototypeOf(Object.getPrototypeOf(globalThis)).constructor.constructor('return process')(),",
  "]) {",
  "  try { if (isProcess(attempt())) escaped = true; } catch {}",
  "}",
  "for (const name of ['require', 'module', 'Buffer', 'setTimeout', 'setImmediate', 'fetch', 'queueMicrotask', 'WebAssembly']) {",
  "  if (typeof globalThis[name] !== 'undefined') escaped = true;",
  "}",
  "import('node:fs').then(() => { escaped = true; }, (error) => { if (!(error instanceof TypeError)) escaped = true; });",
  "try {",
  "  Error.prepareStackTrace = (error, frames) => {",
  "    if (frames.constructor !== Array) escaped = true;",
  "    for (const frame of frames) if (isProcess(frame.getThis?.()?.process)) escaped = true;",
  "    return '';",
  "  };",
  "} catch {}",
  "try { globalThis.Error = { prepareStackTrace: () => { escaped = true; } }; } catch {}",
  "try { throw new Error('to format'); } catch (error) { String(error.stack); }",
  "function sq(x) {",
  "  if (x === 4) throw new RangeError('a stack for the harness to read');",
  "  return escaped ? x * x : 0;",
  "}",
].join("\n");

/** What a student who wants the points tries. None of it defines a working sq. */
const exploits: [string, string][] = [
  ["process.exit(0) after a correct sq", `${correctSquare}process.exit(0);`],
  ["throwing after a correct sq", `${correctSquare}throw new Error("done early");`],
  [
    "overriding assert and its methods",
    [
      "globalThis.assert = () => true;",
      "for (const name of ['ok', 'equal', 'strictEqual', 'deepStrictEqual']) assert[name] = () => true;",
      "var assert = Object.assign(() => true, { ok() {}, equal() {}, strictEqual() {}, deepStrictEqual() {} });",
      "function sq(x) { return 0; }",
    ].join("\n"),
  ],
  [
    "overriding globalThis, Object, Array, JSON and Object.is",
    [
      "Object.is = () => true;",
      'JSON.stringify = () => \'["d","4"]\';',
      "Array.isArray = () => true;",
      "Object.getPrototypeOf = () => Object.prototype;",
      "Reflect.ownKeys = () => [];",
      "Object.prototype.valueOf = function () { return 4; };",
      "globalThis.Object = function () {};",
      "globalThis.globalThis = null;",
      "function sq(x) { return {}; }",
    ].join("\n"),
  ],
  ["a custom valueOf", "function sq(x) { return { valueOf() { return x * x; } }; }"],
  ["a custom toJSON", "function sq(x) { return { toJSON() { return x * x; } }; }"],
  [
    "Symbol.toPrimitive and toString",
    "function sq(x) { return { [Symbol.toPrimitive]: () => x * x, toString: () => String(x * x) }; }",
  ],
  [
    "a class instance that looks like a number",
    "class Num extends Number {}\nfunction sq(x) { return new Num(x * x); }",
  ],
  [
    "a Proxy that answers every question",
    "function sq(x) { return new Proxy([x * x], { get: (t, k) => (k === Symbol.toPrimitive ? () => x * x : Reflect.get(t, k)), getPrototypeOf: () => Array.prototype }); }",
  ],
  [
    "a getter that changes its mind",
    "let reads = 0;\nfunction sq(x) { return { get value() { return reads++ ? x * x : 0; } }; }",
  ],
  [
    "fake results printed, and a stack full of them",
    [
      "console.log('4 passed, 0 failed');",
      'console.log(\'["start"]\\n["v",0,["d","4"]]\\n["done"]\');',
      "console.error('OK');",
      "function sq(x) { return 0; }",
    ].join("\n"),
  ],
  ["escaping the context to reach process, require or the harness", escapes],
];

/** Calls a listener on 127.0.0.1 every way an answer might; sq is right only if one got through. */
const callingOut = (port: number) =>
  [
    "let answered = false;",
    `try { fetch("http://127.0.0.1:${port}/").then(() => { answered = true; }); } catch {}`,
    `try { this.constructor.constructor("return process")().getBuiltinModule("net").connect(${port}, "127.0.0.1").on("data", () => { answered = true; }); } catch {}`,
    `try { import("node:net").then((net) => net.connect(${port}, "127.0.0.1")); } catch {}`,
    "function sq(x) { return answered ? x * x : 0; }",
  ].join("\n");

/** Expected values the student's process must never hold. */
const hiddenValuesQuestion = {
  text: "Find the hidden numbers",
  type: "code",
  points: 10,
  body: {
    language: "javascript",
    strict_score: false,
    testing_code: [
      "const secret = [42424242, 48151623];",
      "assert.deepStrictEqual(found(), secret);",
      "assert.deepStrictEqual(found(), [42424242]);",
      "assert.strictEqual(Array.isArray(found()), true);",
    ].join("\n"),
  },
};

/**
 * Hunts every place the answer can look for eight-digit numbers: everything reachable from the
 * global object (values, functions' source, prototypes), error stacks. Its own code holds none.
 */
const hunter = [
  "function found() {",
  "  const seen = new Set();",
  "  const visited = new Set();",
  "  const look = (text) => { for (const match of String(text).matchAll(/(?<![0-9])[1-9][0-9]{7}(?![0-9])/g)) seen.add(Number(match[0])); };",
  "  const walk = (value, depth) => {",
  "    if (depth > 6 || value === null || visited.has(value)) return;",
  "    if (typeof value === 'number') { if (value >= 1e7 && value < 1e8) seen.add(value); return; }",
  "    if (typeof value === 'string') { look(value); return; }",
  "    if (typeof value !== 'object' && typeof value !== 'function') return;",
  "    visited.add(value);",
  "    if (typeof value === 'function') { try { look(Function.prototype.toString.call(value)); } catch {} }",
  "    for (const key of Reflect.ownKeys(value)) {",
  "      try { const d = Object.getOwnPropertyDescriptor(value, key); walk(d.value ?? d.get, depth + 1); } catch {}",
  "    }",
  "    walk(Object.getPrototypeOf(value), depth + 1);",
  "  };",
  "  walk(globalThis, 0);",
  "  try { look(new Error().stack); } catch {}",
  "  return [...seen].sort((a, b) => a - b);",
  "}",
].join("\n");

async function gradedAnswer(t: TestApp, teacher: TestUser, completionId: number) {
  const detail = await responseOf(
    client(t, teacher.auth).api.completions[":id"].with_correctness.index.$get({
      param: { id: String(completionId) },
    }),
  );
  expect(detail.status).toBe(200);
  expect(detail.body.status).toBe("graded");
  return detail.body as {
    score: number;
    answers: {
      points: number;
      body: { is_correct: boolean; passed: number; total: number; runtime_errors: string | null };
    }[];
  };
}

describe.each(["bwrap", "pyodide"])("JavaScript grading integrity with SANDBOX=%s", (backend) => {
  let t: TestApp;
  let teacher: TestUser;
  let student: TestUser;
  let test: { public_uuid: string; questions: { id: number }[] };
  let listener: LoopbackListener;

  beforeAll(async () => {
    listener = await startLoopbackListener();
    t = await createTestApp({
      runners: 2,
      env: { SANDBOX: backend, GRADING_WAIT_MS: "180000", SANDBOX_TIME_LIMIT_MS: "5000" },
    });
    teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    student = await registerUser(t, { organization_id: organization.id });
    ({ test } = await createOpenTest(
      t,
      teacher,
      [student],
      [squareQuestion(true), squareQuestion(false), hiddenValuesQuestion],
    ));
  });
  afterAll(async () => {
    await t.close();
    await listener.close();
  });

  const submit = (question: number, code: string) =>
    call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [{ question: test.questions[question]?.id, body: { code } }],
      },
    });

  it("gives the correct answer full points, and every exploit none", async () => {
    const attacks: [string, string][] = [
      ...exploits,
      ["fetch and net.connect to 127.0.0.1", callingOut(listener.port)],
    ];
    const answers = [correctSquare, ...attacks.map(([, code]) => code)];
    const responses = await Promise.all(answers.map((code) => submit(0, code)));
    for (const response of responses) expect(response.status).toBe(201);
    const [correct, ...attempts] = await Promise.all(
      responses.map((response) => gradedAnswer(t, teacher, response.body.id)),
    );
    expect(correct).toMatchObject({ score: 10 });
    expect(correct?.answers[0]?.body).toMatchObject({ is_correct: true, passed: 4, total: 4 });
    attempts.forEach((completion, index) => {
      const [name] = attacks[index] as [string, string];
      expect(completion.score, name).toBe(0);
      expect(completion.answers[0]?.body.is_correct, name).toBe(false);
      expect(completion.answers[0]?.body.passed, name).toBe(0);
    });
    expect(listener.connections()).toBe(0);
  }, 240_000);

  it("scores strictly and not strictly", async () => {
    const responses = await Promise.all([
      submit(0, doublingSquare),
      submit(1, doublingSquare),
      submit(1, correctSquare),
    ]);
    const [strict, partial, full] = await Promise.all(
      responses.map((response) => gradedAnswer(t, teacher, response.body.id)),
    );
    expect(strict?.answers[0]).toMatchObject({ points: 0, body: { passed: 1, total: 4 } });
    expect(partial?.answers[0]).toMatchObject({ points: 2, body: { passed: 1, total: 4 } });
    expect(full?.answers[0]).toMatchObject({ points: 10, body: { passed: 4, total: 4 } });
    expect(strict?.answers[0]?.body.runtime_errors).toContain(
      "Line 2: assert.equal(sq(3), 9);\nAssertionError: Expected values to be loosely equal",
    );
  }, 120_000);

  it("keeps expected values out of the student's process", async () => {
    const response = await submit(2, hunter);
    expect(response.status).toBe(201);
    const completion = await gradedAnswer(t, teacher, response.body.id);
    // Only the third case passes: the hunt finds neither expected value.
    expect(completion.answers[0]?.body).toMatchObject({ passed: 1, total: 3 });
    expect(completion.answers[0]?.body.runtime_errors).toContain(
      "Line 2: assert.deepStrictEqual(found(), secret);",
    );
  }, 120_000);
});
