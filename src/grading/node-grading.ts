import { availableParallelism } from "node:os";
import type { Config } from "../config";
import type { Store } from "../db/client";
import type { Clock } from "../http/context";
import type { Logger } from "../logger";
import { leaseMsFor } from "./lease";
import { LocalGradingQueue } from "./local-queue";
import { RunnerPool } from "./runner";
import { defaultLimits } from "./sandbox/sandbox";
import { chooseSandbox, createSandboxes, type SandboxKind } from "./sandbox/select";

type GradingConfig = Pick<
  Config,
  "sandbox" | "sandboxTimeLimitMs" | "sandboxMemoryMb" | "gradingConcurrency" | "gradingLeaseMs"
>;

export interface NodeGrading {
  queue: LocalGradingQueue;
  /** The in-process runners' sandbox, or "remote" when there are none. */
  sandbox: SandboxKind | "remote";
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
  let sandbox: SandboxKind | "remote" = "remote";
  if (runners > 0) {
    const limits = defaultLimits(config.sandboxTimeLimitMs, config.sandboxMemoryMb);
    sandbox = await chooseSandbox(config.sandbox, limits, logger);
    pool = new RunnerPool(queue, await createSandboxes(sandbox, limits, runners), logger);
    pool.start();
  }
  return {
    queue,
    sandbox,
    async stop() {
      const stopping = pool?.stop();
      queue.stop();
      await stopping;
    },
  };
}
