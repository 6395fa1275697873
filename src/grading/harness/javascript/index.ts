import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { limitFailure, type SandboxEnding } from "../../sandbox/sandbox";
import {
  type CodeHarness,
  failedReport,
  frames,
  maxCachedPlanBytes,
  type PlanOutcome,
  unfinishedTeacherRun,
} from "../harness";
import { judgeAnswer } from "./judge";
import { decodeOutcome, type JavaScriptPlan, type Outcome } from "./plan";
import { planTests, type StaticPlan, type Step } from "./planner";
import { PlanningError } from "./test-statements";

const source = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
let program: string | undefined;
/** The harness of both runs, evaluated first in each run's QuickJS context (quickjs-run.mjs runs
 * the steps): the plain-value encoder and the context's prelude, which returns the helpers. */
export function javascriptProgram(): string {
  program ??= [source("plain.cjs"), source("context-prelude.js")].join("\n");
  return program;
}

const programOf = (code: string, steps: Step[]) => ({
  interpreter: "javascript" as const,
  source: javascriptProgram(),
  input: JSON.stringify({ code, steps }),
});

/** Reads the teacher-only run: each expected operand's outcome, and where the tests stopped. */
function readTeacherRun(planned: StaticPlan, ending: SandboxEnding): PlanOutcome<JavaScriptPlan> {
  const expected: Outcome[] = [];
  let stop: JavaScriptPlan["stop"] = null;
  let done = false;
  for (const [kind, id, outcome] of frames(ending.channel)) {
    if (kind === "done") done = true;
    else if (kind === "x" && Number.isSafeInteger(id) && typeof outcome === "string")
      stop ??= { statement: id as number, error: outcome };
    else if (Number.isSafeInteger(id) && (id as number) < 100_000)
      expected[id as number] ??= decodeOutcome(kind, outcome);
  }
  if (limitFailure(ending) || !done) return unfinishedTeacherRun(ending);
  const plan: JavaScriptPlan = {
    cases: planned.cases,
    probes: planned.probes,
    studentSteps: planned.studentSteps
      .filter(([, statement]) => stop === null || statement < stop.statement)
      .map(([step]) => step),
    expected,
    stop,
  };
  return {
    kind: "plan",
    plan,
    cacheable: ending.channel.length <= maxCachedPlanBytes,
    warnings: planned.warnings,
  };
}

let version: string | undefined;

export const javascriptHarness: CodeHarness<JavaScriptPlan> = {
  language: "javascript",
  get version() {
    version ??= createHash("sha256")
      .update(javascriptProgram())
      .update(source("quickjs-run.mjs"))
      .update(source("planner.ts"))
      .update(source("test-statements.ts"))
      .digest("hex")
      .slice(0, 16);
    return version;
  },

  planTests(testingCode) {
    let planned: StaticPlan;
    try {
      planned = planTests(testingCode);
    } catch (error) {
      if (!(error instanceof PlanningError)) throw error;
      return {
        kind: "known",
        outcome: { kind: "failed", report: failedReport(0, error.message), cacheable: true },
      };
    }
    return {
      kind: "run",
      program: programOf("", planned.teacherSteps),
      readPlan: (ending) => readTeacherRun(planned, ending),
    };
  },

  studentRun: (code, plan) => programOf(code, plan.studentSteps),

  judge: judgeAnswer,
};
