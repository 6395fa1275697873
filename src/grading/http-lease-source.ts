import { z } from "zod";
import { type JobOutcome, type LeasedJob, LeasedJobSchema, type LeaseSource } from "./queue";

const LeaseResponseSchema = z.object({ jobs: z.array(LeasedJobSchema) });
const ReportResponseSchema = z.object({ result: z.enum(["applied", "ignored"]) });

/** The runner protocol's client: a remote runner leases and reports over HTTP. */
export class HttpLeaseSource implements LeaseSource {
  constructor(
    private readonly apiUrl: string,
    private readonly runnerToken: string,
  ) {}

  async lease(max: number, waitMs: number, abort?: AbortSignal): Promise<LeasedJob[]> {
    try {
      const body = await this.#post(
        "/internal/grading/lease",
        { max, wait_ms: waitMs },
        waitMs + 10_000,
        abort,
      );
      return LeaseResponseSchema.parse(body).jobs;
    } catch (error) {
      if (abort?.aborted) return [];
      throw error;
    }
  }

  async report(jobId: number, token: string, outcome: JobOutcome) {
    const body = await this.#post(
      "/internal/grading/report",
      { job_id: jobId, token, outcome },
      30_000,
    );
    return ReportResponseSchema.parse(body).result;
  }

  async #post(
    path: string,
    payload: unknown,
    timeoutMs: number,
    abort?: AbortSignal,
  ): Promise<unknown> {
    const response = await fetch(new URL(path, this.apiUrl), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.runnerToken}` },
      body: JSON.stringify(payload),
      signal: abort
        ? AbortSignal.any([abort, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }
}
