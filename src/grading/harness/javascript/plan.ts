import type { Step } from "./planner";
import { decodeValue, type JsValue } from "./values";

export type AssertMethod =
  | "ok"
  | "equal"
  | "notEqual"
  | "strictEqual"
  | "notStrictEqual"
  | "deepStrictEqual"
  | "throws";

export type BinaryOperator =
  | "=="
  | "!="
  | "==="
  | "!=="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**";

/** An assert's operand, split down to probes (the student's run reports them) and expected values. */
export type JudgeNode =
  | ["p", number]
  | ["e", number]
  | ["l", "&&" | "||" | "??", JudgeNode, JudgeNode]
  | ["u", "!" | "-" | "+", JudgeNode]
  | ["b", BinaryOperator, JudgeNode, JudgeNode]
  | ["abs", JudgeNode]
  | ["is", JudgeNode, JudgeNode];

export type MessagePart = { text: string } | { probe: number } | { expected: number };

/** One top-level assert call: the method and its split operands. */
export interface PlannedCase {
  statement: number;
  line: number;
  source: string;
  method: AssertMethod;
  args: JudgeNode[];
  message: MessagePart[] | null;
}

/** What assert.throws learns of a thrown value (reported by the run that called the function). */
export interface ThrownFacts {
  chain: string[];
  text: string;
  props: Record<string, string | number | boolean>;
}

/** An operand's outcome, as a run reported it. */
export type Outcome =
  | { value: JsValue }
  | { raised: string }
  | { notPlain: string }
  | { text: string }
  | { thrown: ThrownFacts | null }
  | { errorClass: string[] }
  | undefined;

export interface JavaScriptPlan {
  cases: PlannedCase[];
  probes: string[];
  /** The student's run's steps, already cut where the tests stop. */
  studentSteps: Step[];
  expected: Outcome[];
  stop: { statement: number; error: string } | null;
}

const names = (raw: unknown): string[] | undefined =>
  Array.isArray(raw) && raw.length <= 50 && raw.every((name) => typeof name === "string")
    ? (raw as string[])
    : undefined;

function decodeFacts(raw: unknown): ThrownFacts | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { chain, text, props } = raw as Record<string, unknown>;
  const chainNames = names(chain);
  if (!chainNames || typeof text !== "string" || typeof props !== "object" || props === null)
    return undefined;
  const plainProps = Object.entries(props).filter(([, value]) =>
    ["string", "number", "boolean"].includes(typeof value),
  );
  return {
    chain: chainNames,
    text: text.slice(0, 65_536),
    props: Object.fromEntries(plainProps) as ThrownFacts["props"],
  };
}

/** An outcome as a run's frame carries it; undefined when malformed. */
export function decodeOutcome(kind: unknown, raw: unknown): Outcome {
  if (kind === "s") return typeof raw === "string" ? { text: raw.slice(0, 4096) } : undefined;
  if (!Array.isArray(raw)) return undefined;
  const [tag, first, second] = raw as [unknown, unknown, unknown];
  if (tag === "E" && typeof first === "string") return { raised: first.slice(0, 65_536) };
  if (tag === "x" && typeof first === "string") return { notPlain: first.slice(0, 200) };
  if (tag === "T" && first === 0) return { thrown: null };
  if (tag === "T" && first === 1) {
    const facts = decodeFacts(second);
    return facts ? { thrown: facts } : undefined;
  }
  if (tag === "C") {
    const chain = names(first);
    return chain && chain.length > 0 ? { errorClass: chain } : undefined;
  }
  const value = decodeValue(raw);
  return value.ok ? { value: value.value } : undefined;
}
