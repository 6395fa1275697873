import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Store, Tx } from "../db/client";
import { completions, gradingJobs } from "../db/schema";
import type { Clock } from "../http/context";
import type { Logger } from "../logger";
import { applyGrade, failedGrade, gradeFromReport, questionOfAnswer } from "./apply-result";
import { nextFairJobSql } from "./fair-share";
import { loadJobPayloads } from "./job-payload";
import type { GradingJobRequest, GradingQueue, JobOutcome, LeasedJob } from "./queue";
import { decideExpiry, decideReport, graderTimedOut, graderUnavailable } from "./queue-core";
import { Signal } from "./signal";

export interface LocalQueueOptions {
  /** How long a runner may hold a job before it is presumed dead. */
  leaseMs: number;
  /** How often expired leases are looked for. */
  sweepIntervalMs: number;
}

const leaseToken = () => crypto.randomUUID();
const nextFairJob = sql.raw(nextFairJobSql("grading_jobs"));

/** The grading queue of the Node runtime: a table in the same libSQL database as the answers. */
export class LocalGradingQueue implements GradingQueue {
  readonly #jobsAvailable = new Signal();
  readonly #completionSignals = new Map<number, Signal>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: LocalQueueOptions,
  ) {}

  /** Re-queues what a previous process held, and watches for leases that run out. */
  async start(): Promise<void> {
    const recovered = await this.store.transaction((tx) =>
      tx
        .update(gradingJobs)
        .set({ state: "queued", leaseToken: null, leaseUntil: null })
        .where(eq(gradingJobs.state, "leased"))
        .returning({ id: gradingJobs.id }),
    );
    if (recovered.length > 0)
      this.logger.warn("re-queued grading jobs left leased by a previous process", {
        jobs: recovered.length,
      });
    this.#sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.error("grading sweep failed", { error: String(error) }),
      );
    }, this.options.sweepIntervalMs);
    this.#sweeper.unref?.();
  }

  stop(): void {
    clearInterval(this.#sweeper);
    this.#jobsAvailable.notify();
  }

  async submit(jobs: GradingJobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.store.transaction((tx) => tx.insert(gradingJobs).values(jobs).onConflictDoNothing());
    this.#jobsAvailable.notify();
  }

  async lease(max: number, waitMs: number, abort?: AbortSignal): Promise<LeasedJob[]> {
    if (abort?.aborted) return [];
    const leased = await this.#claim(max);
    if (leased.length > 0 || waitMs <= 0) return leased;
    await this.#jobsAvailable.wait(waitMs, abort);
    return abort?.aborted ? [] : this.#claim(max);
  }

  async report(jobId: number, token: string, outcome: JobOutcome): Promise<"applied" | "ignored"> {
    return (await this.reportAndLease(jobId, token, outcome, 0)).result;
  }

  /**
   * Reports a job and leases up to `max` more in the same transaction: one commit where a report
   * and the runner's next lease would take two.
   */
  async reportAndLease(
    jobId: number,
    token: string,
    outcome: JobOutcome,
    max: number,
  ): Promise<{ result: "applied" | "ignored"; next: LeasedJob[] }> {
    const until = this.#leaseUntil();
    const { graded, next } = await this.store.transaction(async (tx) => ({
      graded: await this.#settleReport(tx, jobId, token, outcome),
      next: await this.#claimIn(tx, max, until),
    }));
    if (graded === undefined) {
      this.#jobsAvailable.notify();
      return { result: "ignored", next };
    }
    if (graded.finished) this.#notifyFinished(graded.completionId);
    return { result: "applied", next };
  }

  async waitFor(completionId: number, timeoutMs: number): Promise<boolean> {
    let signal = this.#completionSignals.get(completionId);
    if (!signal) {
      signal = new Signal();
      this.#completionSignals.set(completionId, signal);
    }
    // The wait starts before the read: a report committed while the read is in flight still
    // wakes it, instead of leaving it to its timeout.
    const woken = signal.wait(timeoutMs);
    if (await this.#isFinished(completionId)) {
      this.#notifyFinished(completionId);
      return true;
    }
    await woken;
    return this.#isFinished(completionId);
  }

  async pending(userId: number): Promise<{ total: number; ofUser: number }> {
    const [row] = await this.store.db
      .select({
        total: sql<number>`count(*)`,
        ofUser: sql<number>`coalesce(sum(${gradingJobs.userId} = ${userId}), 0)`,
      })
      .from(gradingJobs)
      .where(inArray(gradingJobs.state, ["queued", "leased"]));
    return { total: Number(row?.total ?? 0), ofUser: Number(row?.ofUser ?? 0) };
  }

  /** Expired leases: the runner died or hung. Re-queue, or record the answer as failed. */
  async sweep(): Promise<void> {
    const now = new Date(this.clock.now());
    const finished = await this.store.transaction(async (tx) => {
      const expired = await tx
        .select()
        .from(gradingJobs)
        .where(and(eq(gradingJobs.state, "leased"), lt(gradingJobs.leaseUntil, now)));
      const completionIds: number[] = [];
      let requeued = false;
      for (const job of expired) {
        const decision = decideExpiry(job, now);
        if (decision === "requeue") {
          await this.#requeue(tx, job.id, "the runner did not report in time");
          requeued = true;
        }
        if (decision === "fail") {
          await this.#settle(tx, job.id, "failed");
          const graded = await applyGrade(
            tx,
            job.answerId,
            failedGrade(graderTimedOut(job.attempts)),
          );
          if (graded?.finished) completionIds.push(graded.completionId);
        }
      }
      return { completionIds, requeued };
    });
    if (finished.requeued) this.#jobsAvailable.notify();
    for (const completionId of finished.completionIds) this.#notifyFinished(completionId);
  }

  /** The runner's report: the answer's grade, a retry or a failure; its completion, and whether
   * that is now graded (undefined when the report changed no answer). */
  async #settleReport(tx: Tx, jobId: number, token: string, outcome: JobOutcome) {
    const job = await tx.select().from(gradingJobs).where(eq(gradingJobs.id, jobId)).get();
    const decision = decideReport(job, token, outcome);
    if (!job || decision.kind === "ignore") return undefined;
    if (decision.kind === "retry") {
      await this.#requeue(tx, job.id, decision.reason);
      return undefined;
    }
    const grade =
      decision.kind === "apply"
        ? gradeFromReport(
            (await questionOfAnswer(tx, job.answerId)) ?? { points: 0, strictScore: true },
            decision.outcome.report,
          )
        : failedGrade(graderUnavailable(job.attempts, decision.reason));
    await this.#settle(tx, job.id, decision.kind === "apply" ? "done" : "failed");
    return applyGrade(tx, job.answerId, grade);
  }

  #leaseUntil(): Date {
    return new Date(this.clock.now() + this.options.leaseMs);
  }

  /** Leases up to `max` jobs, one at a time in fair-share order (see nextFairJob). */
  #claim(max: number): Promise<LeasedJob[]> {
    const until = this.#leaseUntil();
    return this.store.transaction((tx) => this.#claimIn(tx, max, until));
  }

  async #claimIn(tx: Tx, max: number, until: Date): Promise<LeasedJob[]> {
    const leased: LeasedJob[] = [];
    for (let count = 0; count < max; count++) {
      const [next] = (await tx.all(nextFairJob)) as { id: number }[];
      if (!next) break;
      const token = leaseToken();
      const [job] = await tx
        .update(gradingJobs)
        .set({
          state: "leased",
          attempts: sql`${gradingJobs.attempts} + 1`,
          leaseToken: token,
          leaseUntil: until,
        })
        .where(eq(gradingJobs.id, next.id))
        .returning({ attempts: gradingJobs.attempts, answerId: gradingJobs.answerId });
      if (!job) break;
      const payload = (await loadJobPayloads(tx, [job.answerId])).get(job.answerId);
      leased.push({
        id: next.id,
        token,
        attempt: job.attempts,
        code: payload?.code ?? "",
        testingCode: payload?.testingCode ?? "",
        language: payload?.language ?? "python",
      });
    }
    return leased;
  }

  #requeue(tx: Tx, jobId: number, reason: string) {
    return tx
      .update(gradingJobs)
      .set({ state: "queued", leaseToken: null, leaseUntil: null, lastError: reason })
      .where(eq(gradingJobs.id, jobId));
  }

  #settle(tx: Tx, jobId: number, state: "done" | "failed") {
    return tx
      .update(gradingJobs)
      .set({ state, leaseToken: null, leaseUntil: null })
      .where(eq(gradingJobs.id, jobId));
  }

  async #isFinished(completionId: number): Promise<boolean> {
    const row = await this.store.db
      .select({ status: completions.status })
      .from(completions)
      .where(eq(completions.id, completionId))
      .get();
    return row?.status !== "grading";
  }

  #notifyFinished(completionId: number) {
    this.#completionSignals.get(completionId)?.notify();
    this.#completionSignals.delete(completionId);
  }
}
