/**
 * The JavaScript judge reads what the student's process wrote as untrusted input: an answer that
 * got out of its context can write anything on the channel. Forged, malformed, repeated or
 * hostile reports fail cases, never throw, never pass a case on values the answer didn't
 * compute, and never reach the runner's own objects. The plan is the real one: planned from the
 * tests and computed by the teacher-only run in the real sandbox.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { javascriptHarness } from "../../src/grading/harness/javascript";
import type { JavaScriptPlan } from "../../src/grading/harness/javascript/plan";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { sandboxEnding as ending } from "../helpers/sandbox-ending";

const sandbox = new BwrapSandbox(defaultLimits(2000, 256), 8);
const tests = [
  "assert.strictEqual(f(), 3);",
  "assert.deepStrictEqual(g(), { a: 1n });",
  "assert.throws(() => h(), { message: 'bad' });",
].join("\n");
const correct =
  "const f = () => 3, g = () => ({ a: 1n });\nfunction h() { throw new Error('bad'); }";

let plan: JavaScriptPlan;
beforeAll(async () => {
  const planning = javascriptHarness.planTests(tests);
  if (planning.kind !== "run") throw new Error("the tests were not run");
  const outcome = planning.readPlan(await sandbox.execute(planning.program));
  if (outcome.kind !== "plan") throw new Error(outcome.report.errors ?? "no plan");
  plan = outcome.plan;
});

const lines = (...frames: string[]) => `${frames.join("\n")}\n`;
const thrown =
  '["t",2,["T",1,{"chain":["Error","Object"],"text":"Error: bad","props":{"name":"Error","message":"bad"}}]]';
const rightF = '["v",0,["d","3"]]';
const rightG = '["v",1,["o",["a",["i","1"]]]]';
const honest = ['["start"]', rightF, rightG, thrown, '["done"]'];
/** The honest reports with the first two probes replaced. */
const forging = (f: string, g: string) => lines('["start"]', f, g, thrown, '["done"]');

describe("judging a JavaScript answer's reports", () => {
  it("passes an honest run's reports, which the real student's run writes", async () => {
    const run = await sandbox.execute(javascriptHarness.studentRun(correct, plan));
    expect(run.channel).toBe(lines(...honest));
    expect(javascriptHarness.judge(plan, ending(lines(...honest)))).toEqual({
      passed: 3,
      total: 3,
      raised: false,
      errors: null,
    });
  });

  it.each([
    ["no final report", 0, lines(...honest.slice(0, -1))],
    ["a final report before the values", 0, lines('["done"]', ...honest)],
    ["a statement that stopped before the first case", 0, lines('["x",-1,"stop"]', ...honest)],
    ["a probe reported twice, alike", 2, forging(`${rightF}\n${rightF}`, rightG)],
    [
      "an id that isn't a number",
      1,
      forging('["v","0",["d","3"]]', '["v",1.5,["o",["a",["i","1"]]]]'),
    ],
    ["a number written another way", 2, forging('["v",0,["d","3.0"]]', rightG)],
    ["a number with spaces", 2, forging(rightF, '["v",1,["o",["a",["d"," 1"]]]]')],
    ["a bigint written in decimal with n", 2, forging(rightF, '["v",1,["o",["a",["i","1n"]]]]')],
    ["a bigint written with 0x", 2, forging(rightF, '["v",1,["o",["a",["i","0x1"]]]]')],
    ["a string for a number", 2, forging('["v",0,["s","3"]]', rightG)],
    ["a bool for a bigint", 2, forging(rightF, '["v",1,["o",["a",["b",true]]]]')],
    ["a key given twice", 2, forging(rightF, '["v",1,["o",["a",["i","1"],"a",["i","1"]]]]')],
    ["an odd list of keys and values", 2, forging(rightF, '["v",1,["o",["a",["i","1"],"b"]]]')],
    ["an outcome of the wrong kind", 1, forging('["v",0,["T",0]]', '["t",1,["T",0]]')],
    ["values that are not plain", 1, forging('["v",0,["x","Anything"]]', '["v",1,["x","x"]]')],
    ["a bigint too long to read", 2, forging(rightF, `["v",1,["i","${"f".repeat(1_000_001)}"]]`)],
    [
      "a bigint as long as can be read",
      2,
      forging(rightF, `["v",1,["i","${"f".repeat(999_999)}"]]`),
    ],
    [
      "values nested deeper than plain data goes",
      2,
      forging(rightF, `["v",1,${'["a",['.repeat(200)}["n"]${"]]".repeat(200)}]`),
    ],
    [
      "garbage",
      0,
      lines("\u0000\u0001{{{", "[".repeat(100_000), `["v",0,${"[".repeat(5000)}`, '["done"]'),
    ],
  ])("fails cases on %s, without throwing", (_, passed, channel) => {
    const report = javascriptHarness.judge(plan, ending(channel));
    expect(report.passed).toBe(passed);
    expect(report.errors).toBeTruthy();
  });

  it("fails assert.throws on forged facts, and keeps their keys off every prototype", () => {
    const facts = [
      '{"chain":[],"text":"","props":{"message":"bad"}}',
      '{"chain":["Error"],"text":"","props":{"__proto__":{"message":"bad"}}}',
      '{"chain":["Error"],"text":"","props":{"message":["bad"]}}',
      '{"chain":"Error","text":"","props":{"message":"bad"}}',
    ];
    for (const forged of facts) {
      const channel = lines(...honest.slice(0, 3), `["t",2,["T",1,${forged}]]`, '["done"]');
      expect(javascriptHarness.judge(plan, ending(channel)), forged).toMatchObject({
        passed: 2,
        total: 3,
      });
    }
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("message");
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it("judges a value with a key named __proto__ as plain data, polluting nothing", () => {
    const channel = forging(
      rightF,
      '["v",1,["o",["__proto__",["o",["polluted",["b",true]]],"a",["i","1"]]]]',
    );
    // { a: 1n } has no own __proto__ key: deepStrictEqual fails, as node:assert's does.
    expect(javascriptHarness.judge(plan, ending(channel))).toMatchObject({ passed: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
  });
});
