import { isWriteLockBusy } from "./errors";

export interface BusyRetryOptions {
  /** Time from the first attempt after which a busy failure is final (then the 503 answers). */
  budgetMs: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`, and is jittered. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** Ten seconds: a class's burst of writes on a busy server drains within it (5 s did not always, on
 * two shared cores); a real outage does not, and the 503 then says when to come back. */
export const defaultBusyRetry: BusyRetryOptions = { budgetMs: 10_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs an all-or-nothing unit again while it fails because another connection holds the write
 * lock: such a failure committed nothing, so trying again cannot apply it twice. Waits a jittered,
 * growing delay between attempts (so the waiters don't come back in step); once the budget is
 * spent, or on any other error, the error goes to the caller as it came.
 */
export async function retryWhileBusy<T>(
  unit: () => Promise<T>,
  { budgetMs, firstDelayMs = 20, maxDelayMs = 500 }: BusyRetryOptions,
): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let ceiling = firstDelayMs; ; ceiling = Math.min(ceiling * 2, maxDelayMs)) {
    try {
      return await unit();
    } catch (error) {
      const delay = ceiling / 2 + Math.random() * (ceiling / 2);
      if (!isWriteLockBusy(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
