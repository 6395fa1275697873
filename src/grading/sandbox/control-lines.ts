import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { SandboxUnavailableError } from "./sandbox";

const startTimeoutMs = 10_000;

/** The control side of a long-lived sandboxed process (a fork server, a JavaScript slot). */
export interface ControlLines {
  /** Settles when the process says it is ready; rejects if it stops or is silent first. */
  ready: Promise<void>;
  /** Keeps this process alive while a start or a run waits on that one, not when idle. */
  busy(waiting: boolean): void;
}

/**
 * Reads a long-lived sandboxed process's stdout line by line: `onLine` gets each line and says
 * whether it was the ready line. A process not ready within 10 s is killed (`kill`); `what`
 * names it in the error.
 */
export function readControlLines(
  child: ChildProcess,
  what: string,
  onLine: (line: string) => boolean,
  kill: () => void,
): ControlLines {
  let lines = "";
  let started: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new SandboxUnavailableError(`the ${what} did not start`));
    }, startTimeoutMs);
    started = () => {
      clearTimeout(timer);
      resolve();
    };
    child.once("close", () => {
      clearTimeout(timer);
      reject(new SandboxUnavailableError(`the ${what} stopped while starting`));
    });
  });
  ready.catch(() => {
    // Awaited by the run that started it.
  });
  const stdout = child.stdout as Readable;
  // Decoded across chunks: a character whose bytes a pipe read splits stays whole.
  stdout.setEncoding("utf8");
  stdout.on("data", (chunk: string) => {
    lines += chunk;
    for (let end = lines.indexOf("\n"); end >= 0; end = lines.indexOf("\n")) {
      const line = lines.slice(0, end);
      lines = lines.slice(end + 1);
      if (onLine(line)) started?.();
    }
  });
  return {
    ready,
    busy(waiting) {
      const stream = stdout as unknown as { ref(): void; unref(): void };
      if (waiting) stream.ref();
      else stream.unref();
    },
  };
}
