import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { LeaseRequestSchema, ReportRequestSchema } from "../../grading/queue";
import type { AppEnv } from "../../http/context";
import { ApiError, notAuthenticated, notFound, toValidationErrorBody } from "../../http/errors";

/** Compares secrets in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** Only runners holding RUNNER_TOKEN; without one configured, the protocol does not exist. */
const requireRunner = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.var.deps.config.runnerToken;
  if (!expected) throw notFound();
  const header = c.req.header("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  if (!sameSecret(token, expected)) throw notAuthenticated("Invalid runner token.");
  await next();
});

async function parseBody<T extends z.ZodType>(
  c: { req: { json(): Promise<unknown> } },
  schema: T,
): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, { detail: "JSON parse error." });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, toValidationErrorBody(parsed.error.issues, body));
  return parsed.data;
}

/**
 * The runner protocol (DESIGN §6): remote runners lease jobs and report results over HTTP,
 * exactly as the in-process pool does. Not part of the public API document.
 */
export const internalGradingRouter = new Hono<AppEnv>()
  .use("/internal/grading/*", requireRunner)
  .post("/internal/grading/lease", async (c) => {
    const { max, wait_ms: waitMs } = await parseBody(c, LeaseRequestSchema);
    return c.json({ jobs: await c.var.deps.grading.lease(max, waitMs) });
  })
  .post("/internal/grading/report", async (c) => {
    const { job_id: jobId, token, outcome } = await parseBody(c, ReportRequestSchema);
    return c.json({ result: await c.var.deps.grading.report(jobId, token, outcome) });
  });
