import { createServer } from "node:net";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** A free loopback port, for the services the Workers tests talk to (see tests/workers/global-setup.ts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default defineConfig(async () => {
  // Chosen here (the config runs once, in the main process) so both the Worker's bindings and
  // the global setup that starts these services agree on them.
  process.env.TESTIT_STANDIN_PORT ??= String(await freePort());
  process.env.TESTIT_NODE_API_PORT ??= String(await freePort());
  process.env.TESTIT_GRADER_PORT ??= String(await freePort());
  const loopback = (port: string) => `http://127.0.0.1:${port}`;

  return {
    test: {
      projects: [
        {
          test: {
            name: "node",
            include: ["tests/**/*.test.ts"],
            exclude: ["tests/workers/**"],
            testTimeout: 20_000,
            hookTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  DATABASE_URL: loopback(process.env.TESTIT_STANDIN_PORT),
                  JWT_SECRET: "a-workers-test-secret-that-is-long-enough",
                  RUNNER_TOKEN: "workers-test-runner-token-0123456789",
                  GRADING_WAIT_MS: "0",
                  GRADING_LEASE_MS: "60000",
                  LOG_LEVEL: "silent",
                  NODE_API_URL: loopback(process.env.TESTIT_NODE_API_PORT),
                  GRADER_URL: loopback(process.env.TESTIT_GRADER_PORT),
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["tests/workers/**/*.test.ts"],
            globalSetup: ["tests/workers/global-setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  };
});
