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

/** Whether a process with this pid exists (one we may not signal exists too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
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

export function childrenOf(pid: number): number[] {
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

/** The command line that starts `command` inside `group` (itself when there is none). */
export function launchInGroup(
  command: string,
  args: string[],
  group: RunGroup | undefined,
): [string, string[]] {
  if (!group) return [command, args];
  const { procs } = group;
  return ["/bin/sh", ["-c", joinGroups, "sh", String(procs.length), ...procs, command, ...args]];
}

/**
 * The limits of one run as its output arrives: the output limit (stdout + stderr), the channel's
 * size, and the clock (started by the program's first channel output, after a start-up
 * allowance); the input fed as the channel shows. `stop` kills the run; the first reason sticks.
 */
export class RunWatch {
  stoppedFor: StopReason | undefined;
  #outputBytes = 0;
  #channelBytes = 0;
  readonly #channel: Buffer[] = [];
  #stderrTail = "";
  #timer: ReturnType<typeof setTimeout>;
  #clockStarted = false;
  #feed: InputFeed | undefined;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly kill: () => void,
  ) {
    this.#timer = setTimeout(() => this.stop("time"), limits.timeLimitMs + startupAllowanceMs);
  }

  stop(reason: StopReason): void {
    this.stoppedFor ??= reason;
    this.kill();
  }

  /** Starts writing the program's input on `stdin`. */
  feed(stdin: Writable, input: ProgramInput): void {
    stdin.on("error", () => {
      // The answer may exit before reading its input; the ending tells what happened.
    });
    this.#feed = new InputFeed(stdin, input);
  }

  stdout = (chunk: Buffer): void => {
    this.#outputBytes += chunk.length;
    if (this.#outputBytes > this.limits.maxOutputBytes) this.stop("output");
  };

  stderr = (chunk: Buffer): void => {
    this.stdout(chunk);
    this.#stderrTail = (this.#stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
  };

  channel = (chunk: Buffer): void => {
    this.#feed?.seen(chunk);
    if (!this.#clockStarted) {
      this.#clockStarted = true;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.stop("time"), this.limits.timeLimitMs);
    }
    this.#channelBytes += chunk.length;
    if (this.#channelBytes > maxChannelBytes) this.stop("output");
    else this.#channel.push(chunk);
  };

  /** Stops the clock; what the run wrote, and why it was stopped. */
  finish(): Pick<ProcessEnding, "channel" | "stoppedFor" | "stderrTail"> {
    clearTimeout(this.#timer);
    return {
      channel: Buffer.concat(this.#channel).toString("utf8"),
      stoppedFor: this.stoppedFor,
      stderrTail: this.#stderrTail,
    };
  }
}

/**
 * Runs a sandbox launcher with the harness channel on fd 3. Stops the whole process group at
 * the wall-clock limit or when stdout + stderr pass the output limit.
 */
export function runProcess(run: ProcessRun): Promise<ProcessEnding> {
  return new Promise((resolve, reject) => {
    const [command, args] = launchInGroup(run.command, run.args, run.group);
    const child = spawn(command, args, {
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...run.env },
    });
    const watch = new RunWatch(run.limits, () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    });
    const memoryWatch = run.watchMemory
      ? setInterval(() => {
          const used = child.pid ? treeResidentMb(child.pid) : undefined;
          if (used !== undefined && used > run.limits.memoryMb) watch.stop("memory");
        }, memoryPollMs)
      : undefined;
    child.stdout.on("data", watch.stdout);
    child.stderr.on("data", watch.stderr);
    watch.feed(child.stdin as Writable, run.stdin);
    (child.stdio[3] as Readable).on("data", watch.channel);

    child.on("error", (error) => {
      watch.finish();
      clearInterval(memoryWatch);
      run.group?.release();
      reject(new SandboxUnavailableError(`could not start ${run.command}: ${error.message}`));
    });
    child.on("close", (exitCode, signal) => {
      clearInterval(memoryWatch);
      if (run.group?.oomKilled()) watch.stoppedFor ??= "memory";
      run.group?.release();
      resolve({ ...watch.finish(), exitCode, signal });
    });
  });
}
