/** The judge reads what the student's process wrote as untrusted input: it fails cases, never throws. */
import { describe, expect, it } from "vitest";
import { judgeAnswer, judgesQuickly } from "../../src/grading/harness/python/judge";
import { decodeOutcome, type PythonPlan } from "../../src/grading/harness/python/plan";
import { inEnglish } from "../helpers/english-report";
import { sandboxEnding as ending } from "../helpers/sandbox-ending";

type Plan = Exclude<PythonPlan, { invalid: string }>;

const judgedInEnglish = (...args: Parameters<typeof judgeAnswer>) =>
  inEnglish(judgeAnswer(...args));

/** `assert f() == 3` and `assert g() > 1`, as the teacher-only run plans them. */
const plan: Plan = {
  cases: [
    {
      statement: 0,
      line: 1,
      source: "assert f() == 3",
      test: ["c", ["p", 0], [["==", ["e", 0]]]],
      message: null,
    },
    {
      statement: 1,
      line: 2,
      source: "assert g() > 1",
      test: ["c", ["p", 1], [[">", ["e", 1]]]],
      message: null,
    },
  ],
  probes: ["f()", "g()"],
  steps: [
    ["p", 0, 1, "f()", null],
    ["p", 1, 2, "g()", null],
  ],
  gates: [],
  warnings: [],
  expected: [decodeOutcome(["i", "3"]), decodeOutcome(["i", "1"])],
  stop: null,
};

const lines = (...frames: string[]) => `${frames.join("\n")}\n`;
const honest = ['["start"]', '["p",0,["i","3"]]', '["p",1,["i","2"]]', '["done"]'];

describe("judging an answer's reports", () => {
  it("passes cases whose reported values meet the expected ones", () => {
    expect(judgedInEnglish(plan, ending(lines(...honest)))).toEqual({
      passed: 2,
      total: 2,
      raised: false,
      errors: null,
    });
  });

  it.each([
    ["no final report", lines('["p",0,["i","3"]]', '["p",1,["i","2"]]')],
    ["reports after the final one", lines('["done"]', '["p",0,["i","3"]]', '["p",1,["i","2"]]')],
    [
      "a probe reported twice",
      lines('["p",0,["i","3"]]', '["p",0,["i","3"]]', '["p",1,["i","2"]]', '["done"]'),
    ],
    ["an id that isn't a number", lines('["p","0",["i","3"]]', '["p",1,["i","2"]]', '["done"]')],
    ["malformed values", lines('["p",0,["i","3x"]]', '["p",1,["q",2]]', '["done"]')],
    ["a bool for an int", lines('["p",0,["b",true]]', '["p",1,["b",true]]', '["done"]')],
    [
      "a value that is not plain",
      lines('["p",0,["x","Anything"]]', '["p",1,["x","Anything"]]', '["done"]'),
    ],
    [
      "garbage",
      lines("\u0000\u0001{{{", "[".repeat(100_000), `["p",0,${"[".repeat(5000)}`, '["done"]'),
    ],
  ])("fails cases on %s, without throwing", (_, channel) => {
    const report = judgedInEnglish(plan, ending(channel));
    expect(report.passed).toBeLessThan(2);
    expect(report.errors).toBeTruthy();
  });

  it("fails every case at a limit, saying which", () => {
    expect(judgedInEnglish(plan, ending(lines(...honest), { stoppedFor: "time" }))).toEqual({
      passed: 0,
      total: 2,
      raised: true,
      errors: "Time limit exceeded (2 s)",
    });
    expect(judgedInEnglish(plan, ending(lines(...honest), { stoppedFor: "output" })).errors).toBe(
      "Output limit exceeded",
    );
  });

  it("fails the cases after a statement that raised", () => {
    const stopped = lines('["p",0,["i","3"]]', '["x",0,"ValueError: boom"]', '["done"]');
    expect(judgedInEnglish(plan, ending(stopped))).toEqual({
      passed: 1,
      total: 2,
      raised: true,
      errors: "ValueError: boom",
    });
  });

  it("shows why a case failed: the assert, then the student's exception or AssertionError", () => {
    const report = judgedInEnglish(
      plan,
      ending(
        lines(
          '["p",0,["E","ZeroDivisionError: division by zero"]]',
          '["p",1,["i","0"]]',
          '["done"]',
        ),
      ),
    );
    expect(report.errors).toBe(
      "Line 1: assert f() == 3\nZeroDivisionError: division by zero\n\nLine 2: assert g() > 1\nAssertionError",
    );
  });
});

describe("which reports are judged on the event loop", () => {
  const withTest = (test: Plan["cases"][number]["test"]): Plan => ({
    ...plan,
    cases: [{ ...(plan.cases[0] as Plan["cases"][number]), test }],
  });

  it("a small report of a plan that only compares, negates and combines values", () => {
    expect(judgesQuickly(plan, ending(lines(...honest)))).toBe(true);
    const combined = withTest([
      "and",
      [
        ["u", "not", ["c", ["p", 0], [["<", ["e", 0]]]]],
        ["c", ["u", "-", ["p", 1]], [["!=", ["e", 1]]]],
      ],
    ]);
    expect(judgesQuickly(combined, ending(lines(...honest)))).toBe(true);
  });

  it("not a plan with arithmetic or built-in calls, whose results can grow, however small", () => {
    const product = withTest(["c", ["b", "*", ["p", 0], ["p", 1]], [["==", ["e", 0]]]]);
    const rounded = withTest([
      "c",
      [
        "f",
        "round",
        [
          ["p", 0],
          ["p", 1],
        ],
        {},
      ],
      [["==", ["e", 0]]],
    ]);
    expect(judgesQuickly(product, ending(lines(...honest)))).toBe(false);
    expect(judgesQuickly(rounded, ending(lines(...honest)))).toBe(false);
  });

  it("not a report past 8 KiB, even of a plan that only compares", () => {
    const big = `["p",0,["s","${"a".repeat(9000)}"]]`;
    expect(judgesQuickly(plan, ending(lines('["start"]', big, '["done"]')))).toBe(false);
  });
});
