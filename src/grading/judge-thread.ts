import { Worker } from "node:worker_threads";
import type { PlanOutcome, RunReport } from "./harness/harness";
import type { SandboxEnding } from "./sandbox/sandbox";

/** What the judge thread is asked: read a plan from a teacher-only run, or judge an answer. */
export type JudgeTask =
  | { kind: "readPlan"; language: string; testingCode: string; ending: SandboxEnding }
  | { kind: "judge"; language: string; plan: unknown; ending: SandboxEnding };

export type JudgeReply = { result: PlanOutcome<unknown> | RunReport } | { error: string };

/** The judge took longer than its budget (and its thread was replaced). */
export class JudgeTimeoutError extends Error {
  override name = "JudgeTimeoutError";
}

/**
 * Long enough for any honest report (they are judged in milliseconds); a report crafted to be
 * slow costs its own answer this much, never the API's event loop.
 */
export const judgeBudgetMs = 5_000;

const workerEntry = new URL("./judge-worker.mjs", import.meta.url);

interface Pending {
  task: JudgeTask;
  resolve: (reply: JudgeReply) => void;
  reject: (error: Error) => void;
}

/**
 * Reading what sandboxed runs wrote (the teacher-only run's plan, the student's reports) and
 * judging happen in a worker thread, one task at a time, each within `judgeBudgetMs`: the channel
 * is written by code we don't trust, and the API's event loop must never wait on it. A task over
 * budget fails and the thread is replaced; the thread never keeps the process alive.
 */
export class JudgeThread {
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  readonly #queue: Pending[] = [];
  #busy = false;

  constructor(private readonly budgetMs = judgeBudgetMs) {}

  run(task: JudgeTask): Promise<JudgeReply> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      void this.#next();
    });
  }

  /** Stops the thread; the next task starts a new one. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#ready = undefined;
    await worker?.terminate();
  }

  #start(): Promise<void> {
    if (this.#ready) return this.#ready;
    const worker = new Worker(workerEntry);
    worker.unref();
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
      worker.once("exit", () => reject(new Error("the judge thread exited while starting")));
    });
    worker.on("exit", () => {
      if (this.#worker === worker) {
        this.#worker = undefined;
        this.#ready = undefined;
      }
    });
    return this.#ready;
  }

  async #next(): Promise<void> {
    if (this.#busy) return;
    const pending = this.#queue.shift();
    if (!pending) return;
    this.#busy = true;
    try {
      pending.resolve(await this.#dispatch(pending.task));
    } catch (error) {
      pending.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#busy = false;
      void this.#next();
    }
  }

  async #dispatch(task: JudgeTask): Promise<JudgeReply> {
    await this.#start();
    const worker = this.#worker as Worker;
    return new Promise<JudgeReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void this.close();
        reject(new JudgeTimeoutError(`judging took longer than ${this.budgetMs / 1000} s`));
      }, this.budgetMs);
      const onMessage = (reply: JudgeReply) => {
        cleanup();
        resolve(reply);
      };
      const onExit = () => {
        cleanup();
        reject(new Error("the judge thread stopped"));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("exit", onExit);
      worker.postMessage(task);
    });
  }
}
