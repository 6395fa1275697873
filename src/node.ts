import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "./app";
import { nodeArgon2Hasher } from "./auth/node-argon2";
import { ConfigError, parseConfig } from "./config";
import { createStore } from "./db/client";
import { applyMigrations, openNodeDatabase } from "./db/node-database";
import { startNodeGrading } from "./grading/node-grading";
import type { AppConfig } from "./http/context";
import { swaggerUiAssetsFromNodeModules } from "./http/swagger-ui-assets";
import { createJsonLogger } from "./logger";

async function main() {
  const config = parseConfig(process.env);
  const logger = createJsonLogger(config.logLevel);
  let jwtSecret = config.jwtSecret;
  if (!jwtSecret) {
    jwtSecret = randomBytes(32).toString("base64url");
    logger.warn("JWT_SECRET is not set: using a random secret; tokens will not survive a restart");
  }
  const appConfig: AppConfig = { ...config, jwtSecret };

  const client = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken);
  await applyMigrations(client);
  const store = createStore(client);
  const clock = { now: () => Date.now() };
  const grading = await startNodeGrading(store, clock, logger, config);
  const app = createApp({
    store,
    grading: grading.queue,
    passwords: nodeArgon2Hasher,
    config: appConfig,
    clock,
    logger,
    clientAddress: (c) => getConnInfo(c).remote.address,
    docsAssets: swaggerUiAssetsFromNodeModules(),
  });

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info("listening", {
      url: `http://${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}`,
      database: config.databaseUrl,
    });
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    // Stop accepting connections, let in-flight requests and grading finish, then close the database.
    server.close(async () => {
      await grading.stop();
      client.close();
      logger.info("stopped");
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error("failed to start:", error);
  }
  process.exit(1);
});
