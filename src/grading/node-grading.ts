import { availableParallelism } from "node:os";
import type { Config } from "../config";
import type { Store } from "../db/client";
import type { Clock } from "../http/context";
import type { Logger } from "../logger";
import { leaseMsFor } from "./lease";
import { LocalGradingQueue } from "./local-queue";
import { RunnerPool } from "./runner";
import { defaultLimits } from "./sandbox/sandbox";
import { chooseSandbox, createSandboxes } from "./sandbox/select";

type GradingConfig = Pick<
  Config,
  "sandbox" | "sandboxTimeLimitMs" | "sandboxMemoryMb" | "gradingConcurrency" | "gradingLeaseMs"
>;

export interface NodeGrading {
  queue: LocalGradingQueue;
  /** Stops leasing, lets the runs in hand finish and report, then stops the queue. */
  stop(): Promise<void>;
}

/**
 * The Node runtime's grading: the queue in the embedded database and, unless `runners` is 0,
 * an in-process pool of sandboxed runners (one per core by default).
 */
export async function startNodeGrading(
  store: Store,
  clock: Clock,
  logger: Logger,
  config: GradingConfig,
  runners = config.gradingConcurrency ?? availableParallelism(),
): Promise<NodeGrading> {
  const queue = new LocalGradingQueue(store, clock, logger, {
    leaseMs: config.gradingLeaseMs ?? leaseMsFor(config.sandboxTimeLimitMs),
    sweepIntervalMs: 1000,
  });
  await queue.start();
  let pool: RunnerPool | undefined;
  if (runners > 0) {
    const limits = defaultLimits(config.sandboxTimeLimitMs, config.sandboxMemoryMb);
    const kind = await chooseSandbox(config.sandbox, limits, logger);
    pool = new RunnerPool(queue, await createSandboxes(kind, limits, runners), logger);
    pool.start();
  }
  return {
    queue,
    async stop() {
      const stopping = pool?.stop();
      queue.stop();
      await stopping;
    },
  };
}
