import { DurableObject } from "cloudflare:workers";
import type { DurableObjectNamespace, DurableObjectState } from "@cloudflare/workers-types";
import type { Store } from "../db/client";
import { failedGrade, gradeFromReport, gradeStatements, questionOfAnswer } from "./apply-result";
import { nextFairJobSql } from "./fair-share";
import { loadJobPayloads } from "./job-payload";
import type { GradingJobRequest, GradingQueue, JobOutcome, LeasedJob } from "./queue";
import {
  decideExpiry,
  decideReport,
  graderTimedOut,
  graderUnavailable,
  type JobStatus,
} from "./queue-core";
import { Signal } from "./signal";

export interface GradingQueueEnv {
  GRADING_QUEUE: DurableObjectNamespace;
}

/** What the object needs from its Worker: the database and how long a lease lasts. */
export interface DurableQueueDeps {
  store: Store;
  leaseMs: number;
}

interface JobRow extends Record<string, SqlStorageValue> {
  id: number;
  answer_id: number;
  completion_id: number;
  state: JobStatus["state"];
  attempts: number;
  lease_token: string | null;
  lease_until: number | null;
}
type SqlStorageValue = ArrayBuffer | string | number | null;

const statusOf = (row: JobRow): JobStatus => ({
  state: row.state,
  attempts: row.attempts,
  leaseToken: row.lease_token,
  leaseUntil: row.lease_until === null ? null : new Date(row.lease_until),
});

/**
 * The grading queue of the Workers runtime: jobs in the object's own SQLite storage, the same
 * state machine as Node (queue-core), results applied to the database with the same
 * `applyGrade`. Alarms notice leases that ran out. One object serves the whole deployment.
 */
export abstract class GradingQueueObjectBase<Env> extends DurableObject<Env> {
  readonly #changed = new Signal();

