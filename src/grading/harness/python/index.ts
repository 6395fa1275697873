import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { limitFailure, type SandboxEnding } from "../../sandbox/sandbox";
import {
  type CodeHarness,
  failedReport,
  maxCachedPlanBytes,
  type PlanOutcome,
  unfinishedTeacherRun,
} from "../harness";
import { judgeAnswer, judgesQuickly } from "./judge";
import { type PythonPlan, parsePlan, type Step } from "./plan";

const source = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
let programs: { teacher: string; student: string } | undefined;
/** The two programs, each with the shared plain-value code in front. */
export function pythonPrograms() {
  programs ??= {
    teacher: `${source("plain.py")}\n${source("teacher.py")}`,
    student: `${source("plain.py")}\n${source("student.py")}`,
  };
  return programs;
}

/** Netstrings: "<UTF-8 bytes>:<text>," — what the student's run reads without a JSON parser. */
const netstrings = (fields: string[]) =>
  fields.map((field) => `${Buffer.byteLength(field)}:${field},`).join("");

/** Identifiers the answer's code mentions, as Python reads them (NFKC), strings included. */
const namesIn = (code: string) =>
  new Set(code.normalize("NFKC").match(/[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/gu));

/**
 * The steps this answer's run gets: every hard step, and the soft ones (what the tests provide)
 * for names the answer mentions, with what those need.
 */
function stepsFor(code: string, steps: Step[]): [number, Step][] {
  const providers = new Map<string, Step[]>();
  for (const step of steps)
    for (const name of step[4]?.[0] ?? [])
      providers.set(name, [...(providers.get(name) ?? []), step]);
  const wanted = new Set<string>();
  const queue = [...namesIn(code)].filter((name) => providers.has(name));
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (wanted.has(name)) continue;
    wanted.add(name);
    for (const step of providers.get(name) ?? []) queue.push(...(step[4]?.[1] ?? []));
  }
  return steps
    .map((step, index) => [index, step] as [number, Step])
    .filter(([, step]) => step[4] === null || step[4][0].some((name) => wanted.has(name)));
}

let version: string | undefined;

function readPlan(ending: SandboxEnding): PlanOutcome<PythonPlan> {
  const plan = parsePlan(ending.channel);
  if (limitFailure(ending) || !plan) return unfinishedTeacherRun(ending);
  if ("invalid" in plan)
    return { kind: "failed", report: failedReport(0, plan.invalid), cacheable: true };
  return {
    kind: "plan",
    plan,
    cacheable: ending.channel.length <= maxCachedPlanBytes,
    warnings: plan.warnings,
  };
}

export const pythonHarness: CodeHarness<PythonPlan> = {
  language: "python",
  get version() {
    const { teacher, student } = pythonPrograms();
    version ??= createHash("sha256").update(teacher).update(student).digest("hex").slice(0, 16);
    return version;
  },

  planTests: (testingCode) => ({
    kind: "run",
    program: {
      interpreter: "python",
      source: pythonPrograms().teacher,
      input: JSON.stringify({ testing_code: testingCode }),
      ownProcess: true,
    },
    readPlan,
  }),

  /**
   * The answer, then its steps; those after a gate are held back until the gate's probes are
   * reported (or the run stopped): they carry data that earlier cases' expected values read.
   */
  studentRun(code, plan) {
    const fields = (steps: [number, Step][]) =>
      netstrings(
        steps.flatMap(([, [kind, id, line, text]]) => [kind, String(id), String(line), text]),
      );
    const program = { interpreter: "python" as const, source: pythonPrograms().student };
    if ("invalid" in plan) return { ...program, input: netstrings([code]) };
    const steps = stepsFor(code, plan.steps);
    const chunks = [plan.gates.map(([at]) => at), Number.POSITIVE_INFINITY].flat();
    const before = (limit: number, from: number) =>
      steps.filter(([index]) => index >= from && index < limit);
    return {
      ...program,
      input: netstrings([code]) + fields(before(chunks[0] as number, 0)),
      continuations: plan.gates.map(([at, probes], gate) => ({
        after: probes.map((probe) => `["p",${probe},`),
        input: fields(before(chunks[gate + 1] as number, at)),
      })),
      releaseAllOn: ['["x",', '["a",'],
    };
  },

  judge: (plan, ending) =>
    "invalid" in plan ? failedReport(0, plan.invalid) : judgeAnswer(plan, ending),

  judgesQuickly: (plan, ending) => "invalid" in plan || judgesQuickly(plan, ending),
};
