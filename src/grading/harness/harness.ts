import { graderText } from "../../i18n/grader-text";
import type { CodeLanguage } from "../languages";
import {
  crashFailure,
  limitFailure,
  type SandboxEnding,
  type SandboxProgram,
} from "../sandbox/sandbox";

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

/**
 * The teacher-only run's result: a plan to grade answers with, or the report every answer gets.
 * `warnings` name the test cases that can't be checked strongly (logged when the plan is made).
 */
export type PlanOutcome<Plan> =
  | { kind: "plan"; plan: Plan; cacheable: boolean; warnings?: string[] }
  | { kind: "failed"; report: RunReport; cacheable: boolean };

/** Plans whose teacher-only run wrote more than this are used but not kept: the cache stays small. */
export const maxCachedPlanBytes = 256 * 1024;

/** What every answer gets when the teacher-only run stopped at a limit or before its plan; not
 * cached, since a busy machine may be why. */
export function unfinishedTeacherRun(ending: SandboxEnding): PlanOutcome<never> {
  const why = limitFailure(ending) ?? crashFailure(ending);
  return {
    kind: "failed",
    report: failedReport(0, `${graderText("grading_testing_code_unfinished")} ${why}`),
    cacheable: false,
  };
}

/**
 * How a question's tests are planned: a teacher-only sandboxed run and how to read its plan, or
 * an outcome known without running anything (tests that don't parse, say).
 */
export type TestsPlanning<Plan> =
  | { kind: "run"; program: SandboxProgram; readPlan(ending: SandboxEnding): PlanOutcome<Plan> }
  | { kind: "known"; outcome: PlanOutcome<Plan> };

/**
 * One code language. Grading an answer takes three steps, and the verdict never comes from the
 * student's process: a teacher-only sandboxed run of the tests yields a plan and the expected
 * values (cached per question revision); a sandboxed run of the student's code reports the values
 * the plan asks for; the judge, outside any sandbox, applies the tests to expected and reported
 * values. Queue, runners and sandboxes never learn which language they carry.
 */
export interface CodeHarness<Plan> {
  readonly language: CodeLanguage;
  /** Changes whenever planning changes; part of the plan cache's key. */
  readonly version: string;
  planTests(testingCode: string): TestsPlanning<Plan>;
  studentRun(code: string, plan: Plan): SandboxProgram;
  judge(plan: Plan, ending: SandboxEnding): RunReport;
  /**
   * Whether judging this ending takes time bounded by its small size (nothing in it can make the
   * judge compute more), so that it may run on the event loop rather than in the judge thread.
   */
  judgesQuickly?(plan: Plan, ending: SandboxEnding): boolean;
}

/** Where the tests stopped: the statement of an exception outside an assert, and its error. */
export interface TestsStop {
  statement: number;
  error: string;
}

const maxErrorsLength = 8 * 1024;

const truncateErrors = (text: string) =>
  text.length > maxErrorsLength ? `${text.slice(0, maxErrorsLength)}\n… (truncated)` : text;

/** What every student's run reports besides its values. */
export interface StudentRunBasics {
  done: boolean;
  answerError: string | undefined;
  stop: TestsStop | undefined;
}

/** The frames of a run: JSON arrays, one per line, until ["done"]; lines that aren't are skipped. */
export function* frames(channel: string): Generator<unknown[]> {
  for (const line of channel.split("\n")) {
    // Only a line that opens an array can be a frame: the rest costs no parse (a million empty
    // lines would otherwise be a million failed JSON.parse calls).
    if (line.charCodeAt(0) !== 0x5b) continue;
    let frame: unknown;
    try {
      frame = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(frame)) continue;
    yield frame;
    if (frame[0] === "done") return;
  }
}

/** A case fails with this reason (what follows "Line N: <source>"). */
export class CaseFailure extends Error {}

/**
 * null when a case passed, else "Line N: <source>" and why: `check` gives null when it passes,
 * else the reason; a CaseFailure it throws is the reason too.
 */
export function caseVerdict(
  testCase: { line: number; source: string },
  check: () => string | null,
): string | null {
  let reason: string | null;
  try {
    reason = check();
  } catch (error) {
    if (!(error instanceof CaseFailure)) throw error;
    reason = error.message;
  }
  return reason === null
    ? null
    : `${graderText("grading_line", { line: testCase.line })}: ${testCase.source}\n${reason}`;
}

/**
 * The report of a student's run: a limit, a crash or the answer's own error fails every case;
 * otherwise each case up to where the tests stopped is judged (`judge` gives null when it passed,
 * else why not), and an exception outside an assert, in either run, fails the cases after it.
 */
export function reportStudentRun<Case extends { statement: number }>(
  ending: SandboxEnding,
  run: StudentRunBasics,
  cases: Case[],
  testsStop: TestsStop | null,
  judge: (testCase: Case) => string | null,
): RunReport {
  const total = cases.length;
  const limit = limitFailure(ending);
  if (limit) return failedReport(total, limit);
  if (!run.done) return failedReport(total, crashFailure(ending));
  if (run.answerError !== undefined) return failedReport(total, truncateErrors(run.answerError));
  const stopped = [testsStop, run.stop].filter((stop) => stop != null);
  const stopAt = Math.min(...stopped.map((stop) => stop.statement));
  let passed = 0;
  const messages: string[] = [];
  for (const testCase of cases) {
    if (testCase.statement > stopAt) continue;
    const failure = judge(testCase);
    if (failure === null) passed++;
    else messages.push(failure);
  }
  const stopError = stopped.find((stop) => stop.statement === stopAt)?.error;
  if (stopError !== undefined) messages.push(stopError);
  if (passed < total && messages.length === 0)
    messages.push(graderText("grading_tests_did_not_run", { count: total - passed, total }));
  return {
    passed,
    total,
    raised: stopped.length > 0,
    errors: messages.length > 0 ? truncateErrors(messages.join("\n\n")) : null,
  };
}
