import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import type { RunGroup } from "./cgroups";
import { InputFeed } from "./input-feed";
import type { ProgramInput, SandboxEnding, SandboxLimits, StopReason } from "./sandbox";
import { SandboxUnavailableError } from "./sandbox";

export interface ProcessRun {
  command: string;
  args: string[];
  /** What the program reads on stdin (input, then continuations as its channel shows). */
  stdin: ProgramInput;
  limits: SandboxLimits;
  /** Extra environment for the launcher itself (the sandbox clears it for the answer). */
  env?: Record<string, string>;
  /** Stop the run when its resident memory passes `limits.memoryMb` (for sandboxes without rlimits). */
  watchMemory?: boolean;
  /** The control groups the whole run is held in (joined before the command starts), if any. */
  group?: RunGroup;
}

export type ProcessEnding = Omit<SandboxEnding, "timeLimitMs">;

const maxChannelBytes = 1024 * 1024;
const stderrTailBytes = 4096;
/** The interpreter's own start does not count: the clock starts at the program's first output on
 * its channel (the harnesses write a "start" line before running anything of the answer). */
const startupAllowanceMs = 10_000;
const memoryPollMs = 20;

/** Resident memory of a process in MiB, from /proc; undefined once it is gone. */
export function residentMb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kilobytes) ? kilobytes / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of a process and all its descendants (a launcher forks the real program). */
function treeResidentMb(pid: number): number | undefined {
  const own = residentMb(pid);
  if (own === undefined) return undefined;
  let total = own;
  for (const child of childrenOf(pid)) total += treeResidentMb(child) ?? 0;
  return total;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .split(" ")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A shell moves itself into the run's groups, then becomes the launcher (nothing runs outside). */
const joinGroups =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

function launch(run: ProcessRun): [string, string[]] {
  if (!run.group) return [run.command, run.args];
  const { procs } = run.group;
  return [
    "/bin/sh",
    ["-c", joinGroups, "sh", String(procs.length), ...procs, run.command, ...run.args],
  ];
}

/**
 * Runs a sandbox launcher with the harness channel on fd 3. Stops the whole process group at
 * the wall-clock limit or when stdout + stderr pass the output limit.
 */
export function runProcess(run: ProcessRun): Promise<ProcessEnding> {
  return new Promise((resolve, reject) => {
    const [command, args] = launch(run);
    const child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...run.env },
    });
    let stoppedFor: ProcessEnding["stoppedFor"];
    let outputBytes = 0;
    let channelBytes = 0;
    const channel: Buffer[] = [];
    let stderrTail = "";

    const stop = (reason: StopReason) => {
      stoppedFor ??= reason;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    let timer = setTimeout(() => stop("time"), run.limits.timeLimitMs + startupAllowanceMs);
    let clockStarted = false;
    const memoryWatch = run.watchMemory
      ? setInterval(() => {
          const used = child.pid ? treeResidentMb(child.pid) : undefined;
          if (used !== undefined && used > run.limits.memoryMb) stop("memory");
        }, memoryPollMs)
      : undefined;

    const countOutput = (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > run.limits.maxOutputBytes) stop("output");
    };
    child.stdout.on("data", countOutput);
    child.stderr.on("data", (chunk: Buffer) => {
      countOutput(chunk);
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
    });
    (child.stdin as Writable).on("error", () => {
      // The answer may exit before reading its input; the ending tells what happened.
    });
    const feed = new InputFeed(child.stdin as Writable, run.stdin);
    (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
      feed.seen(chunk);
      if (!clockStarted) {
        clockStarted = true;
        clearTimeout(timer);
        timer = setTimeout(() => stop("time"), run.limits.timeLimitMs);
      }
      channelBytes += chunk.length;
      if (channelBytes > maxChannelBytes) stop("output");
      else channel.push(chunk);
    });

    child.on("error", (error) => {
      clearTimeout(timer);
      clearInterval(memoryWatch);
      run.group?.release();
      reject(new SandboxUnavailableError(`could not start ${run.command}: ${error.message}`));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      clearInterval(memoryWatch);
      if (run.group?.oomKilled()) stoppedFor ??= "memory";
      run.group?.release();
      resolve({
        channel: Buffer.concat(channel).toString("utf8"),
        stoppedFor,
        exitCode,
        signal,
        stderrTail,
      });
    });
  });
}
