import { realpathSync } from "node:fs";
import { slotNodeFlags } from "./quickjs-slot";
import type { SandboxProgram } from "./sandbox";

/** Debian's interpreter: the `python3` on PATH may be a pyenv shim under /root. */
export const systemPython = "/usr/bin/python3";

/** Node's own binary (Debian's under /usr here; mounted read-only into bwrap where it isn't). */
export const nodeBinary = realpathSync(process.execPath);

/** The command line that runs a program in its interpreter (inside a sandbox that can see /usr). */
export function interpreterCommand(program: SandboxProgram): string[] {
  // JavaScript runs in QuickJS, in a slot process (quickjs-slot-process.mjs): `source` is that process.
  if (program.interpreter === "javascript")
    return [nodeBinary, ...slotNodeFlags, "-e", program.source];
  // The program travels as an argument, not a mounted file: the sandbox's uid may not be able
  // to read the project's folder (a checkout under /root, a 0700 temp folder).
  return [systemPython, "-I", "-S", "-B", "-c", program.source];
}
