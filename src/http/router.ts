import type { Hook, z } from "@hono/zod-openapi";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { ApiError, type FieldIssue, notFound, toValidationErrorBody, valueAt } from "./errors";
import { zodIssueText } from "./validation-messages";

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route, whatever its schemas
type AnyHook = Hook<any, AppEnv, any, any>;

/** Invalid input becomes DRF's 400 body; a path id that is not a number is simply not found. */
export const validationHook: AnyHook = (result) => {
  if (result.success) return;
  if (result.target === "param") throw notFound();
  const input = (result as { data?: unknown }).data;
  throw new ApiError(400, toValidationErrorBody(fieldIssues(result.error.issues, input), input));
};

/** Zod's issues about `input`, each with its message for people. */
export const fieldIssues = (issues: readonly z.core.$ZodIssue[], input: unknown): FieldIssue[] =>
  issues.map((issue) => ({
    path: issue.path,
    message: zodIssueText(issue, valueAt(input, issue.path)),
  }));

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
