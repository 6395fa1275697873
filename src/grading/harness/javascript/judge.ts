import * as vm from "node:vm";
import { graderText } from "../../../i18n/grader-text";
import type { SandboxEnding } from "../../sandbox/sandbox";
import {
  CaseFailure,
  caseVerdict,
  frames,
  type RunReport,
  reportStudentRun,
  type StudentRunBasics,
} from "../harness";
import {
  decodeOutcome,
  type JavaScriptPlan,
  type JudgeNode,
  type Outcome,
  type PlannedCase,
  type ThrownFacts,
} from "./plan";
import {
  abs,
  assertionHolds,
  binary,
  deepStrictEqual,
  isObject,
  JsException,
  type JsObject,
  type JsValue,
  sameValue,
  truthy,
  unary,
} from "./values";

/** What the student's run said. Untrusted: malformed, missing or repeated reports fail cases. */
interface StudentReports extends StudentRunBasics {
  probes: Map<number, Outcome | "conflict">;
}

const regExpTimeoutMs = 100;
const notPlainHint = graderText("grading_plain_javascript");

function readReports(channel: string): StudentReports {
  const reports: StudentReports = {
    done: false,
    answerError: undefined,
    stop: undefined,
    probes: new Map(),
  };
  for (const [kind, first, second] of frames(channel)) {
    if (kind === "done") reports.done = true;
    else if (kind === "a" && typeof first === "string") reports.answerError ??= first;
    else if (kind === "x" && Number.isSafeInteger(first) && typeof second === "string")
      reports.stop ??= { statement: first as number, error: second };
    else if (["v", "s", "t"].includes(kind as string) && Number.isSafeInteger(first)) {
      const id = first as number;
      reports.probes.set(id, reports.probes.has(id) ? "conflict" : decodeOutcome(kind, second));
    }
  }
  return reports;
}

/** Whether a RegExp of the tests matches a text of the answer's, stopped if it backtracks too long. */
function regExpMatches(pattern: Extract<JsObject, { t: "regexp" }>, text: string): boolean {
  try {
    return vm.runInNewContext(
      "new RegExp(source, flags).test(text)",
      { source: pattern.source, flags: pattern.flags, text },
      { timeout: regExpTimeoutMs },
    ) as boolean;
  } catch {
    throw new CaseFailure(graderText("grading_regexp_too_slow", { pattern: pattern.source }));
  }
}

const defaultMessages: Record<PlannedCase["method"], string> = {
  ok: "The expression evaluated to a falsy value",
  equal: "Expected values to be loosely equal",
  notEqual: "Expected values to be loosely unequal",
  strictEqual: "Expected values to be strictly equal",
  notStrictEqual: 'Expected "actual" to be strictly unequal to "expected"',
  deepStrictEqual: "Expected values to be strictly deep-equal",
  throws: "Missing expected exception.",
};

class CaseJudge {
  constructor(
    private readonly plan: JavaScriptPlan,
    private readonly reports: StudentReports,
  ) {}

  /** Whether the case passes; a CaseFailure says why it could not. */
  passes(testCase: PlannedCase): boolean {
    const args = testCase.args;
    try {
      if (testCase.method === "throws") return this.#throws(args[0], args[1]);
      const [actual, expected] = args.map((node) => this.evaluate(node)) as [JsValue, JsValue];
      return assertionHolds(testCase.method, actual, expected);
    } catch (error) {
      if (error instanceof JsException) throw new CaseFailure(error.message);
      if (error instanceof RangeError) throw new CaseFailure(graderText("grading_too_complex"));
      throw error;
    }
  }

