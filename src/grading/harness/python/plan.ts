import type { Comparison, JudgedCall, PyValue } from "./values";
import { decodeValue } from "./values";

/** An assert's test, split down to probes (the student's run reports them) and expected values. */
export type JudgeNode =
  | ["p", number]
  | ["e", number]
  | ["and" | "or", JudgeNode[]]
  | ["u", "not" | "-" | "+", JudgeNode]
  | ["c", JudgeNode, [Comparison, JudgeNode][]]
  | ["b", "+" | "-" | "*" | "/", JudgeNode, JudgeNode]
  | ["f", JudgedCall, JudgeNode[], Partial<Record<"rel_tol" | "abs_tol", JudgeNode>>];

/** An expected operand as the teacher-only run found it. */
export type Expected = { value: PyValue } | { raised: string } | { notPlain: string } | undefined;

/** A part of an assert's message: text of the tests, or a text the answer's run reports. */
export type MessagePart = { text: string } | { probe: number };

export interface PlanCase {
  statement: number;
  line: number;
  source: string;
  test: JudgeNode;
  message: MessagePart[] | null;
}

/**
 * A step of the student's run: kind, id, line in the tests, source, and for a *soft* step (what
 * the tests provide for an answer that uses it) the names that call for it and the names it needs.
 */
export type Step = [string, number, number, string, [string[], string[]] | null];

export type PythonPlan =
  | { invalid: string }
  | {
      cases: PlanCase[];
      /** Each probe's source in the tests, for the reasons of failed cases. */
      probes: string[];
      steps: Step[];
      /** [step, probes]: that step and the ones after are sent once those probes are reported. */
      gates: [number, number[]][];
      expected: Expected[];
      stop: { statement: number; line: number; error: string } | null;
      warnings: string[];
    };

export function decodeOutcome(raw: unknown): Expected {
  if (Array.isArray(raw) && raw[0] === "E" && typeof raw[1] === "string") return { raised: raw[1] };
  if (Array.isArray(raw) && raw[0] === "x" && typeof raw[1] === "string")
    return { notPlain: raw[1] };
  const value = decodeValue(raw);
  return value ? { value } : undefined;
}

class Invalid extends Error {}

const maxText = 65_536;
const maxItems = 100_000;
const maxTreeDepth = 200;
const comparisons = new Set(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]);
const judgedCalls = new Set(["abs", "len", "type", "isinstance", "isclose", "round"]);

function check(condition: boolean): asserts condition {
  if (!condition) throw new Invalid();
}
const isIndex = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 1_000_000;
const isText = (value: unknown): value is string =>
  typeof value === "string" && value.length <= maxText;
const list = (value: unknown, max = maxItems): unknown[] => {
  check(Array.isArray(value) && value.length <= max);
  return value;
};
const texts = (value: unknown): string[] => {
  const items = list(value);
  check(items.every(isText));
  return items as string[];
};
const indexes = (value: unknown): number[] => {
  const items = list(value);
  check(items.every(isIndex));
  return items as number[];
};

/** A judge tree, checked node by node (linear in its size, depth bounded). */
function judgeNode(raw: unknown, depth = 0): JudgeNode {
  check(depth <= maxTreeDepth && Array.isArray(raw));
  const [tag, a, b, c] = raw as unknown[];
  const child = (node: unknown) => judgeNode(node, depth + 1);
  switch (tag) {
    case "p":
    case "e":
      check(raw.length === 2 && isIndex(a));
      return [tag, a];
    case "and":
    case "or":
      check(raw.length === 2);
      return [tag, list(a).map(child)];
    case "u":
      check(raw.length === 3 && (a === "not" || a === "-" || a === "+"));
      return ["u", a, child(b)];
    case "c":
      check(raw.length === 3);
      return [
        "c",
        child(a),
        list(b).map((pair) => {
          const [op, node] = list(pair, 2);
          check(typeof op === "string" && comparisons.has(op));
          return [op as Comparison, child(node)] as [Comparison, JudgeNode];
        }),
      ];
    case "b":
      check(raw.length === 4 && (a === "+" || a === "-" || a === "*" || a === "/"));
      return ["b", a, child(b), child(c)];
    case "f": {
      check(raw.length === 4 && typeof a === "string" && judgedCalls.has(a));
      check(typeof c === "object" && c !== null && !Array.isArray(c));
      const keywords: Partial<Record<"rel_tol" | "abs_tol", JudgeNode>> = {};
      for (const [key, node] of Object.entries(c as object)) {
        check(key === "rel_tol" || key === "abs_tol");
        keywords[key as "rel_tol" | "abs_tol"] = child(node);
      }
      return ["f", a as JudgedCall, list(b, 2).map(child), keywords];
    }
    default:
      throw new Invalid();
  }
}

function messagePart(raw: unknown): MessagePart {
  check(typeof raw === "object" && raw !== null);
  const part = raw as Record<string, unknown>;
  if (isText(part.text)) return { text: part.text };
  check(isIndex(part.probe));
  return { probe: part.probe };
}

function planCase(raw: unknown): PlanCase {
  check(typeof raw === "object" && raw !== null);
  const { statement, line, source, test, message } = raw as Record<string, unknown>;
  check(isIndex(statement) && isIndex(line) && isText(source));
  return {
    statement,
    line,
    source,
    test: judgeNode(test),
    message: message === null ? null : list(message, 1000).map(messagePart),
  };
}

function step(raw: unknown): Step {
  const [kind, id, line, source, soft] = list(raw, 5);
  check(isText(kind) && kind.length <= 8 && isIndex(id) && isIndex(line) && isText(source));
  if (soft === null) return [kind, id, line, source, null];
  const [names, needs] = list(soft, 2);
  return [kind, id, line, source, [texts(names), texts(needs)]];
}

function plan(raw: unknown): PythonPlan {
  check(typeof raw === "object" && raw !== null);
  const fields = raw as Record<string, unknown>;
  if ("invalid" in fields) {
    check(isText(fields.invalid));
    return { invalid: fields.invalid };
  }
  const stop = fields.stop as Record<string, unknown> | null;
  check(
    stop === null ||
      (typeof stop === "object" &&
        isIndex(stop.statement) &&
        isIndex(stop.line) &&
        isText(stop.error)),
  );
  return {
    cases: list(fields.cases, 10_000).map(planCase),
    probes: texts(fields.probes),
    steps: list(fields.steps).map(step),
    gates: list(fields.gates).map((gate) => {
      const [at, probes] = list(gate, 2);
      check(isIndex(at));
      return [at, indexes(probes)];
    }),
    expected: list(fields.expected).map(decodeOutcome),
    stop: stop as { statement: number; line: number; error: string } | null,
    warnings: texts(fields.warnings),
  };
}

/** The plan the teacher-only run wrote, or undefined when its output holds none (or a malformed one). */
export function parsePlan(channel: string): PythonPlan | undefined {
  const start = channel.startsWith('{"plan"') ? 0 : channel.indexOf('\n{"plan"') + 1;
  if (start === 0 && !channel.startsWith('{"plan"')) return undefined;
  const end = channel.indexOf("\n", start);
  const line = channel.slice(start, end < 0 ? channel.length : end);
  try {
    if (nestsTooDeeply(line, maxTreeDepth * 3)) return undefined;
    return plan((JSON.parse(line) as { plan: unknown }).plan);
  } catch {
    // Malformed output is no plan.
    return undefined;
  }
}

/** Whether a line's brackets nest deeper than `limit` (one pass, strings skipped). */
export function nestsTooDeeply(line: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}
