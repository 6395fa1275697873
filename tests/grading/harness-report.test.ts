import { describe, expect, it } from "vitest";
import { interpretRun, type RunEnding } from "../../src/grading/sandbox/harness-report";

const nonce = "n0nce";
const frame = (value: object, withNonce = nonce) => `${withNonce} ${JSON.stringify(value)}`;
const ending = (lines: string[], extra: Partial<RunEnding> = {}): RunEnding => ({
  channel: `${lines.join("\n")}\n`,
  nonce,
  stoppedFor: undefined,
  timeLimitMs: 2000,
  exitCode: 0,
  signal: null,
  stderrTail: "",
  ...extra,
});

describe("interpreting a run", () => {
  it("counts passed cases of the plan", () => {
    const report = interpretRun(
      ending([
        frame({ plan: 2 }),
        frame({ case: 1, ok: true, message: null }),
        frame({ case: 2, ok: false, message: "Line 2: assert f() == 1\nAssertionError" }),
        frame({ done: true }),
      ]),
    );
    expect(report).toEqual({
      passed: 1,
      total: 2,
      raised: false,
      errors: "Line 2: assert f() == 1\nAssertionError",
    });
  });

  it("ignores frames without this run's nonce, and repeated case frames", () => {
    const report = interpretRun(
      ending([
        frame({ plan: 2 }),
        frame({ case: 1, ok: false, message: "failed" }),
        frame({ case: 1, ok: true, message: null }),
        frame({ case: 2, ok: true, message: null }, "guess"),
        'n0nce {"case": 2, "ok": tru',
        frame({ done: true }),
      ]),
    );
    expect(report.passed).toBe(0);
    expect(report.total).toBe(2);
  });

  it("fails every case when the run ends without its done frame", () => {
    const report = interpretRun(
      ending([frame({ plan: 2 }), frame({ case: 1, ok: true, message: null })]),
    );
    expect(report).toMatchObject({ passed: 0, total: 2, raised: true });
    expect(report.errors).toContain("exiting early never passes");
  });

  it("fails every case at a limit, saying which", () => {
    const lines = [
      frame({ plan: 1 }),
      frame({ case: 1, ok: true, message: null }),
      frame({ done: true }),
    ];
    expect(interpretRun(ending(lines, { stoppedFor: "time" })).errors).toBe(
      "Time limit exceeded (2 s)",
    );
    expect(interpretRun(ending(lines, { stoppedFor: "output" })).errors).toBe(
      "Output limit exceeded",
    );
    expect(interpretRun(ending(lines, { stoppedFor: "time" })).passed).toBe(0);
  });

  it("reports an exception outside the asserts as raised", () => {
    const report = interpretRun(
      ending([
        frame({ plan: 1 }),
        frame({ error: "ZeroDivisionError: division by zero", where: "answer" }),
        frame({ done: true }),
      ]),
    );
    expect(report).toEqual({
      passed: 0,
      total: 1,
      raised: true,
      errors: "ZeroDivisionError: division by zero",
    });
  });

  it("recognizes a run killed for memory", () => {
    const report = interpretRun(
      ending([frame({ plan: 1 })], { stderrTail: "MemoryError", exitCode: 1 }),
    );
    expect(report.errors).toBe("Memory limit exceeded");
  });
});
