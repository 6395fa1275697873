import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { getPath } from "hono/utils/url";
import { Authenticator } from "./auth/authenticator";
import { isDatabaseUnavailable } from "./db/errors";
import { TestTreeCache } from "./db/queries/test-tree-cache";
import { preferredLanguage } from "./http/accept-language";
import { resolveUser } from "./http/authentication";
import type { AppDeps, AppEnv } from "./http/context";
import { ApiError, detailIn, notFound } from "./http/errors";
import { createAbuseLimits } from "./http/rate-limit";
import { routePaths } from "./http/route-paths";
import { validationHook } from "./http/router";
import { message, renderMessages } from "./i18n/messages";
import { completionsRouter } from "./routes/completions";
import { createDocsRouter } from "./routes/docs";
import { groupsRouter } from "./routes/groups";
import { healthRouter } from "./routes/health";
import { internalGradingRouter } from "./routes/internal/grading";
import { organizationsRouter } from "./routes/organizations";
import { testsRouter } from "./routes/tests";
import { tokensRouter } from "./routes/tokens";
import { usersRouter } from "./routes/users";

const probePaths = new Set(["/healthz", "/readyz"]);

const exposedHeaders = ["X-Request-Id", "Retry-After", "Content-Disposition", "WWW-Authenticate"];

/** Maps anything thrown by a handler or middleware to the contract's error shapes. */
function errorResponse(error: unknown, c: Context<AppEnv>): Response {
  const language = c.var.language;
  if (error instanceof ApiError)
    return c.json(renderMessages(error.body, language) as object, error.status, error.headers);
  // A middleware's own answer (the runner endpoints' bearer check) already has the contract's shape.
  if (error instanceof HTTPException && error.res) return error.getResponse();
  if (error instanceof HTTPException) {
    const detail = /json/i.test(error.message)
      ? message("json_parse_error")
      : /formdata/i.test(error.message)
        ? message("form_parse_error")
        : message("bad_request");
    return c.json(detailIn(language, detail), error.status);
  }
  const requestIdValue = c.get("requestId");
  if (isDatabaseUnavailable(error)) {
    c.var.deps.logger.warn("database unavailable", {
      request_id: requestIdValue,
      path: c.req.path,
      error: (error as Error).message,
    });
    return c.json(detailIn(language, message("database_unavailable")), 503, {
      "Retry-After": "5",
    });
  }
  c.var.deps.logger.error("unhandled error", {
    request_id: requestIdValue,
    method: c.req.method,
    path: c.req.path,
    error:
      error instanceof Error
        ? {
            name: error.name,
            message: error.message,
            stack: error.stack,
            // A driver's own error (a lost connection, SQLITE_BUSY) hides behind the ORM's.
            ...(error.cause === undefined ? {} : { cause: String(error.cause) }),
          }
        : String(error),
  });
  return c.json(
    { ...detailIn(language, message("internal_error")), request_id: requestIdValue },
    500,
  );
}

export function createApp(deps: AppDeps) {
  const { config, logger } = deps;
  const auth = new Authenticator({
    store: deps.store,
    passwords: deps.passwords,
    now: () => deps.clock.now(),
    tokens: {
      secret: config.jwtSecret,
      accessTtlSeconds: config.accessTokenTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
    },
    refreshRotation: config.refreshTokenRotation,
    signInLimits: {
      maxFailuresPerEmail: config.loginMaxFailures,
      maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
      windowSeconds: config.loginLockoutSeconds,
      checksPerEmailPerMinute: config.loginRatePerMinute,
      checksPerAddressPerMinute: config.loginRatePerAddressPerMinute,
    },
  });

  const limits = createAbuseLimits({
    registrationsPerHour: config.registerRatePerHour,
    submissionsPerMinute: config.submissionRatePerMinute,
  });

  const testTrees = new TestTreeCache();

  const app: OpenAPIHono<AppEnv> = new OpenAPIHono<AppEnv>({
    defaultHook: validationHook,
    getPath: (request) => paths.canonical(getPath(request)),
  });
  const paths = routePaths(app);

  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", async (c, next) => {
    const started = performance.now();
    const language = preferredLanguage(c.req.header("accept-language"));
    c.set("language", language);
    c.set("deps", deps);
    c.set("auth", auth);
    c.set("limits", limits);
    c.set("testTrees", testTrees);
    c.set("user", null);
    c.set("accessToken", null);
    await next();
    c.header("Content-Language", language);
    c.header("Vary", "Accept-Language", { append: true });
    if (c.req.header("authorization") || c.req.query("token"))
      c.header("Cache-Control", "no-store");
    // A load balancer probes every few seconds: its answered probes are not worth a line each.
    const answeredProbe = c.res.ok && probePaths.has(paths.canonical(c.req.path));
    logger[answeredProbe ? "debug" : "info"]("request", {
      request_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      user_id: c.get("user")?.id ?? null,
    });
  });
  app.use(
    "*",
    secureHeaders({
      xFrameOptions: "DENY",
      // Not includeSubDomains: the API must not decide for the operator's other hosts.
      strictTransportSecurity: "max-age=15552000",
    }),
  );
  app.use(
    "*",
    cors({
      origin: config.corsOrigins,
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
      exposeHeaders: exposedHeaders,
      maxAge: 600,
    }),
  );
  const limitBody = bodyLimit({
    maxSize: config.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, {
        detail: message("body_too_large", { bytes: config.maxBodyBytes }),
      });
    },
  });
  // GET and HEAD bodies are never read; looking for one makes Node build a whole Request.
  app.use("*", (c, next) =>
    c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next),
  );
  app.use("/api/*", resolveUser);

  // Chained, so that the app's type carries every route (see `AppType`).
  const api = app
    .route("/", healthRouter)
    .route("/", tokensRouter)
    .route("/", usersRouter)
    .route("/", organizationsRouter)
    .route("/", groupsRouter)
    .route("/", testsRouter)
    .route("/", completionsRouter)
    .route("/", internalGradingRouter);

  app.openAPIRegistry.registerComponent("securitySchemes", "jwtAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "tokenQuery", {
    type: "apiKey",
    in: "query",
    name: "token",
    description:
      "An access token in the query string; only the download links accept it (the xlsx export, the histogram SVG)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "basicAuth", {
    type: "http",
    scheme: "basic",
  });
  const documented = api.route("/", createDocsRouter(app));

  app.notFound((c) => {
    const methods = paths.allowedMethods(c.req.path);
    if (methods.length > 0) {
      const detail = message("method_not_allowed", { method: c.req.method });
      return c.json(detailIn(c.var.language, detail), 405, { Allow: methods.join(", ") });
    }
    return errorResponse(notFound(), c);
  });
  app.onError(errorResponse);
  return documented;
}

export type App = ReturnType<typeof createApp>;
/** The API's routes with their request and response schemas, for `hc<AppType>` clients. */
export type AppType = App;
