import type { BatchResponse } from "drizzle-orm/batch";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { Caller } from "../auth/authenticator";
import type { BatchQueries } from "../db/client";
import { selectCaller, toCaller } from "../db/queries/users";
import type { AppContext, AppEnv } from "./context";
import { notAuthenticated } from "./errors";
import { authenticated } from "./openapi";

/** The token endpoints ignore the Authorization header: a stale token must not block a new login. */
const ignoresAuthorizationHeader = /^\/api\/users\/token\/(obtain|refresh)\/?$/;

/**
 * Route middleware marking a handler that reads its caller itself, in the same round trip as its
 * own first queries (`readWithCaller`), instead of the authentication middleware reading it
 * first. Such a handler meets a revoked token (401) after the request's validation.
 */
export const handlerReadsCaller: MiddlewareHandler<AppEnv> = (_c, next) => next();

const handlerReadsCallerHere = (c: AppContext) =>
  matchedRoutes(c).some((route) => route.handler === handlerReadsCaller);

/** Resolves `c.var.user` from the Authorization header; a bad header is a 401 wherever it is sent. */
export const resolveUser = createMiddleware<AppEnv>(async (c, next) => {
  const header = ignoresAuthorizationHeader.test(c.req.path)
    ? undefined
    : c.req.header("authorization");
  const { auth, deps } = c.var;
  const credentials = header
    ? await auth.credentialsOf(header, () => deps.clientAddress(c))
    : undefined;
  if (credentials && "token" in credentials && handlerReadsCallerHere(c)) {
    c.set("accessToken", credentials.token);
  } else if (credentials) {
    c.set(
      "user",
      "caller" in credentials ? credentials.caller : await auth.readCaller(credentials.token),
    );
  }
  await next();
});

/** Route middleware: anonymous callers get 401 before anything else is looked at. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.user && !c.var.accessToken) throw notAuthenticated();
  await next();
});

/** The signed-in caller, inside a handler whose route has `requireUser`. */
export function currentUser(c: AppContext): Caller {
  const { user } = c.var;
  if (!user) throw notAuthenticated();
  return user;
}

/** The signed-in caller's id, known before their row is read. */
export function callerId(c: AppContext): number | undefined {
  return c.var.user?.id ?? c.var.accessToken?.user_id;
}

/**
 * Runs the handler's first reads and the caller's in one batch (one round trip), and settles
 * who the caller is: 401 if the token's user is gone or changed their password since.
 */
export async function readWithCaller<T extends BatchQueries>(
  c: AppContext,
  queries: (callerId: number) => T,
): Promise<[Caller, BatchResponse<T>]> {
  const id = callerId(c);
  if (id === undefined) throw notAuthenticated();
  const { store } = c.var.deps;
  const [callerRows, ...results] = await store.readBatch([
    selectCaller(store.db, id),
    ...queries(id),
  ]);
  const { accessToken } = c.var;
  const caller = accessToken
    ? c.var.auth.callerOf(accessToken, toCaller(callerRows))
    : currentUser(c);
  c.set("user", caller);
  return [caller, results as BatchResponse<T>];
}

/**
 * Route middleware for download links: `?token=<access token>` stands for a Bearer header,
 * checked exactly like one. A header, when sent, wins.
 */
export const acceptTokenQuery = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.req.query("token");
  if (!c.var.user && token !== undefined && !c.req.header("authorization")) {
    const claims = await c.var.auth.accessClaims(token);
    if (handlerReadsCallerHere(c)) c.set("accessToken", claims);
    else c.set("user", await c.var.auth.readCaller(claims));
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
