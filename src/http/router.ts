import type { Hook } from "@hono/zod-openapi";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { ApiError, notFound, toValidationErrorBody } from "./errors";

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route, whatever its schemas
type AnyHook = Hook<any, AppEnv, any, any>;

/** Invalid input becomes DRF's 400 body; a path id that is not a number is simply not found. */
export const validationHook: AnyHook = (result) => {
  if (result.success) return;
  if (result.target === "param") throw notFound();
  const input = (result as { data?: unknown }).data;
  throw new ApiError(400, toValidationErrorBody(result.error.issues, input));
};

export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
