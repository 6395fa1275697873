import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./dev/docs-assets.ts";
import { freePort } from "./dev/free-port.ts";

export default defineConfig(async () => {
  // Chosen here (the config runs once, in the main process) so both the Worker's bindings and
  // the global setup that starts these services agree on them.
  process.env.TESTIT_DATABASE_PORT ??= String(await freePort());
  process.env.TESTIT_NODE_API_PORT ??= String(await freePort());
  process.env.TESTIT_GRADER_PORT ??= String(await freePort());
  // Shared with the Node build of the API, so that either runtime's tokens work on the other.
  process.env.TESTIT_JWT_SECRET ??= "a-workers-test-secret-that-is-long-enough";
  // The Worker's static assets (wrangler.toml [assets]) must be in place before it starts.
  copyDocsAssets();
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
                  DATABASE_URL: loopback(process.env.TESTIT_DATABASE_PORT),
                  JWT_SECRET: process.env.TESTIT_JWT_SECRET,
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
            // One file at a time: the round-trip counts read a proxy that every file goes through.
            fileParallelism: false,
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
