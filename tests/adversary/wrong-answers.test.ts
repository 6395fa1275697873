/**
 * Adversary: wrong answers that pass cases Python fails. SECURITY.md says the gaps of the taint
 * analysis "can make an honest answer fail, never a dishonest one pass"; these pass.
 * - The tests hand the answer their data through their own function (`fresh_input()` returns
 *   the global list). Taint follows the function's name, not the list, so `DATA == [3, 1, 2]` —
 *   "must not modify its argument" — is decided in the teacher-only run, before any answer ran:
 *   an answer that sorts in place passes it.
 * - The judge's int / int underflows to 0.0 below 2**-1022 where Python keeps the value, so
 *   `ratio(5) / 2 ** 1024 == 0` passes though 5 / 2**1024 is 2.78e-308.
 * Real bubblewrap sandbox, the real grader.
 */
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";

const grader = new Grader(new BwrapSandbox(defaultLimits(2000, 256), 16));

describe("wrong answers fail the cases Python fails", () => {
  it("an answer that modifies the list the tests' getter handed it", async () => {
    const testingCode = [
      "DATA = [3, 1, 2]",
      "def fresh_input():",
      "    return DATA",
      "result = sorted_copy(fresh_input())",
      "assert result == [1, 2, 3]",
      'assert DATA == [3, 1, 2], "sorted_copy must not modify its argument"',
    ].join("\n");
    const right = "def sorted_copy(xs):\n    return sorted(xs)\n";
    const inPlace = "def sorted_copy(xs):\n    xs.sort()\n    return xs\n";
    expect(await grader.grade({ code: right, testingCode })).toMatchObject({
      passed: 2,
      total: 2,
    });
    const report = await grader.grade({ code: inPlace, testingCode });
    expect(report.passed).toBe(1);
    expect(report.errors).toContain("sorted_copy must not modify its argument");
  });

  it("a value whose quotient by 2 ** 1024 is not 0", async () => {
    const report = await grader.grade({
      code: "def ratio(x):\n    return x\n",
      testingCode: "assert ratio(5) / 2 ** 1024 == 0",
    });
    expect(report.passed).toBe(0);
  });
});
