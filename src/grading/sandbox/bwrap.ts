import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { interpreterCommand, nodeAddressSpaceMb, nodeBinary } from "./interpreters";
import { runProcess } from "./process";
import type { Sandbox, SandboxEnding, SandboxLimits, SandboxProgram } from "./sandbox";
import { sandboxUid } from "./uids";

/**
 * The launcher: drop to an unprivileged uid (so the process limit applies), set resource
 * limits, then bubblewrap: new namespaces (no network, own pids), empty environment (but the
 * locale and UTC), read-only /usr, a small tmpfs as the only writable place, killed with its
 * parent.
 */
export function bwrapCommand(
  limits: SandboxLimits,
  slot: number,
  program: SandboxProgram,
): { command: string; args: string[] } {
  const uid = String(sandboxUid(slot));
  const cpuSeconds = Math.ceil(limits.timeLimitMs / 1000) + 1;
  const javascript = program.interpreter === "javascript";
  const addressSpaceMb = limits.memoryMb + (javascript ? nodeAddressSpaceMb : 0);
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
      `--as=${addressSpaceMb * 1024 * 1024}`,
      `--nproc=${limits.maxProcesses}`,
      `--fsize=${limits.maxFileBytes}`,
      "--nofile=64",
      `--cpu=${cpuSeconds}`,
      "--core=0",
      "--",
      "bwrap",
      "--unshare-all",
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
      String(8 * 1024 * 1024),
      "--tmpfs",
      "/tmp",
      "--remount-ro",
      "/",
      "--chdir",
      "/tmp",
      "--",
      ...interpreterCommand(program, limits),
    ],
  };
}

export class BwrapSandbox implements Sandbox {
  readonly name = "bwrap";
  constructor(
    private readonly limits: SandboxLimits,
    private readonly slot = 0,
  ) {}

  async execute(program: SandboxProgram): Promise<SandboxEnding> {
    const { command, args } = bwrapCommand(this.limits, this.slot, program);
    const ending = await runProcess({ command, args, stdin: program, limits: this.limits });
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
