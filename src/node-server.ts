import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type App, createApp } from "./app";
import { nodeArgon2Hasher } from "./auth/node-argon2";
import { type Config, ConfigError, parseConfig } from "./config";
import { openNodeStore } from "./db/node-database";
import { startNodeGrading } from "./grading/node-grading";
import { clientAddressOf } from "./http/client-address";
import type { AppDeps } from "./http/context";
import { swaggerUiAssetsFromNodeModules } from "./http/swagger-ui-assets";
import { createJsonLogger, type Logger } from "./logger";
import { batchedStdoutLines } from "./stdout-lines";

/** What the server serves: the app, or (benchmarks) the app inside a wrapper. */
export type ServedApp = Pick<App, "fetch">;

/** The Node runtime's app over its embedded database and in-process grading, not yet served. */
export async function openNodeApp(
  config: Config,
  logger: Logger,
  clientAddress: AppDeps["clientAddress"],
) {
  let jwtSecret = config.jwtSecret;
  if (!jwtSecret) {
    jwtSecret = randomBytes(32).toString("base64url");
    logger.warn("JWT_SECRET is not set: using a random secret; tokens will not survive a restart");
  }
  const store = await openNodeStore(config.databaseUrl, config.databaseAuthToken);
  const clock = { now: () => Date.now() };
  const grading = await startNodeGrading(store, clock, logger, config);
  const app = createApp({
    store,
    grading: grading.queue,
    sandbox: grading.sandbox,
    passwords: nodeArgon2Hasher,
    config: { ...config, jwtSecret },
    clock,
    logger,
    clientAddress,
    docsAssets: swaggerUiAssetsFromNodeModules(),
  });
  return {
    app,
    store,
    /** Lets grading in hand finish, then closes the database. */
    async close() {
      await grading.stop();
      await store.close();
    },
  };
}

/**
 * The Node runtime: embedded libSQL (migrated at start), in-process grading, the API on
 * HOST:PORT, and a graceful stop on SIGINT/SIGTERM.
 */
export async function runNodeServer(
  env: Record<string, string | undefined>,
  serveApp: (app: ReturnType<typeof createApp>) => ServedApp = (app) => app,
) {
  const config = parseConfig(env);
  const logger = createJsonLogger(config.logLevel, batchedStdoutLines());
  const { app, store, close } = await openNodeApp(config, logger, (c) =>
    clientAddressOf(
      getConnInfo(c).remote.address,
      c.req.header("x-forwarded-for"),
      config.trustProxy,
    ),
  );

  const served = serveApp(app);
  const server = serve(
    { fetch: served.fetch, port: config.port, hostname: config.host },
    (info) => {
      logger.info("listening", {
        url: `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`,
        database: config.databaseUrl,
      });
    },
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    // Stop accepting connections, let in-flight requests and grading finish, then close the database.
    server.close(async () => {
      await close();
      logger.info("stopped", store.stats ? { writes: store.stats } : {});
      process.exit(0);
    });
    setTimeout(() => {
      logger.warn("forcing exit: requests still running after 10 s");
      process.exit(1);
    }, 10_000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

/** Reports a failed start the way an operator can act on it, and exits non-zero. */
export function exitOnStartFailure(error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : `failed to start: ${String(error)}`);
  process.exit(1);
}
