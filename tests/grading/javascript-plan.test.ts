/**
 * How JavaScript tests are split between the teacher-only run, the student's run and the judge:
 * what the student's run is given (inputs, never expected values), and that common test idioms
 * grade a correct answer right and a wrong one wrong. Real bubblewrap sandbox.
 */
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { javascriptHarness } from "../../src/grading/harness/javascript";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";

const sandbox = new BwrapSandbox(defaultLimits(2000, 256), 8);
const grader = new Grader(sandbox);
const grade = async (code: string, testingCode: string) =>
  inEnglish(await grader.grade({ code, testingCode, language: "javascript" }));

/** The plan of these tests, made by a real teacher-only run. */
async function planOf(testingCode: string) {
  const planning = javascriptHarness.planTests(testingCode);
  if (planning.kind !== "run") throw new Error("the tests were not run");
  const outcome = planning.readPlan(await sandbox.execute(planning.program));
  if (outcome.kind !== "plan") throw new Error(outcome.report.errors ?? "no plan");
  return outcome;
}

/** The input the student's run would get for these tests (answer left empty). */
async function studentInput(testingCode: string): Promise<string> {
  return javascriptHarness.studentRun("", (await planOf(testingCode)).plan).input;
}

describe("what the student's run is given", () => {
  it("gets inputs and set-up, never a statement or operand that only feeds an expected value", async () => {
    const input = await studentInput(
      [
        "const N = 3;",
        "const data = [3, 1, 2];",
        "const expected = [...data].sort((a, b) => a - b);",
        "function reference(xs) { return [...xs].sort(); }",
        "const alsoExpected = reference(data);",
        "assert.deepStrictEqual(sortList(data), expected);",
        "assert.deepStrictEqual(sortList(data), alsoExpected);",
        "assert(Math.abs(area(2) - 12.566) < 1e-3);",
        "assert.strictEqual(area(3) / 28.274 > 0.999, true);",
        "assert.deepStrictEqual(sortList([9, 8]), [8, 9], 'sorting [9, 8] should give [8, 9]');",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the tests
        "assert.deepStrictEqual(sortList([7, 5]), [5, 7], `should give [5, 7], not ${sortList([7, 5])}`);",
        "assert.throws(() => area(-1), /negative radius/);",
      ].join("\n"),
    );
    expect(input).toContain("const N = 3;");
    expect(input).toContain("const data = [3, 1, 2];");
    expect(input).toContain("sortList([9, 8])");
    for (const secret of [
      "expected",
      "reference",
      "12.566",
      "28.274",
      "[8, 9]",
      "[5, 7]",
      "should",
      "negative radius",
    ])
      expect(input).not.toContain(secret);
  });

  it("runs a statement that changes an input before the probe that reads it", async () => {
    const tests =
      "const list = [1, 2, 3];\nreverseInPlace(list);\nassert.deepStrictEqual(list, [3, 2, 1]);";
    expect(await grade("function reverseInPlace(xs) { xs.reverse(); }", tests)).toMatchObject({
      passed: 1,
      total: 1,
    });
    expect(await grade("function reverseInPlace(xs) { xs.sort(); }", tests)).toMatchObject({
      passed: 0,
      total: 1,
    });
  });
});

