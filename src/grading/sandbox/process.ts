import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { SandboxLimits } from "./sandbox";
import { SandboxUnavailableError } from "./sandbox";

export interface ProcessRun {
  command: string;
  args: string[];
  stdin: string;
  limits: SandboxLimits;
  /** Extra environment for the launcher itself (the sandbox clears it for the answer). */
  env?: Record<string, string>;
}

export interface ProcessEnding {
  channel: string;
  stoppedFor: "time" | "output" | undefined;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

const maxChannelBytes = 1024 * 1024;
const stderrTailBytes = 4096;

/**
 * Runs a sandbox launcher with the harness channel on fd 3. Stops the whole process group at
 * the wall-clock limit or when stdout + stderr pass the output limit.
 */
export function runProcess(run: ProcessRun): Promise<ProcessEnding> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.command, run.args, {
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...run.env },
    });
    let stoppedFor: ProcessEnding["stoppedFor"];
    let outputBytes = 0;
    let channelBytes = 0;
    const channel: Buffer[] = [];
    let stderrTail = "";

    const stop = (reason: NonNullable<ProcessEnding["stoppedFor"]>) => {
      stoppedFor ??= reason;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => stop("time"), run.limits.timeLimitMs);

    const countOutput = (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > run.limits.maxOutputBytes) stop("output");
    };
    child.stdout.on("data", countOutput);
    child.stderr.on("data", (chunk: Buffer) => {
      countOutput(chunk);
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
    });
    (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
      channelBytes += chunk.length;
      if (channelBytes > maxChannelBytes) stop("output");
      else channel.push(chunk);
    });

    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new SandboxUnavailableError(`could not start ${run.command}: ${error.message}`));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        channel: Buffer.concat(channel).toString("utf8"),
        stoppedFor,
        exitCode,
        signal,
        stderrTail,
      });
    });
    (child.stdin as Writable).on("error", () => {
      // The answer may exit before reading its input; the ending tells what happened.
    });
    child.stdin.end(run.stdin);
  });
}
