import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { UserRow } from "../db/queries/users";
import type { AppContext, AppEnv } from "./context";
import { notAuthenticated } from "./errors";
import { authenticated } from "./openapi";

/** The token endpoints ignore the Authorization header: a stale token must not block a new login. */
const ignoresAuthorizationHeader = /^\/api\/users\/token\/(obtain|refresh)\/?$/;

/** Resolves `c.var.user` from the Authorization header; a bad header is a 401 wherever it is sent. */
export const resolveUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = ignoresAuthorizationHeader.test(c.req.path)
    ? undefined
    : c.req.header("authorization");
  const { deps } = c.var;
  c.set(
    "user",
    header ? await c.var.auth.fromAuthorizationHeader(header, () => deps.clientAddress(c)) : null,
  );
  await next();
});

/** Route middleware: anonymous callers get 401 before anything else is looked at. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.user) throw notAuthenticated();
  await next();
});

/** The signed-in caller, inside a handler whose route has `requireUser`. */
export function currentUser(c: AppContext): UserRow {
  const { user } = c.var;
  if (!user) throw notAuthenticated();
  return user;
}

/**
 * Route middleware for download links: `?token=<access token>` stands for a Bearer header,
 * checked exactly like one. A header, when sent, wins.
 */
export const acceptTokenQuery = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.req.query("token");
  if (!c.var.user && token !== undefined && !c.req.header("authorization")) {
    c.set("user", await c.var.auth.fromAccessToken(token));
  }
  await next();
});

/**
 * Route contract fields for operations that need a signed-in caller: documented with both
 * security schemes, and 401 before anything else (validation, body parsing) is looked at.
 */
export function signedIn<const M extends MiddlewareHandler<AppEnv>[]>(...middleware: M) {
  const all: [typeof requireUser, ...M] = [requireUser, ...middleware];
  return { security: authenticated, middleware: all };
}
