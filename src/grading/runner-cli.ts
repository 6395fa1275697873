/**
 * A grading runner on its own machine: `npm run runner -- --url http://api.example:8000`.
 * Needs RUNNER_TOKEN (the API's); reads GRADING_CONCURRENCY, SANDBOX and the sandbox limits.
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { parseConfig } from "../config";
import { createJsonLogger } from "../logger";
import { HttpLeaseSource } from "./http-lease-source";
import { RunnerPool } from "./runner";
import { defaultLimits } from "./sandbox/sandbox";
import { chooseSandbox, createSandboxes } from "./sandbox/select";

async function main() {
  const { values } = parseArgs({ options: { url: { type: "string" } } });
  const config = parseConfig(process.env);
  const logger = createJsonLogger(config.logLevel);
  if (!values.url) throw new Error("usage: npm run runner -- --url <API base URL>");
  if (!config.runnerToken)
    throw new Error("RUNNER_TOKEN is required (the same value as the API's)");

  const limits = defaultLimits(config.sandboxTimeLimitMs, config.sandboxMemoryMb);
  const kind = await chooseSandbox(config.sandbox, limits, logger);
  const workers = config.gradingConcurrency ?? availableParallelism();
  const pool = new RunnerPool(
    new HttpLeaseSource(values.url, config.runnerToken),
    await createSandboxes(kind, limits, workers),
    logger,
  );
  pool.start();
  logger.info("runner started", { url: values.url, workers, sandbox: kind });

  const stop = async (signal: string) => {
    logger.info("runner stopping: finishing the jobs in hand", { signal });
    await pool.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
