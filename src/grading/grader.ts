import { graderText } from "../i18n/grader-text";
import type { Logger } from "../logger";
import {
  type CodeHarness,
  failedReport,
  type PlanOutcome,
  type RunReport,
} from "./harness/harness";
import { harnessFor } from "./harness/registry";
import { type JudgeTask, JudgeThread, JudgeTimeoutError, judgeBudgetMs } from "./judge-thread";
import { PlanCache } from "./plan-cache";
import type { Sandbox } from "./sandbox/sandbox";

/** One code answer: the student's code, the question's tests and their language. */
export interface CodeAnswer {
  code: string;
  testingCode: string;
  language?: string;
}

const budgetSeconds = judgeBudgetMs / 1000;

/**
 * Grades answers in one sandbox: the teacher-only run of the tests (cached), then the student's
 * run, then the judge, outside any sandbox and off the event loop (a worker thread with a time
 * budget: what sandboxed runs write is untrusted) — but for a report the harness says is judged
 * quickly (small, comparisons only), which saves the thread's round trip. A sandbox that can't start throws
 * (SandboxUnavailableError): the job is retried rather than judged.
 */
export class Grader {
  readonly #judge = new JudgeThread();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly plans = new PlanCache(),
    private readonly logger?: Logger,
  ) {}

  async grade(answer: CodeAnswer): Promise<RunReport> {
    const language = answer.language ?? "python";
    const harness = harnessFor(language);
    if (!harness) return failedReport(0, graderText("grading_unsupported_language", { language }));
    return this.#gradeWith(harness, answer);
  }

  /** Stops the judge thread (a later answer starts a new one). */
  close(): Promise<void> {
    return this.#judge.close();
  }

  async #gradeWith<Plan>(harness: CodeHarness<Plan>, answer: CodeAnswer): Promise<RunReport> {
    const outcome = await this.plans.get(harness, answer.testingCode, () =>
      this.#plan(harness, answer.testingCode),
    );
    if (outcome.kind === "failed") return outcome.report;
    const ending = await this.sandbox.execute(harness.studentRun(answer.code, outcome.plan));
    if (harness.judgesQuickly?.(outcome.plan, ending)) return harness.judge(outcome.plan, ending);
    try {
      return (await this.#offThread({
        kind: "judge",
        language: harness.language,
        plan: outcome.plan,
        ending,
      })) as RunReport;
    } catch (error) {
      if (!(error instanceof JudgeTimeoutError)) throw error;
      return failedReport(0, graderText("grading_judge_timeout", { seconds: budgetSeconds }));
    }
  }

  async #plan<Plan>(harness: CodeHarness<Plan>, testingCode: string): Promise<PlanOutcome<Plan>> {
    const planning = harness.planTests(testingCode);
    if (planning.kind === "known") return planning.outcome;
    const ending = await this.sandbox.execute(planning.program);
    let outcome: PlanOutcome<Plan>;
    try {
      outcome = (await this.#offThread({
        kind: "readPlan",
        language: harness.language,
        testingCode,
        ending,
      })) as PlanOutcome<Plan>;
    } catch (error) {
      if (!(error instanceof JudgeTimeoutError)) throw error;
      const why = graderText("grading_plan_timeout", { seconds: budgetSeconds });
      return { kind: "failed", report: failedReport(0, why), cacheable: false };
    }
    if (outcome.kind === "plan" && outcome.warnings?.length)
      this.logger?.warn("weak test cases", {
        language: harness.language,
        warnings: outcome.warnings,
      });
    return outcome;
  }

  async #offThread(task: JudgeTask): Promise<unknown> {
    const reply = await this.#judge.run(task);
    if ("error" in reply) throw new Error(`the judge failed: ${reply.error}`);
    return reply.result;
  }
}
