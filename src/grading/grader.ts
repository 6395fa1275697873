import type { CodeHarness, RunReport } from "./harness/harness";
import { pythonHarness } from "./harness/python";
import { PlanCache } from "./plan-cache";
import type { Sandbox } from "./sandbox/sandbox";

/** One code answer: the student's code, the question's tests and their language. */
export interface CodeAnswer {
  code: string;
  testingCode: string;
  language?: string;
}

const harnesses = new Map<string, CodeHarness<unknown>>([["python", pythonHarness]]);

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
    const harness = harnesses.get(language);
    if (!harness)
      return { passed: 0, total: 0, raised: true, errors: `Unsupported language: ${language}` };
    return this.#gradeWith(harness, answer);
  }

  async #gradeWith<Plan>(harness: CodeHarness<Plan>, answer: CodeAnswer): Promise<RunReport> {
    const outcome = await this.plans.get(harness, answer.testingCode, async () =>
      harness.readPlan(await this.sandbox.execute(harness.teacherRun(answer.testingCode))),
    );
    if (outcome.kind === "failed") return outcome.report;
    const ending = await this.sandbox.execute(harness.studentRun(answer.code, outcome.plan));
    return harness.judge(outcome.plan, ending);
  }
}
