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
  readonly #inFlight = new Set<Promise<unknown>>();
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
      void this.#work(grader, slot);
    });
  }

  /** Stops leasing and waits for the jobs in hand to be graded and reported (not for idle waits). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    await Promise.all(this.#inFlight);
    await Promise.all(this.#graders.splice(0).map((grader) => grader.close()));
    for (const sandbox of this.sandboxes) sandbox.close?.();
  }

  async #work(grader: Grader, slot: number): Promise<void> {
    while (this.#running) {
      try {
        const [job] = await this.source.lease(1, leaseWaitMs, this.#stopping.signal);
        if (!job) continue;
        const started = performance.now();
        const reported = runJob(grader, job).then((outcome) =>
          this.source.report(job.id, job.token, outcome).then((result) => ({ outcome, result })),
        );
        this.#inFlight.add(reported);
        const { outcome, result } = await reported.finally(() => this.#inFlight.delete(reported));
        this.logger.info("graded", {
          job_id: job.id,
          attempt: job.attempt,
          slot,
          outcome: outcome.kind,
          result,
          duration_ms: Math.round(performance.now() - started),
        });
      } catch (error) {
        this.logger.error("runner could not lease or report", { slot, error: String(error) });
        await sleep(retryDelayMs);
      }
    }
  }
}
