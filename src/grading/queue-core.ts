import type { GradingJobState } from "../db/schema";
import { graderText } from "../i18n/grader-text";
import type { JobOutcome } from "./queue";

/** A job is tried at most this many times before its answer is recorded as failed. */
export const maxAttempts = 3;

export interface JobStatus {
  state: GradingJobState;
  attempts: number;
  leaseToken: string | null;
  leaseUntil: Date | null;
}

export const graderUnavailable = (attempts: number, reason: string) =>
  graderText("grading_unavailable", { attempts, reason });

/** The message of an answer whose last runner never reported. */
export const graderTimedOut = (attempts: number) =>
  graderText("grading_unavailable_timeout", { attempts });

export type ReportDecision =
  | { kind: "apply"; outcome: Extract<JobOutcome, { kind: "graded" }> }
  | { kind: "retry"; reason: string }
  | { kind: "fail"; reason: string }
  | { kind: "ignore" };

/**
 * What a runner's report does (queued → leased → done | retry | failed): only the holder of the
 * current lease is heard, so a duplicate or late report changes nothing.
 */
export function decideReport(
  job: JobStatus | undefined,
  token: string,
  outcome: JobOutcome,
): ReportDecision {
  if (job?.state !== "leased" || job.leaseToken !== token) return { kind: "ignore" };
  if (outcome.kind === "graded") return { kind: "apply", outcome };
  return job.attempts >= maxAttempts
    ? { kind: "fail", reason: outcome.reason }
    : { kind: "retry", reason: outcome.reason };
}

/** A lease that ran out means its runner died or hung: try again, or give up after the last try. */
export function decideExpiry(job: JobStatus, now: Date): "requeue" | "fail" | "keep" {
  if (job.state !== "leased" || !job.leaseUntil || job.leaseUntil.getTime() > now.getTime())
    return "keep";
  return job.attempts >= maxAttempts ? "fail" : "requeue";
}
