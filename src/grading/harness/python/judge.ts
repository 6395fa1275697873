import type { SandboxEnding } from "../../sandbox/sandbox";
import {
  CaseFailure,
  caseVerdict,
  frames,
  type RunReport,
  reportStudentRun,
  type StudentRunBasics,
} from "../harness";
import type { Expected, JudgeNode, PythonPlan } from "./plan";
import { decodeOutcome } from "./plan";
import {
  arithmetic,
  bool,
  callBuiltin,
  compare,
  PyException,
  type PyValue,
  truthy,
  unary,
} from "./values";

type Plan = Exclude<PythonPlan, { invalid: string }>;

/** What the student's run said. Untrusted: malformed, missing or repeated reports fail cases. */
interface StudentReports extends StudentRunBasics {
  probes: Map<number, Expected | "conflict">;
  messages: Map<number, string>;
}

const notPlainHint =
  "tests compare numbers, strings, booleans, None, and lists, tuples, dicts and sets of them";

function readReports(channel: string): StudentReports {
  const reports: StudentReports = {
    done: false,
    answerError: undefined,
    stop: undefined,
    probes: new Map(),
    messages: new Map(),
  };
  for (const [kind, first, second] of frames(channel)) {
    if (kind === "done") reports.done = true;
    else if (kind === "a" && typeof first === "string") reports.answerError ??= first;
    else if (kind === "x" && Number.isSafeInteger(first) && typeof second === "string")
      reports.stop ??= { statement: first as number, error: second };
    else if (kind === "p" && Number.isSafeInteger(first)) {
      const id = first as number;
      reports.probes.set(id, reports.probes.has(id) ? "conflict" : decodeOutcome(second));
    } else if (kind === "m" && Number.isSafeInteger(first) && typeof second === "string")
      reports.messages.set(first as number, second.slice(0, 4096));
  }
  return reports;
}

class CaseJudge {
  constructor(
    private readonly plan: Plan,
    private readonly reports: StudentReports,
  ) {}

  evaluate(node: JudgeNode): PyValue {
    try {
      return this.#evaluate(node);
    } catch (error) {
      if (error instanceof PyException) throw new CaseFailure(error.toString());
      if (error instanceof RangeError) throw new CaseFailure("The test is too complex to judge.");
      throw error;
    }
  }

  #evaluate(node: JudgeNode): PyValue {
    switch (node[0]) {
      case "p":
        return this.#probe(node[1]);
      case "e":
        return this.#expected(node[1]);
      case "and":
      case "or": {
        let value: PyValue = bool(true);
        for (const operand of node[1]) {
          value = this.#evaluate(operand);
          if (truthy(value) === (node[0] === "or")) return value;
        }
        return value;
      }
      case "u":
        return node[1] === "not"
          ? bool(!truthy(this.#evaluate(node[2])))
          : unary(node[1], this.#evaluate(node[2]));
      case "c": {
        let left = this.#evaluate(node[1]);
        for (const [op, operand] of node[2]) {
          const right = this.#evaluate(operand);
          if (!compare(op, left, right)) return bool(false);
          left = right;
        }
        return bool(true);
      }
      case "b": {
        const left = this.#evaluate(node[2]);
        return arithmetic(node[1], left, this.#evaluate(node[3]));
      }
      case "f": {
        const [, name, args, keywords] = node;
        const arity = name === "isinstance" || name === "isclose" ? 2 : 1;
        if (args.length !== arity) throw new CaseFailure("The test could not be judged.");
        const values = args.map((arg) => this.#evaluate(arg));
        const named = Object.fromEntries(
          Object.entries(keywords).map(([key, value]) => [key, this.#evaluate(value as JudgeNode)]),
        );
        return callBuiltin(name, values, named);
      }
    }
  }

  #probe(id: number): PyValue {
    const source = this.plan.probes[id] ?? "an operand";
    const reported = this.reports.probes.get(id);
    if (reported === undefined || reported === "conflict" || "text" in reported)
      throw new CaseFailure(`The answer's run did not report the value of ${source}.`);
    if ("raised" in reported) throw new CaseFailure(reported.raised);
    if ("notPlain" in reported)
      throw new CaseFailure(
        `The value of ${source} is not plain data (${reported.notPlain}): ${notPlainHint}.`,
      );
    return reported.value;
  }

  #expected(id: number): PyValue {
    const expected = this.plan.expected[id];
    if (expected === undefined || "text" in expected)
      throw new CaseFailure("The test's expected value is missing.");
    if ("raised" in expected) throw new CaseFailure(expected.raised);
    if ("notPlain" in expected)
      throw new CaseFailure(
        `The test compares a value that is not plain data (${expected.notPlain}): ${notPlainHint}.`,
      );
    return expected.value;
  }
}

/** The assert's message, from its parts: text of the tests, and texts the answer's run reported. */
function messageOf(plan: Plan, reports: StudentReports, message: Plan["cases"][number]["message"]) {
  if (message === null) return "AssertionError";
  const text = message
    .map((part) => {
      if ("text" in part) return part.text;
      if ("probe" in part) return reports.messages.get(part.probe) ?? "…";
      const expected = plan.expected[part.expected];
      return expected && "text" in expected ? expected.text : "…";
    })
    .join("")
    .slice(0, 4096);
  return text ? `AssertionError: ${text}` : "AssertionError";
}

/** null when the case passed, else why it failed. */
function judgeCase(
  plan: Plan,
  reports: StudentReports,
  testCase: Plan["cases"][number],
): string | null {
  return caseVerdict(testCase, () =>
    truthy(new CaseJudge(plan, reports).evaluate(testCase.test))
      ? null
      : messageOf(plan, reports, testCase.message),
  );
}

/** Applies each case's test to the expected values and the values the student's run reported. */
export function judgeAnswer(plan: Plan, ending: SandboxEnding): RunReport {
  const reports = readReports(ending.channel);
  return reportStudentRun(ending, reports, plan.cases, plan.stop, (testCase) =>
    judgeCase(plan, reports, testCase),
  );
}
