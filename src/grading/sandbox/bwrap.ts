import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { runGroup } from "./cgroups";
import { ForkServer } from "./fork-server";
import { interpreterCommand, nodeBinary } from "./interpreters";
import { runProcess } from "./process";
import { QuickJsSlot, type SlotLaunch, slotOverheadMb } from "./quickjs-slot";
import type { Sandbox, SandboxEnding, SandboxLimits, SandboxProgram } from "./sandbox";
import { sandboxUid } from "./uids";

/** Size of each writable place (/tmp, /dev/shm): tmpfs is memory. */
const scratchBytes = String(8 * 1024 * 1024);
/** The launchers (setpriv, prlimit, bwrap and its init) count in the run's pids group too. */
const launcherProcesses = 4;

/** For a long-lived sandbox: folders of the host to show read-only (host path, sandbox path), and
 * no CPU-time limit on the sandbox's first process (each run then sets its own). */
export interface LauncherOptions {
  binds?: [string, string][];
  cpuLimit?: boolean;
}

/** Seconds of CPU time a run may use: its time limit, rounded up, and one more. */
export const cpuSecondsOf = (limits: SandboxLimits) => Math.ceil(limits.timeLimitMs / 1000) + 1;

/**
 * The launcher: drop to an unprivileged uid (so the process limit applies), set resource
 * limits, then bubblewrap: new namespaces (no network, own pids, no further user namespaces
 * where bubblewrap can forbid them), empty environment (but the locale and UTC), read-only /usr
 * and /dev, two small tmpfs (/tmp, /dev/shm) as the only writable places, killed with its parent.
 */
export function bwrapCommand(
  limits: SandboxLimits,
  slot: number,
  program: SandboxProgram,
  disableUserns = true,
  options: LauncherOptions = {},
): { command: string; args: string[] } {
  const uid = String(sandboxUid(slot));
  const cpuSeconds = cpuSecondsOf(limits);
  const javascript = program.interpreter === "javascript";
  // No address-space limit for the JavaScript slot process: V8 reserves 10 GiB of address space
  // (not memory) for each WebAssembly memory. Its memory is bounded by the engine's limit, the
  // linear memory's maximum, Node's heap limit and the slot's memory group.
  const addressSpace = javascript ? [] : [`--as=${limits.memoryMb * 1024 * 1024}`];
  // Node's binary is mounted where it is when it isn't under /usr (nvm, a tarball in /opt).
  const nodeFolder = javascript && !nodeBinary.startsWith("/usr/") ? [dirname(nodeBinary)] : [];
  return {
    command: "setpriv",
    args: [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
      "prlimit",
      ...addressSpace,
      `--nproc=${limits.maxProcesses}`,
      `--fsize=${limits.maxFileBytes}`,
      "--nofile=64",
      ...(options.cpuLimit === false ? [] : [`--cpu=${cpuSeconds}`]),
      "--core=0",
      "--",
      "bwrap",
      "--unshare-all",
      ...(disableUserns ? ["--unshare-user", "--disable-userns"] : []),
      "--die-with-parent",
      "--new-session",
      "--clearenv",
      "--setenv",
      "LANG",
      "C.UTF-8",
      "--setenv",
      "TZ",
      "UTC",
      "--hostname",
      "sandbox",
      "--ro-bind",
      "/usr",
      "/usr",
      ...nodeFolder.flatMap((folder) => ["--ro-bind", folder, folder]),
      ...(options.binds ?? []).flatMap(([from, to]) => ["--ro-bind", from, to]),
      "--symlink",
      "usr/lib",
      "/lib",
      "--symlink",
      "usr/lib64",
      "/lib64",
      "--symlink",
      "usr/bin",
      "/bin",
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--size",
      scratchBytes,
      "--perms",
      "1777",
      "--tmpfs",
      "/dev/shm",
      "--remount-ro",
      "/dev",
      "--size",
      scratchBytes,
      "--tmpfs",
      "/tmp",
      "--remount-ro",
      "/",
      "--chdir",
      "/tmp",
      "--",
      ...interpreterCommand(program),
    ],
  };
}

/** The JavaScript slot process (`source`) of a runner slot in a bwrap sandbox of its own, in a
 * memory group for the whole process. */
export async function bwrapSlotLaunch(
  limits: SandboxLimits,
  slot: number,
  source: string,
): Promise<SlotLaunch> {
  const { command, args } = bwrapCommand(
    limits,
    slot,
    { interpreter: "javascript", source, input: "" },
    await bwrapDisablesUserns(),
    { cpuLimit: false },
  );
  const group = runGroup(
    {
      memoryMb: limits.memoryMb + slotOverheadMb,
      maxProcesses: limits.maxProcesses + launcherProcesses,
    },
    "slot",
  );
  return { command, args, group };
}

/**
 * A runner slot's bwrap sandboxes: a student's Python run is a child of the slot's fork server
 * (no interpreter start per answer; fork-server.py says why that isolates answers as well as a
 * fresh sandbox each); a student's JavaScript run is a new QuickJS instance in the slot's
 * JavaScript process (quickjs-slot-process.mjs says why); every teacher-only run gets a fresh sandbox.
 */
export class BwrapSandbox implements Sandbox {
  readonly name = "bwrap";
  readonly #forkServer: ForkServer;
  readonly #quickjs: QuickJsSlot;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly slot = 0,
  ) {
    this.#forkServer = new ForkServer(limits, slot, bwrapDisablesUserns);
    this.#quickjs = new QuickJsSlot(limits, (source) => bwrapSlotLaunch(limits, slot, source));
  }

  execute(program: SandboxProgram): Promise<SandboxEnding> {
    if (program.interpreter === "javascript") {
      if (!program.ownProcess) return this.#quickjs.execute(program);
      return QuickJsSlot.once(
        this.limits,
        (source) => bwrapSlotLaunch(this.limits, this.slot, source),
        program,
      );
    }
    if (!program.ownProcess) return this.#forkServer.execute(program);
    return this.#executeAlone(program);
  }

  /** Stops the fork server and the JavaScript slot process (the next run starts others). */
  close(): void {
    this.#forkServer.close();
    this.#quickjs.close();
  }

  async #executeAlone(program: SandboxProgram): Promise<SandboxEnding> {
    const { command, args } = bwrapCommand(
      this.limits,
      this.slot,
      program,
      await bwrapDisablesUserns(),
    );
    const group = runGroup({
      memoryMb: this.limits.memoryMb,
      maxProcesses: this.limits.maxProcesses + launcherProcesses,
    });
    const ending = await runProcess({ command, args, stdin: program, limits: this.limits, group });
    return { ...ending, timeLimitMs: this.limits.timeLimitMs };
  }
}

/** Whether bubblewrap is installed here. */
export async function bwrapInstalled(): Promise<boolean> {
  try {
    await promisify(execFile)("bwrap", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

let disablesUserns: Promise<boolean> | undefined;
/** Whether this bubblewrap can forbid user namespaces inside the sandbox (0.8.0 and later). */
export function bwrapDisablesUserns(): Promise<boolean> {
  disablesUserns ??= promisify(execFile)("bwrap", ["--help"]).then(
    ({ stdout }) => stdout.includes("--disable-userns"),
    () => false,
  );
  return disablesUserns;
}
