import { z } from "zod";
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

const index = z.number().int().min(0).max(1_000_000);
const comparisons = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"] as const;

const JudgeNodeSchema: z.ZodType<JudgeNode> = z.lazy(() =>
  z.union([
    z.tuple([z.literal("p"), index]),
    z.tuple([z.literal("e"), index]),
    z.tuple([z.enum(["and", "or"]), z.array(JudgeNodeSchema).min(1)]),
    z.tuple([z.literal("u"), z.enum(["not", "-", "+"]), JudgeNodeSchema]),
    z.tuple([
      z.literal("c"),
      JudgeNodeSchema,
      z.array(z.tuple([z.enum(comparisons), JudgeNodeSchema])).min(1),
    ]),
    z.tuple([z.literal("b"), z.enum(["+", "-", "*", "/"]), JudgeNodeSchema, JudgeNodeSchema]),
    z.tuple([
      z.literal("f"),
      z.enum(["abs", "len", "type", "isinstance", "isclose"]),
      z.array(JudgeNodeSchema).max(2),
      z.object({ rel_tol: JudgeNodeSchema.optional(), abs_tol: JudgeNodeSchema.optional() }),
    ]),
  ]),
);

const text = z.string().max(65_536);

const TeacherOutputSchema = z.object({
  plan: z.union([
    z.object({ invalid: text }),
    z.object({
      cases: z
        .array(
          z.object({
            statement: index,
            line: index,
            source: text,
            test: JudgeNodeSchema,
            message: z
              .array(
                z.union([
                  z.object({ text }),
                  z.object({ probe: index }),
                  z.object({ expected: index }),
                ]),
              )
              .max(1000)
              .nullable(),
          }),
        )
        .max(10_000),
      probes: z.array(text).max(100_000),
      steps: z.array(z.tuple([z.enum(["x", "p", "m"]), index, index, text])).max(100_000),
      expected: z.array(z.unknown()).max(100_000),
      stop: z.object({ statement: index, line: index, error: text }).nullable(),
    }),
  ]),
});

/** An expected operand as the teacher-only run found it. */
export type Expected =
  | { value: PyValue }
  | { raised: string }
  | { notPlain: string }
  | { text: string }
  | undefined;

export type PythonPlan =
  | { invalid: string }
  | (Omit<Extract<z.infer<typeof TeacherOutputSchema>["plan"], { cases: unknown }>, "expected"> & {
      expected: Expected[];
    });

export function decodeOutcome(raw: unknown): Expected {
  if (typeof raw === "string") return { text: raw };
  if (Array.isArray(raw) && raw[0] === "E" && typeof raw[1] === "string") return { raised: raw[1] };
  if (Array.isArray(raw) && raw[0] === "x" && typeof raw[1] === "string")
    return { notPlain: raw[1] };
  const value = decodeValue(raw);
  return value ? { value } : undefined;
}

/** The plan the teacher-only run wrote, or undefined when its output holds none. */
export function parsePlan(channel: string): PythonPlan | undefined {
  const line = channel.split("\n").find((candidate) => candidate.startsWith('{"plan"'));
  if (line === undefined) return undefined;
  try {
    const parsed = TeacherOutputSchema.safeParse(JSON.parse(line));
    if (!parsed.success) return undefined;
    const { plan } = parsed.data;
    return "invalid" in plan ? plan : { ...plan, expected: plan.expected.map(decodeOutcome) };
  } catch {
    // Malformed or absurdly nested output is no plan.
    return undefined;
  }
}
