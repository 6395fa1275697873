import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { z } from "zod";
import { LeaseRequestSchema, ReportRequestSchema } from "../../grading/queue";
import type { AppEnv } from "../../http/context";
import { ApiError, authenticateHeader, notFound, toValidationErrorBody } from "../../http/errors";

/** Runners authenticate with the bearer RUNNER_TOKEN; every refusal is the contract's 401. */
const refuse = (detail: string) => (c: Context<AppEnv>) =>
  c.json({ detail }, 401, authenticateHeader);
const runnerBearer = bearerAuth<AppEnv>({
  verifyToken: (token, c) => timingSafeEqual(c.var.deps.config.runnerToken ?? "", token),
  noAuthenticationHeader: { message: refuse("Authentication credentials were not provided.") },
  invalidAuthenticationHeader: { message: refuse("Invalid runner token.") },
  invalidToken: { message: refuse("Invalid runner token.") },
});

/** Without RUNNER_TOKEN configured, the protocol does not exist. */
const requireRunner = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.deps.config.runnerToken) throw notFound();
  return runnerBearer(c, next);
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
