import type { SandboxEnding, SandboxProgram } from "../sandbox/sandbox";

/** What grading established: cases passed of the total, whether anything raised, and why. */
export interface RunReport {
  passed: number;
  total: number;
  raised: boolean;
  errors: string | null;
}

export const failedReport = (total: number, errors: string): RunReport => ({
  passed: 0,
  total,
  raised: true,
  errors,
});

/** The teacher-only run's result: a plan to grade answers with, or the report every answer gets. */
export type PlanOutcome<Plan> =
  | { kind: "plan"; plan: Plan; cacheable: boolean }
  | { kind: "failed"; report: RunReport; cacheable: boolean };

/**
 * One code language. Grading an answer takes three steps, and the verdict never comes from the
 * student's process: a teacher-only sandboxed run of the tests yields a plan and the expected
 * values (cached per question revision); a sandboxed run of the student's code reports the values
 * the plan asks for; the judge, outside any sandbox, applies the tests to expected and reported
 * values. Queue, runners and sandboxes never learn which language they carry.
 */
export interface CodeHarness<Plan> {
  readonly language: string;
  /** Changes whenever planning changes; part of the plan cache's key. */
  readonly version: string;
  teacherRun(testingCode: string): SandboxProgram;
  readPlan(ending: SandboxEnding): PlanOutcome<Plan>;
  studentRun(code: string, plan: Plan): SandboxProgram;
  judge(plan: Plan, ending: SandboxEnding): RunReport;
}
