import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app";
import { nodeArgon2Hasher } from "../../src/auth/node-argon2";
import type { PasswordHasher } from "../../src/auth/passwords";
import { parseConfig } from "../../src/config";
import { openNodeStore } from "../../src/db/node-database";
import { startNodeGrading } from "../../src/grading/node-grading";
import { clientAddressOf } from "../../src/http/client-address";
import type { AppConfig } from "../../src/http/context";
import { swaggerUiAssetsFromNodeModules } from "../../src/http/swagger-ui-assets";
import { createJsonLogger, type Logger } from "../../src/logger";

export const testJwtSecret = "test-secret-that-is-long-enough-for-hs256!";

/** Tests create many users from one address; the rate-limit tests set their own limits. */
const relaxedForTests = {
  GRADING_WAIT_MS: "0",
  REGISTER_RATE_PER_HOUR: "100000",
  LOGIN_RATE_PER_MINUTE: "100000",
  LOGIN_RATE_PER_ADDRESS_PER_MINUTE: "100000",
  SUBMISSION_RATE_PER_MINUTE: "100000",
  GRADING_MAX_PENDING_PER_USER: "100000",
};

/** A clock the test can move; starts at the real time so tokens look ordinary. */
export class TestClock {
  current = Date.now();
  now() {
    return this.current;
  }
  advanceSeconds(seconds: number) {
    this.current += seconds * 1000;
  }
}

export interface TestAppOptions {
  /** In-process sandboxed runners; none by default, so code answers stay `grading`. */
  runners?: number;
  env?: Record<string, string>;
  logger?: Logger;
  clientAddress?: string;
  /** Real argon2 unless given (a test may wrap it to count the checks). */
  passwords?: PasswordHasher;
}

/** The real app over a fresh libSQL file in a temporary folder, with real argon2 and JWTs. */
export async function createTestApp(options: TestAppOptions = {}) {
  const folder = mkdtempSync(join(tmpdir(), "testit-"));
  const databaseUrl = `file:${join(folder, "test.db")}`;
  const store = await openNodeStore(databaseUrl);
  const config: AppConfig = {
    ...parseConfig({
      NODE_ENV: "test",
      JWT_SECRET: testJwtSecret,
      ...relaxedForTests,
      ...options.env,
    }),
    jwtSecret: options.env?.JWT_SECRET ?? testJwtSecret,
  };
  const clock = new TestClock();
  const logger = options.logger ?? createJsonLogger("silent");
  const grading = await startNodeGrading(store, clock, logger, config, options.runners ?? 0);
  const app = createApp({
    store,
    grading: grading.queue,
    sandbox: grading.sandbox,
    passwords: options.passwords ?? nodeArgon2Hasher,
    config,
    clock,
    logger,
    docsAssets: swaggerUiAssetsFromNodeModules(),
    // The peer comes from a test header (app.request has no socket); the rest is the real rule.
    clientAddress: (c) =>
      clientAddressOf(
        c.req.header("x-test-client-address") ?? options.clientAddress ?? "127.0.0.1",
        c.req.header("x-forwarded-for"),
        config.trustProxy,
      ),
  });
  return {
    app,
    clock,
    store,
    /** For a test that writes straight into the file through a connection of its own. */
    databaseUrl,
    config,
    grading: grading.queue,
    async close() {
      await grading.stop();
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
