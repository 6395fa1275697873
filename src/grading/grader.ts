import type { CodeHarness, PlanOutcome, RunReport } from "./harness/harness";
import { javascriptHarness } from "./harness/javascript";
import { pythonHarness } from "./harness/python";
import type { CodeLanguage } from "./languages";
import { PlanCache } from "./plan-cache";
import type { Sandbox } from "./sandbox/sandbox";

/** One code answer: the student's code, the question's tests and their language. */
export interface CodeAnswer {
  code: string;
  testingCode: string;
  language?: string;
}

const harnesses: Record<CodeLanguage, CodeHarness<unknown>> = {
  python: pythonHarness as CodeHarness<unknown>,
  javascript: javascriptHarness as CodeHarness<unknown>,
};

const harnessOf = (language: string): CodeHarness<unknown> | undefined =>
  Object.hasOwn(harnesses, language) ? harnesses[language as CodeLanguage] : undefined;

/**
 * Grades answers in one sandbox: the teacher-only run of the tests (cached), then the student's
 * run, then the judge, outside any sandbox. A sandbox that can't start throws
 * (SandboxUnavailableError): the job is retried rather than judged.
 */
export class Grader {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly plans = new PlanCache(),
  ) {}

  async grade(answer: CodeAnswer): Promise<RunReport> {
    const language = answer.language ?? "python";
    const harness = harnessOf(language);
    if (!harness)
      return { passed: 0, total: 0, raised: true, errors: `Unsupported language: ${language}` };
    return this.#gradeWith(harness, answer);
  }

  async #gradeWith<Plan>(harness: CodeHarness<Plan>, answer: CodeAnswer): Promise<RunReport> {
    const outcome = await this.plans.get(harness, answer.testingCode, () =>
      this.#plan(harness, answer.testingCode),
    );
    if (outcome.kind === "failed") return outcome.report;
    const ending = await this.sandbox.execute(harness.studentRun(answer.code, outcome.plan));
    return harness.judge(outcome.plan, ending);
  }

  async #plan<Plan>(harness: CodeHarness<Plan>, testingCode: string): Promise<PlanOutcome<Plan>> {
    const planning = harness.planTests(testingCode);
    if (planning.kind === "known") return planning.outcome;
    return planning.readPlan(await this.sandbox.execute(planning.program));
  }
}