  /** The database and lease length, from the Worker's environment. */
  protected abstract deps(): DurableQueueDeps;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.#sql(`create table if not exists jobs (
        id integer primary key autoincrement,
        answer_id integer not null unique,
        completion_id integer not null,
        user_id integer not null,
        state text not null default 'queued',
        attempts integer not null default 0,
        lease_token text,
        lease_until integer,
        last_error text
      )`);
      this.#sql("create index if not exists jobs_state on jobs (state, id)");
      this.#sql("create index if not exists jobs_completion on jobs (completion_id, state)");
    });
  }

  async submit(jobs: GradingJobRequest[]): Promise<void> {
    for (const job of jobs) {
      // An answer id met again after the job finished means the database was reset under the
      // queue (a fresh local database, say): grade the new answer. Jobs in flight stay as they are.
      this.#sql(
        `insert into jobs (answer_id, completion_id, user_id) values (?, ?, ?)
         on conflict (answer_id) do update set completion_id = excluded.completion_id, user_id = excluded.user_id,
           state = 'queued', attempts = 0, lease_token = null, lease_until = null, last_error = null
         where jobs.state in ('done', 'failed')`,
        job.answerId,
        job.completionId,
        job.userId,
      );
    }
    this.#wake();
  }

  async lease(max: number, waitMs: number): Promise<LeasedJob[]> {
    const leased = await this.#claim(max);
    if (leased.length > 0 || waitMs <= 0) return leased;
    await this.#wait(waitMs);
    return this.#claim(max);
  }

  async report(jobId: number, token: string, outcome: JobOutcome): Promise<"applied" | "ignored"> {
    const row = this.#job(jobId);
    const decision = decideReport(row ? statusOf(row) : undefined, token, outcome);
    if (!row || decision.kind === "ignore") return "ignored";
    if (decision.kind === "retry") {
      this.#requeue(row.id, decision.reason);
      this.#wake();
      return "ignored";
    }
    const { store } = this.deps();
    // Two round trips: the question (for its points), then the grade and score in one batch.
    const grade =
      decision.kind === "apply"
        ? gradeFromReport(
            (await questionOfAnswer(store.db, row.answer_id)) ?? { points: 0, strictScore: true },
            decision.outcome.report,
          )
        : failedGrade(graderUnavailable(row.attempts, decision.reason));
    await store.batch(gradeStatements(store.db, row.answer_id, grade));
    this.#settle(row.id, decision.kind === "apply" ? "done" : "failed");
    this.#wake();
    return "applied";
  }

  async waitFor(completionId: number, timeoutMs: number): Promise<boolean> {
    if (this.#pendingOf(completionId) === 0) return true;
    const deadline = Date.now() + timeoutMs;
    while (this.#pendingOf(completionId) > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.#wait(left);
    }
    return true;
  }

  async pending(userId: number): Promise<{ total: number; ofUser: number }> {
    const [row] = this.#sql<{ total: number; ofUser: number }>(
      "select count(*) as total, coalesce(sum(user_id = ?), 0) as ofUser from jobs where state in ('queued', 'leased')",
      userId,
    );
    return { total: row?.total ?? 0, ofUser: row?.ofUser ?? 0 };
  }

  /** Leases that ran out: re-queue, or record the answer as failed after the last try. */
  async alarm(): Promise<void> {
    const now = new Date();
    const expired = this.#sql<JobRow>(
      "select * from jobs where state = 'leased' and lease_until <= ?",
      now.getTime(),
    );
    const { store } = this.deps();
    for (const row of expired) {
      const decision = decideExpiry(statusOf(row), now);
      if (decision === "requeue") this.#requeue(row.id, "the runner did not report in time");
      if (decision === "fail") {
        await store.batch(
          gradeStatements(store.db, row.answer_id, failedGrade(graderTimedOut(row.attempts))),
        );
        this.#settle(row.id, "failed");
      }
    }
    await this.#scheduleAlarm();
    this.#wake();
  }

  /** The jobs' states, for operators and tests. */
  async jobs(): Promise<JobRow[]> {
    return this.#sql<JobRow>("select * from jobs order by id");
  }

  /** Leases up to `max` jobs, one at a time in fair-share order (see nextFairJobSql). */
  async #claim(max: number): Promise<LeasedJob[]> {
    const until = Date.now() + this.deps().leaseMs;
    const leased: { row: JobRow; token: string }[] = [];
    for (let count = 0; count < max; count++) {
      const [next] = this.#sql<{ id: number }>(nextFairJobSql("jobs"));
      const row = next && this.#job(next.id);
      if (!row) break;
      const token = crypto.randomUUID();
      this.#sql(
        "update jobs set state = 'leased', attempts = attempts + 1, lease_token = ?, lease_until = ? where id = ?",
        token,
        until,
        row.id,
      );
      leased.push({ row, token });
    }
    if (leased.length === 0) return [];
    await this.#scheduleAlarm();
    const payloads = await loadJobPayloads(
      this.deps().store.db,
      leased.map(({ row }) => row.answer_id),
    );
    return leased.map(({ row, token }) => ({
      id: row.id,
      token,
      attempt: row.attempts + 1,
      code: payloads.get(row.answer_id)?.code ?? "",
      testingCode: payloads.get(row.answer_id)?.testingCode ?? "",
      language: payloads.get(row.answer_id)?.language ?? "python",
    }));
  }

  async #scheduleAlarm() {
    const [next] = this.#sql<{ until: number | null }>(
      "select min(lease_until) as until from jobs where state = 'leased'",
    );
    if (next?.until != null) await this.ctx.storage.setAlarm(next.until);
  }

  #job(id: number): JobRow | undefined {
    return this.#sql<JobRow>("select * from jobs where id = ?", id)[0];
  }

  #pendingOf(completionId: number): number {
    const [row] = this.#sql<{ pending: number }>(
      "select count(*) as pending from jobs where completion_id = ? and state in ('queued', 'leased')",
      completionId,
    );
    return row?.pending ?? 0;
  }

  #requeue(id: number, reason: string) {
    this.#sql(
      "update jobs set state = 'queued', lease_token = null, lease_until = null, last_error = ? where id = ?",
      reason,
      id,
    );
  }

  #settle(id: number, state: "done" | "failed") {
    this.#sql(
      "update jobs set state = ?, lease_token = null, lease_until = null where id = ?",
      state,
      id,
    );
  }

  #sql<T extends Record<string, SqlStorageValue> = Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: SqlStorageValue[]
  ): T[] {
    return this.ctx.storage.sql.exec<T>(query, ...bindings).toArray();
  }

  #wait(timeoutMs: number): Promise<void> {
    return this.#changed.wait(timeoutMs);
  }

  #wake() {
    this.#changed.notify();
  }
}

type QueueStub = Pick<
  GradingQueueObjectBase<unknown>,
  "submit" | "lease" | "report" | "waitFor" | "pending"
>;

/** The API's view of the Durable Object queue: every call goes to the one queue object. */
export function durableGradingQueue(namespace: DurableObjectNamespace): GradingQueue {
  const stub = () => namespace.get(namespace.idFromName("grading")) as unknown as QueueStub;
  return {
    submit: (jobs) => stub().submit(jobs),
    lease: (max, waitMs) => stub().lease(max, waitMs),
    report: (jobId, token, outcome) => stub().report(jobId, token, outcome),
    waitFor: (completionId, timeoutMs) => stub().waitFor(completionId, timeoutMs),
    pending: (userId) => stub().pending(userId),
  };
}
