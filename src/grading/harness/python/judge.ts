import { graderText } from "../../../i18n/grader-text";
import type { SandboxEnding } from "../../sandbox/sandbox";
import {
  CaseFailure,
  caseVerdict,
  type RunReport,
  reportStudentRun,
  type StudentRunBasics,
} from "../harness";
import type { Expected, JudgeNode, PythonPlan } from "./plan";
import { decodeOutcome, nestsTooDeeply } from "./plan";
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

const notPlainHint = graderText("grading_plain_python");
/** Deeper lines are not parsed: the decoder refuses values nested deeper than ~110 anyway. */
const maxNesting = 120;
/** Lines beyond the frames an honest run writes (["start"], the stop or the answer's error, ["done"]). */
const spareLines = 8;

/** The line as JSON, or undefined when it isn't (or is nested too deeply to bother). */
function parseLine(line: string): unknown {
  if (nestsTooDeeply(line, maxNesting)) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * The first frame for each probe is its report (the runner releases data that the student's run
 * must not see before a probe's value only once that frame is on the channel, see the planner's
 * gates): a second one for the same probe is a conflict, and after a stop (["x", …] or ["a", …])
 * only message texts count. Reads at most as many lines as an honest run writes, each once, in
 * time linear in the channel's size.
 */
function readReports(channel: string, probeCount: number): StudentReports {
  const reports: StudentReports = {
    done: false,
    answerError: undefined,
    stop: undefined,
    probes: new Map(),
    messages: new Map(),
  };
  let stopped = false;
  let start = 0;
  for (let lines = 0; lines < probeCount + spareLines && start < channel.length; lines++) {
    const newline = channel.indexOf("\n", start);
    const end = newline < 0 ? channel.length : newline;
    const line = channel.slice(start, end);
    start = end + 1;
    if (line === '["done"]') {
      reports.done = true;
      break;
    }
    const frame = /^\["([pmxa])",(?:(\d{1,7}),)?/.exec(line);
    if (!frame) continue;
    const [, kind, id] = frame as unknown as [string, string, string | undefined];
    const ident = id === undefined ? -1 : Number(id);
    const parsed = parseLine(line);
    const body = Array.isArray(parsed) ? (parsed as unknown[]) : [];
    if (kind === "p" && ident >= 0 && ident < probeCount && !stopped) {
      reports.probes.set(ident, reports.probes.has(ident) ? "conflict" : decodeOutcome(body[2]));
    } else if (kind === "m" && ident >= 0 && typeof body[2] === "string") {
      if (!reports.messages.has(ident)) reports.messages.set(ident, body[2].slice(0, 4096));
    } else if (kind === "x" && ident >= 0 && typeof body[2] === "string") {
      reports.stop ??= { statement: ident, error: body[2] };
      stopped = true;
    } else if (kind === "a" && id === undefined && typeof body[1] === "string") {
      reports.answerError ??= body[1];
      stopped = true;
    }
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
      if (error instanceof RangeError) throw new CaseFailure(graderText("grading_too_complex"));
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
        const arity =
          name === "isinstance" || name === "isclose" ? [2] : name === "round" ? [1, 2] : [1];
        if (!arity.includes(args.length)) throw new CaseFailure(graderText("grading_not_judged"));
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
    if (reported === undefined || reported === "conflict")
      throw new CaseFailure(graderText("grading_value_not_reported", { source }));
    if ("raised" in reported) throw new CaseFailure(reported.raised);
    if ("notPlain" in reported)
      throw new CaseFailure(
        `${graderText("grading_value_not_plain", { source, type: reported.notPlain })} ${notPlainHint}`,
      );
    return reported.value;
  }

  #expected(id: number): PyValue {
    const expected = this.plan.expected[id];
    if (expected === undefined) throw new CaseFailure(graderText("grading_expected_missing"));
    if ("raised" in expected) throw new CaseFailure(expected.raised);
    if ("notPlain" in expected)
      throw new CaseFailure(
        `${graderText("grading_expected_not_plain", { type: expected.notPlain })} ${notPlainHint}`,
      );
    return expected.value;
  }
}

/** The assert's message, from its parts: text of the tests, and texts the answer's run reported. */
function messageOf(reports: StudentReports, message: Plan["cases"][number]["message"]) {
  if (message === null) return "AssertionError";
  const text = message
    .map((part) => ("text" in part ? part.text : (reports.messages.get(part.probe) ?? "…")))
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
      : messageOf(reports, testCase.message),
  );
}

/** The most a run may write on its channel to be judged on the event loop (see judgesQuickly). */
const quickChannelBytes = 8 * 1024;
const comparesOnly = new WeakMap<Plan, boolean>();

/** Whether a test only compares values (no arithmetic or built-in call, whose results can grow). */
function onlyCompares(node: JudgeNode): boolean {
  switch (node[0]) {
    case "p":
    case "e":
      return true;
    case "and":
    case "or":
      return node[1].every(onlyCompares);
    case "u":
      return onlyCompares(node[2]);
    case "c":
      return onlyCompares(node[1]) && node[2].every(([, operand]) => onlyCompares(operand));
    default:
      return false;
  }
}

/**
 * A small report judged by comparisons only takes time linear in the channel and the plan's
 * expected values (the reader, the decoder and the comparisons are linear): milliseconds.
 */
export function judgesQuickly(plan: Plan, ending: SandboxEnding): boolean {
  if (ending.channel.length > quickChannelBytes) return false;
  let compares = comparesOnly.get(plan);
  if (compares === undefined) {
    compares = plan.cases.every((testCase) => onlyCompares(testCase.test));
    comparesOnly.set(plan, compares);
  }
  return compares;
}

/** Applies each case's test to the expected values and the values the student's run reported. */
export function judgeAnswer(plan: Plan, ending: SandboxEnding): RunReport {
  const reports = readReports(ending.channel, plan.probes.length);
  return reportStudentRun(ending, reports, plan.cases, plan.stop, (testCase) =>
    judgeCase(plan, reports, testCase),
  );
}
