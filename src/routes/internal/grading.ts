import { type Context, Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { z } from "zod";
import { LeaseRequestSchema, ReportRequestSchema } from "../../grading/queue";
import type { AppEnv } from "../../http/context";
import {
  ApiError,
  authenticateHeader,
  badRequest,
  detailIn,
  notFound,
  toValidationErrorBody,
} from "../../http/errors";
import { fieldIssues } from "../../http/router";
import { type Message, message } from "../../i18n/messages";

/** Runners authenticate with the bearer RUNNER_TOKEN; every refusal is the contract's 401. */
const refuse = (detail: Message) => (c: Context<AppEnv>) =>
  c.json(detailIn(c.var.language, detail), 401, authenticateHeader);
const runnerBearer = bearerAuth<AppEnv>({
  verifyToken: (token, c) => timingSafeEqual(c.var.deps.config.runnerToken ?? "", token),
  noAuthenticationHeader: { message: refuse(message("not_authenticated")) },
  invalidAuthenticationHeader: { message: refuse(message("invalid_runner_token")) },
  invalidToken: { message: refuse(message("invalid_runner_token")) },
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
    throw badRequest(message("json_parse_error"));
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(400, toValidationErrorBody(fieldIssues(parsed.error.issues, body), body));
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
