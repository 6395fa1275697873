import { z } from "zod";

/** A code answer to grade. */
export interface GradingJobRequest {
  answerId: number;
  completionId: number;
  userId: number;
}

export const LeasedJobSchema = z.object({
  id: z.number().int(),
  token: z.string(),
  attempt: z.number().int(),
  code: z.string(),
  testingCode: z.string(),
  language: z.string(),
});
export type LeasedJob = z.infer<typeof LeasedJobSchema>;

export const RunReportSchema = z.object({
  passed: z.number().int().min(0),
  total: z.number().int().min(0),
  raised: z.boolean(),
  errors: z.string().max(65_536).nullable(),
});

/** What a runner says about a job: the answer's results, or that it could not grade it. */
export const JobOutcomeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("graded"), report: RunReportSchema }),
  z.object({ kind: z.literal("unavailable"), reason: z.string().max(2000) }),
]);
export type JobOutcome = z.infer<typeof JobOutcomeSchema>;

export const LeaseRequestSchema = z.object({
  max: z.number().int().min(1).max(32).default(1),
  wait_ms: z.number().int().min(0).max(30_000).default(0),
});
export const ReportRequestSchema = z.object({
  job_id: z.number().int().positive(),
  token: z.string().max(200),
  outcome: JobOutcomeSchema,
});

/** Where runners get work and send results; in-process in Node, over HTTP for remote runners. */
export interface LeaseSource {
  /** Up to `max` jobs, waiting up to `waitMs` for one; an aborted wait returns none. */
  lease(max: number, waitMs: number, signal?: AbortSignal): Promise<LeasedJob[]>;
  report(jobId: number, token: string, outcome: JobOutcome): Promise<"applied" | "ignored">;
  /** Reports, then leases up to `max` jobs without waiting, as one step where the source can. */
  reportAndLease?(
    jobId: number,
    token: string,
    outcome: JobOutcome,
    max: number,
  ): Promise<{ result: "applied" | "ignored"; next: LeasedJob[] }>;
}

/** The grading queue as the API sees it. */
export interface GradingQueue extends LeaseSource {
  submit(jobs: GradingJobRequest[]): Promise<void>;
  /** Resolves true once every job of the completion is finished, false after `timeoutMs`. */
  waitFor(completionId: number, timeoutMs: number): Promise<boolean>;
  /** Jobs waiting or running, in all and for one user: what bounds the queue. */
  pending(userId: number): Promise<{ total: number; ofUser: number }>;
}
