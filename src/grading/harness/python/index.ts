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
import { judgeAnswer } from "./judge";
import { type PythonPlan, parsePlan } from "./plan";

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

let version: string | undefined;

function readPlan(ending: SandboxEnding): PlanOutcome<PythonPlan> {
  const plan = parsePlan(ending.channel);
  if (limitFailure(ending) || !plan) return unfinishedTeacherRun(ending);
  if ("invalid" in plan)
    return { kind: "failed", report: failedReport(0, plan.invalid), cacheable: true };
  return { kind: "plan", plan, cacheable: ending.channel.length <= maxCachedPlanBytes };
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
    },
    readPlan,
  }),

  studentRun: (code, plan) => ({
    interpreter: "python",
    source: pythonPrograms().student,
    input: netstrings([
      code,
      ...("invalid" in plan
        ? []
        : plan.steps.flatMap(([kind, id, line, text]) => [kind, String(id), String(line), text])),
    ]),
  }),

  judge: (plan, ending) =>
    "invalid" in plan ? failedReport(0, plan.invalid) : judgeAnswer(plan, ending),
};