describe("asserts that are not top-level statements", () => {
  it("are named in the plan's warnings: the answer's run reports whether they raised", async () => {
    const nested = await planOf(
      [
        "const cases = [[2, 4], [3, 9]];",
        "for (const [x, y] of cases) assert.strictEqual(sq(x), y);",
        "cases.forEach(([x, y]) => assert.strictEqual(sq(x), y));",
        "assert.strictEqual(sq(5), 25);",
      ].join("\n"),
    );
    expect(nested.warnings).toEqual([
      expect.stringMatching(/^Line 2: its asserts run in the answer's run/),
      expect.stringMatching(/^Line 3: its asserts run in the answer's run/),
    ]);
    const topLevel = await planOf("assert.strictEqual(sq(2), 4);\nassert.strictEqual(sq(5), 25);");
    expect(topLevel.warnings).toEqual([]);
  });
});

describe("common test idioms", () => {
  const cases: [string, string, string, string][] = [
    [
      "strict and loose equality",
      "assert.strictEqual(sq(3), 9);\nassert.equal(sq('3'), 9);\nassert.notStrictEqual(sq(2), '4');\nassert.notEqual(sq(2), 5);",
      "function sq(x) { return x * x; }",
      "function sq(x) { return String(x * x); }",
    ],
    [
      "a tolerance around a float, and Object.is",
      "assert(Math.abs(area(2) - 12.566) < 1e-3);\nassert.ok(Object.is(area(0), 0));",
      "const area = (r) => Math.PI * r * r;",
      "const area = (r) => -3 * r * r;",
    ],
    [
      "arrays, objects, Maps, Sets and Dates",
      [
        "assert.deepStrictEqual(evens([1, 2, 3, 4]), [2, 4]);",
        "assert.deepStrictEqual(counts('aab'), { a: 2, b: 1 });",
        "assert.deepStrictEqual(countMap('aab'), new Map([['a', 2], ['b', 1]]));",
        "assert.deepStrictEqual(new Set(evens([4, 2, 4])), new Set([2, 4]));",
        "assert.deepStrictEqual(epoch(), new Date(0));",
      ].join("\n"),
      [
        "const evens = (xs) => xs.filter((x) => x % 2 === 0);",
        "function counts(s) { const c = {}; for (const ch of s) c[ch] = (c[ch] ?? 0) + 1; return c; }",
        "function countMap(s) { return new Map(Object.entries(counts(s))); }",
        "const epoch = () => new Date(0);",
      ].join("\n"),
      [
        "const evens = (xs) => xs;",
        "function counts(s) { return { a: 2, b: '1' }; }",
        "function countMap(s) { return new Map([['b', 1], ['a', 3]]); }",
        "const epoch = () => new Date(1);",
      ].join("\n"),
    ],
    [
      "logical operators and comparisons inside assert",
      "assert(isPrime(7) && !isPrime(8));\nassert(max([1, 5, 3]) >= 5 || max([]) === undefined);\nassert.ok(max([2]) ?? false);",
      "const isPrime = (n) => n > 1 && [...Array(n).keys()].slice(2).every((d) => n % d);\nconst max = (xs) => (xs.length ? Math.max(...xs) : undefined);",
      "const isPrime = (n) => n % 2 === 1;\nconst max = (xs) => 0;",
    ],
    [
      "errors thrown, by class, RegExp and properties",
      [
        "assert.throws(() => divide(1, 0), RangeError);",
        "assert.throws(() => divide(1, 0), /division by zero/);",
        "assert.throws(() => divide(1, 0), { name: 'RangeError', message: /zero/ });",
        "assert.throws(() => divide(1, 0), Error, 'dividing by zero should throw');",
      ].join("\n"),
      "function divide(a, b) { if (b === 0) throw new RangeError('division by zero'); return a / b; }",
      "function divide(a, b) { if (b === 0) throw new TypeError('nope'); return a / b; }",
    ],
    [
      "a result kept in a variable, an expected value in another, a function declared below",
      "const expected = [1, 2, 3];\nconst result = sortList([3, 2, 1]);\nassert.deepStrictEqual(result, expected);\nassert.strictEqual(result.length, 3);\nassert.deepStrictEqual(twice(result), [1, 2, 3, 1, 2, 3]);\nfunction twice(xs) { return [...xs, ...xs]; }",
      "const sortList = (xs) => [...xs].sort();",
      "const sortList = (xs) => xs.slice(1);",
    ],
  ];

  it.each(cases)("%s: right passes, wrong fails", async (_, tests, right, wrong) => {
    const total = tests.split("\n").filter((line) => line.startsWith("assert")).length;
    expect(await grade(right, tests)).toEqual({
      passed: total,
      total,
      raised: false,
      errors: null,
    });
    expect((await grade(wrong, tests)).passed).toBeLessThan(total);
  });

  it("fails an error of the wrong class without passing the others", async () => {
    const report = await grade(
      "function divide(a, b) { if (b === 0) throw new TypeError('division by zero'); }",
      "assert.throws(() => divide(1, 0), RangeError);\nassert.throws(() => divide(1, 0), /zero/);\nassert.throws(() => divide(1, 2));",
    );
    expect(report).toMatchObject({ passed: 1, total: 3 });
    expect(report.errors).toContain(
      "Line 1: assert.throws(() => divide(1, 0), RangeError);\nThe function threw TypeError: division by zero, not a RangeError.",
    );
    expect(report.errors).toContain(
      "Line 3: assert.throws(() => divide(1, 2));\nAssertionError: Missing expected exception.",
    );
  });

  it("shows the assert's message; the answer's run formats only the answer's values", async () => {
    const report = await grade(
      "function sq(x) { return x + x; }",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the tests
      "assert.strictEqual(sq(3), 9, `sq(3) should be 9, not ${sq(3)}`);\nassert.strictEqual(sq(2), 4, 'two');",
    );
    expect(report).toMatchObject({ passed: 1, total: 2 });
    expect(report.errors).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the tests
      "Line 1: assert.strictEqual(sq(3), 9, `sq(3) should be 9, not ${sq(3)}`);\nAssertionError: sq(3) should be 9, not 6",
    );
  });

  it("fails a case whose value is not plain data, whatever the method", async () => {
    const report = await grade(
      "class Box { valueOf() { return 5; } }\nconst make = () => new Box();",
      "assert.equal(make(), 5);\nassert.notStrictEqual(make(), 5);\nassert(make());",
    );
    expect(report.passed).toBe(0);
    expect(report.errors).toContain("The value of make() is not plain data (an instance of Box)");
  });

  it("reports the TypeError a comparison would throw", async () => {
    const report = await grade("const big = () => 2n;", "assert(big() + 1 > 2);");
    expect(report.errors).toBe(
      "Line 1: assert(big() + 1 > 2);\nTypeError: Cannot mix BigInt and other types, use explicit conversions",
    );
  });

  it("fails the remaining cases after an exception outside an assert, and counts asserts in a loop as statements", async () => {
    const report = await grade(
      "const sq = (x) => x * x;",
      "assert.strictEqual(sq(1), 1);\nfor (const x of [2, 3]) assert.strictEqual(sq(x), x * x + 1);\nassert.strictEqual(sq(4), 16);",
    );
    expect(report).toMatchObject({ passed: 1, total: 2, raised: true });
    expect(report.errors).toContain("AssertionError: Not strictly equal\n    at <tests>:2");
  });

  it("says the testing code is invalid, with its line, for every answer", async () => {
    for (const [tests, message] of [
      [
        "assert.strictEqual(sq(1),",
        "The testing code is invalid: SyntaxError: Unexpected token (1:25)",
      ],
      ["function assert() {}\nassert(sq(1));", "it may not define its own assert"],
      [
        "const pair = [1, 1];\nassert.equal(...pair);",
        "line 2: an assert's arguments can't be spread",
      ],
      ["assert.throws(() => f(), expectedFor(f));", "must not depend on the answer"],
    ] as const) {
      const report = await grade("const sq = (x) => x * x;", tests);
      expect(report, tests).toMatchObject({ passed: 0, total: 0, raised: true });
      expect(report.errors, tests).toContain(message);
    }
  });
});
