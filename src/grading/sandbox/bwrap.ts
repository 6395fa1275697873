import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { interpretRun } from "./harness-report";
import { runProcess } from "./process";
import type { CodeRun, RunReport, Sandbox, SandboxLimits } from "./sandbox";

export const harnessPath = fileURLToPath(new URL("./harness.py", import.meta.url));
let harness: string | undefined;
export const harnessSource = () => {
  harness ??= readFileSync(harnessPath, "utf8");
  return harness;
};
/** Debian's interpreter: the `python3` on PATH may be a pyenv shim under /root. */
export const systemPython = "/usr/bin/python3";
/** Each worker slot runs as its own unprivileged uid, so process limits are per slot. */
const firstSandboxUid = 60_000;

/**
 * The launcher: drop to an unprivileged uid (so the process limit applies), set resource
 * limits, then bubblewrap: new namespaces (no network, own pids), empty environment,
 * read-only /usr, a small tmpfs as the only writable place, killed with its parent.
 */
export function bwrapCommand(
  limits: SandboxLimits,
  slot: number,
): { command: string; args: string[] } {
  const uid = String(firstSandboxUid + slot);
  const cpuSeconds = Math.ceil(limits.timeLimitMs / 1000) + 1;
  return {
    command: "setpriv",
    args: [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
      "prlimit",
      `--as=${limits.memoryMb * 1024 * 1024}`,
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
      "--hostname",
      "sandbox",
      "--ro-bind",
      "/usr",
      "/usr",
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
      systemPython,
      "-I",
      "-S",
      "-B",
      // The harness travels as an argument, not a mounted file: the sandbox's uid may not be
      // able to read the project's folder (a checkout under /root, a 0700 temp folder).
      "-c",
      harnessSource(),
    ],
  };
}

export class BwrapSandbox implements Sandbox {
  readonly name = "bwrap";
  constructor(
    private readonly limits: SandboxLimits,
    private readonly slot = 0,
  ) {}

  async run(job: CodeRun): Promise<RunReport> {
    const nonce = randomBytes(16).toString("hex");
    const { command, args } = bwrapCommand(this.limits, this.slot);
    const ending = await runProcess({
      command,
      args,
      stdin: JSON.stringify({ nonce, code: job.code, testing_code: job.testingCode }),
      limits: this.limits,
    });
    return interpretRun({ ...ending, nonce, timeLimitMs: this.limits.timeLimitMs });
  }
}

/** Whether bubblewrap and Debian's python3 work here, checked by running a trivial answer. */
export async function bwrapWorks(limits: SandboxLimits): Promise<boolean> {
  try {
    await promisify(execFile)("bwrap", ["--version"]);
    const report = await new BwrapSandbox(limits).run({
      code: "x = 1",
      testingCode: "assert x == 1",
    });
    return report.passed === 1 && report.total === 1;
  } catch {
    return false;
  }
}
