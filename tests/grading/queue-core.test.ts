import { describe, expect, it } from "vitest";
import type { JobOutcome } from "../../src/grading/queue";
import {
  decideExpiry,
  decideReport,
  type JobStatus,
  maxAttempts,
} from "../../src/grading/queue-core";

const now = new Date("2026-11-28T12:00:00Z");
const leased = (attempts: number, leaseUntil = new Date(now.getTime() + 1000)): JobStatus => ({
  state: "leased",
  attempts,
  leaseToken: "lease-1",
  leaseUntil,
});
const graded: JobOutcome = {
  kind: "graded",
  report: { passed: 1, total: 1, raised: false, errors: null },
};
const unavailable: JobOutcome = { kind: "unavailable", reason: "could not start" };

describe("reports", () => {
  it.each([
    ["the lease holder's result", leased(1), "lease-1", graded, "apply"],
    ["a report with another lease's token", leased(1), "lease-0", graded, "ignore"],
    [
      "a report for a job already done",
      { ...leased(1), state: "done" as const },
      "lease-1",
      graded,
      "ignore",
    ],
    [
      "a report for a job that failed",
      { ...leased(3), state: "failed" as const },
      "lease-1",
      graded,
      "ignore",
    ],
    ["a report for a job that does not exist", undefined, "lease-1", graded, "ignore"],
    ["a sandbox failure on an early try", leased(1), "lease-1", unavailable, "retry"],
    ["a sandbox failure on the last try", leased(maxAttempts), "lease-1", unavailable, "fail"],
  ])("%s → %s", (_, job, token, outcome, expected) => {
    expect(decideReport(job, token, outcome).kind).toBe(expected);
  });
});

describe("lease expiry", () => {
  it.each([
    ["a lease still running", leased(1), "keep"],
    ["an expired lease on an early try", leased(1, new Date(now.getTime() - 1)), "requeue"],
    ["an expired lease on the last try", leased(maxAttempts, new Date(now.getTime() - 1)), "fail"],
    [
      "a queued job",
      { state: "queued" as const, attempts: 0, leaseToken: null, leaseUntil: null },
      "keep",
    ],
  ])("%s → %s", (_, job, expected) => {
    expect(decideExpiry(job, now)).toBe(expected);
  });
});
