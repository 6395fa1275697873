import type { Logger } from "../logger";
import { Grader } from "./grader";
import { PlanCache } from "./plan-cache";
import type { JobOutcome, LeasedJob, LeaseSource } from "./queue";
import { type Sandbox, SandboxUnavailableError } from "./sandbox/sandbox";

const leaseWaitMs = 5_000;
const retryDelayMs = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Grades one leased job; the sandbox failing is reported as such, never as a grade. */
export async function runJob(grader: Grader, job: LeasedJob): Promise<JobOutcome> {
  try {
    return { kind: "graded", report: await grader.grade(job) };
  } catch (error) {
    const reason =
      error instanceof SandboxUnavailableError ? error.message : `sandbox error: ${String(error)}`;
    return { kind: "unavailable", reason };
  }
}

/**
 * Workers that lease a job, grade it and report, one sandbox each, sharing the plans of the
 * teacher-only runs — the same loop in-process (`npm start`) and in remote runners (`npm run runner`).
 */
export class RunnerPool {
  #running = false;
  readonly #plans = new PlanCache();
  #stopping = new AbortController();
  readonly #workers: Promise<void>[] = [];
  readonly #graders: Grader[] = [];

  constructor(
    private readonly source: LeaseSource,
    private readonly sandboxes: Sandbox[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = new AbortController();
    this.sandboxes.forEach((sandbox, slot) => {
      const grader = new Grader(sandbox, this.#plans, this.logger);
      this.#graders.push(grader);
      this.#workers.push(this.#work(grader, slot));
    });
  }

  /** Stops leasing and waits for the jobs in hand to be graded and reported (not for idle waits). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    await Promise.all(this.#workers.splice(0));
    await Promise.all(this.#graders.splice(0).map((grader) => grader.close()));
    for (const sandbox of this.sandboxes) sandbox.close?.();
  }

  /** Leases, grades and reports until stopped; a job leased with a report is graded even then. */
  async #work(grader: Grader, slot: number): Promise<void> {
    let job: LeasedJob | undefined;
    while (this.#running || job) {
      try {
        job ??= (await this.source.lease(1, leaseWaitMs, this.#stopping.signal))[0];
        if (!job) continue;
        const held = job;
        job = undefined;
        const started = performance.now();
        const outcome = await runJob(grader, held);
        const { result, next } = await this.#report(held, outcome);
        job = next[0];
        this.logger.info("graded", {
          job_id: held.id,
          attempt: held.attempt,
          slot,
          outcome: outcome.kind,
          result,
          duration_ms: Math.round(performance.now() - started),
        });
      } catch (error) {
        this.logger.error("runner could not lease or report", { slot, error: String(error) });
        if (this.#running) await sleep(retryDelayMs);
      }
    }
  }

  /** Reports a job, and leases the next one in the same step while running, where the source can. */
  #report(job: LeasedJob, outcome: JobOutcome) {
    if (this.#running && this.source.reportAndLease)
      return this.source.reportAndLease(job.id, job.token, outcome, 1);
    return this.source
      .report(job.id, job.token, outcome)
      .then((result) => ({ result, next: [] as LeasedJob[] }));
  }
}