  evaluate(node: JudgeNode): JsValue {
    switch (node[0]) {
      case "p":
        return this.#value(
          this.#probe(node[1]),
          this.plan.probes[node[1]] ?? "an operand",
          "The value of",
        );
      case "e":
        return this.#value(this.plan.expected[node[1]], "an expected value", "The test compares");
      case "l": {
        const left = this.evaluate(node[2]);
        if (node[1] === "&&") return truthy(left) ? this.evaluate(node[3]) : left;
        if (node[1] === "||") return truthy(left) ? left : this.evaluate(node[3]);
        return left === null || left === undefined ? this.evaluate(node[3]) : left;
      }
      case "u":
        return node[1] === "!"
          ? !truthy(this.evaluate(node[2]))
          : unary(node[1], this.evaluate(node[2]));
      case "b": {
        const left = this.evaluate(node[2]);
        return binary(node[1], left, this.evaluate(node[3]));
      }
      case "abs":
        return abs(this.evaluate(node[1]));
      case "is": {
        const left = this.evaluate(node[1]);
        return sameValue(left, this.evaluate(node[2]));
      }
    }
  }

  #probe(id: number): Outcome {
    const reported = this.reports.probes.get(id);
    if (reported === "conflict") return undefined;
    return reported;
  }

  #value(outcome: Outcome, source: string, what: string): JsValue {
    if (
      outcome === undefined ||
      !("value" in outcome || "raised" in outcome || "notPlain" in outcome)
    )
      throw new CaseFailure(graderText("grading_value_not_reported", { source }));
    if ("raised" in outcome) throw new CaseFailure(outcome.raised);
    if ("notPlain" in outcome)
      throw new CaseFailure(
        `${
          what === "The value of"
            ? graderText("grading_value_not_plain", { source, type: outcome.notPlain })
            : graderText("grading_expected_not_plain", { type: outcome.notPlain })
        } ${notPlainHint}`,
      );
    return outcome.value;
  }

  /** assert.throws: judged on what the run that called the function reported it threw. */
  #throws(fn: JudgeNode | undefined, matcher: JudgeNode | undefined): boolean {
    const outcome =
      fn?.[0] === "p"
        ? this.#probe(fn[1])
        : fn?.[0] === "e"
          ? this.plan.expected[fn[1]]
          : undefined;
    if (outcome && "raised" in outcome) throw new CaseFailure(outcome.raised);
    if (!outcome || !("thrown" in outcome))
      throw new CaseFailure(graderText("grading_thrown_not_reported"));
    if (outcome.thrown === null) return false;
    if (matcher?.[0] !== "e") return true;
    const expected = this.plan.expected[matcher[1]];
    if (expected && "errorClass" in expected) {
      const [name] = expected.errorClass;
      if (name !== undefined && outcome.thrown.chain.includes(name)) return true;
      throw new CaseFailure(
        outcome.thrown.text
          ? graderText("grading_threw_other", { thrown: outcome.thrown.text, expected: `${name}` })
          : graderText("grading_threw_value_other", { expected: `${name}` }),
      );
    }
    if (expected && "value" in expected) return this.#matches(outcome.thrown, expected.value);
    if (expected && "notPlain" in expected)
      throw new CaseFailure(graderText("grading_throws_validation_function"));
    this.#value(expected, "the expected error", "The test compares");
    return false;
  }

  #matches(thrown: ThrownFacts, expected: JsValue): boolean {
    if (typeof expected === "string") return true;
    if (isObject(expected) && expected.t === "regexp") return regExpMatches(expected, thrown.text);
    if (!isObject(expected) || expected.t !== "object" || expected.v.length === 0)
      throw new CaseFailure(graderText("grading_throws_matcher_kind"));
    if (thrown.chain.length === 0) return false;
    return expected.v.every(([key, value]) => {
      const actual = thrown.props[key];
      if (isObject(value) && value.t === "regexp" && typeof actual === "string")
        return regExpMatches(value, actual);
      return deepStrictEqual(actual, value);
    });
  }
}

/** The assert's message, from its parts: text of the tests, and texts the answer's run reported. */
function messageOf(plan: JavaScriptPlan, reports: StudentReports, testCase: PlannedCase): string {
  if (testCase.message === null) return `AssertionError: ${defaultMessages[testCase.method]}`;
  const text = testCase.message
    .map((part) => {
      if ("text" in part) return part.text;
      const outcome =
        "probe" in part ? reports.probes.get(part.probe) : plan.expected[part.expected];
      return outcome && outcome !== "conflict" && "text" in outcome ? outcome.text : "…";
    })
    .join("")
    .slice(0, 4096);
  return `AssertionError: ${text}`;
}

function judgeCase(
  plan: JavaScriptPlan,
  reports: StudentReports,
  testCase: PlannedCase,
): string | null {
  return caseVerdict(testCase, () =>
    new CaseJudge(plan, reports).passes(testCase) ? null : messageOf(plan, reports, testCase),
  );
}

/** Applies each case's assert to the expected values and the values the student's run reported. */
export function judgeAnswer(plan: JavaScriptPlan, ending: SandboxEnding): RunReport {
  const reports = readReports(ending.channel);
  return reportStudentRun(ending, reports, plan.cases, plan.stop, (testCase) =>
    judgeCase(plan, reports, testCase),
  );
}
