/**
 * The JavaScript slot process: many answers, of several students, run one after another in the
 * same long-lived sandboxed process, each in a new QuickJS WebAssembly instance. An answer that
 * tries to leave something behind (globals, built-ins' prototypes, memory, a loop, a promise
 * chain, the stack, code built with Function or eval) or to reach past the engine earns 0, and
 * the next answer in the same slot — another student's — gets full points and finds nothing of
 * it. On both backends, with the real sandboxes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { PyodideSandbox, pyodideIsolation } from "../../src/grading/sandbox/pyodide";
import { defaultLimits, type Sandbox } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";

const testingCode = [
  "assert.strictEqual(sq(2), 4);",
  "assert.equal(sq(3), 9);",
  "assert.deepStrictEqual([sq(5), sq(-1)], [25, 1]);",
].join("\n");

/** Right only in a context where nothing of an earlier answer is left. */
const cleanAnswer = [
  "const untouched =",
  "  typeof globalThis.leaked === 'undefined' &&",
  "  Object.prototype.polluted === undefined &&",
  "  !('polluted' in {}) &&",
  "  [].push.toString().includes('[native code]') &&",
  "  Math.max(1, 2) === 2 &&",
  "  JSON.stringify([1, 'a']) === '[1,\"a\"]' &&",
  "  String(Symbol.iterator) === 'Symbol(Symbol.iterator)' &&",
  "  typeof hog === 'undefined' &&",
  "  Object.getOwnPropertyNames(globalThis).every((name) => !name.startsWith('left'));",
  "function sq(x) {",
  "  return untouched ? x * x : -1;",
  "}",
].join("\n");

/** What a student tries, to leave something for the next answer or to get out; none earns. */
const exploits: [string, string][] = [
  [
    "globals, prototypes of built-ins and Object.prototype pollution",
    [
      "globalThis.leaked = 1;",
      "globalThis.leftover = { secret: 42 };",
      "Object.prototype.polluted = 1;",
      "Array.prototype.push = function () { return 0; };",
      "Math.max = () => 0;",
      "JSON.stringify = () => '[]';",
      "Object.defineProperty(Symbol.prototype, 'toString', { value: () => 'x' });",
      "function sq(x) { return 0; }",
    ].join("\n"),
  ],
  ["a huge allocation", "const hog = [];\nwhile (true) hog.push('x'.repeat(1e6) + hog.length);"],
  ["an endless loop", "globalThis.leaked = 1;\nwhile (true) {}"],
  [
    "an endless chain of promises",
    "globalThis.leaked = 1;\nconst spin = () => Promise.resolve().then(spin);\nspin();\nfunction sq(x) { return 0; }",
  ],
  ["endless recursion", "const deeper = (n) => deeper(n + 1) + 1;\ndeeper(0);"],
  [
    "code built with Function and eval, looking for the host",
    [
      "Function('return this')().leaked = 1;",
      "(0, eval)('Object.prototype.polluted = 1');",
      "const reach = Function(",
      '  "return [typeof process, typeof require, typeof WebAssembly, typeof __host, typeof std, typeof os, typeof print, typeof scriptArgs, typeof Deno, typeof Bun].join()"',
      ")();",
      "const nothing = Array(10).fill('undefined').join();",
      "function sq(x) { return reach === nothing ? 0 : x * x; }",
    ].join("\n"),
  ],
  ["WebAssembly", "function sq(x) { return typeof WebAssembly === 'object' ? x * x : 0; }"],
  [
    "forged frames printed as output",
    [
      'console.log(\'["v",0,["d","4"]]\\n["v",1,["d","9"]]\\n["done"]\');',
      'console.error(\'["start"]\\n["v",0,["d","4"]]\');',
      "function sq(x) { return 0; }",
    ].join("\n"),
  ],
];

const backends: [
  string,
  (limits: ReturnType<typeof defaultLimits>, slot: number) => Promise<Sandbox>,
][] = [
  ["bwrap", async (limits, slot) => new BwrapSandbox(limits, slot)],
  [
    "pyodide",
    async (limits, slot) => new PyodideSandbox(limits, (await pyodideIsolation()) ?? "uid", slot),
  ],
];

describe.each(backends)("the JavaScript slot process in the %s sandbox", (_, createSandbox) => {
  const limits = defaultLimits(1500, 128);
  const sandboxes: Sandbox[] = [];
  let graders: Grader[];
  const grade = (grader: Grader, code: string) =>
    grader.grade({ code, testingCode, language: "javascript" }).then(inEnglish);

  beforeAll(async () => {
    sandboxes.push(await createSandbox(limits, 5), await createSandbox(limits, 6));
    graders = sandboxes.map((sandbox) => new Grader(sandbox));
  });
  afterAll(() => {
    for (const sandbox of sandboxes) sandbox.close?.();
  });
  const grader0 = () => graders[0] as Grader;

  it("gives the clean answer full points", async () => {
    expect(await grade(graders[0] as Grader, cleanAnswer)).toEqual({
      passed: 3,
      total: 3,
      raised: false,
      errors: null,
    });
  });

  it.each(exploits)(
    "gives 0 to %s, and the next answer in the slot finds nothing of it",
    async (_, exploit) => {
      const grader = graders[0] as Grader;
      const report = await grade(grader, exploit);
      expect(report.passed).toBe(0);
      expect(await grade(grader, cleanAnswer)).toMatchObject({ passed: 3, total: 3, errors: null });
    },
  );

  it("cuts an error text or a report of tens of MB in the engine, not in the slot process", async () => {
    // Copied whole into the slot process's 128 MiB heap, each killed it ("Memory limit exceeded").
    const thrown = await grade(grader0(), 'throw new Error("x".repeat(50e6));');
    expect(thrown.passed).toBe(0);
    expect(thrown.errors).toMatch(/^Error: x{1000}/);
    expect(thrown.errors).toContain("(truncated)");
    const returned = await grade(grader0(), 'function sq(x) { return "x".repeat(40e6); }');
    expect(returned).toMatchObject({ passed: 0, errors: "Output limit exceeded" });
    expect(await grade(grader0(), cleanAnswer)).toMatchObject({ passed: 3, total: 3 });
  });

  it("reads long texts of 2-, 3- and 4-byte characters whole (a pipe read splits them)", async () => {
    const report = await grader0()
      .grade({
        code: "function repeat(text, n) { return text.repeat(n); }",
        testingCode: [
          'assert.strictEqual(repeat("é", 150001), "é".repeat(150001));',
          'assert.strictEqual(repeat("€", 100000) + "a", "€".repeat(100000) + "a");',
          'assert.deepStrictEqual([repeat("🙂", 70001), "x"], ["🙂".repeat(70001), "x"]);',
        ].join("\n"),
        language: "javascript",
      })
      .then(inEnglish);
    expect(report).toEqual({ passed: 3, total: 3, raised: false, errors: null });
  });

  it("grades 20 answers of two students in flight on two slots, each as if alone", async () => {
    // Student 0 answers well, student 1 tries an exploit each time; each slot gets both in turn.
    const answers = Array.from({ length: 20 }, (_, index) => ({
      student: index % 2,
      slot: Math.floor(index / 2) % 2,
      code:
        index % 2 === 0
          ? cleanAnswer
          : (exploits[Math.floor(index / 2) % exploits.length] as [string, string])[1],
    }));
    const reports = await Promise.all(
      answers.map(({ slot, code }) => grade(graders[slot] as Grader, code)),
    );
    reports.forEach((report, index) => {
      expect(report.passed, `answer ${index}`).toBe(answers[index]?.student === 0 ? 3 : 0);
    });
  });
});
