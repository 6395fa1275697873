import { realpathSync } from "node:fs";
import type { SandboxLimits, SandboxProgram } from "./sandbox";

/** Debian's interpreter: the `python3` on PATH may be a pyenv shim under /root. */
export const systemPython = "/usr/bin/python3";

/** Node's own binary (Debian's under /usr here; mounted read-only into bwrap where it isn't). */
export const nodeBinary = realpathSync(process.execPath);

/**
 * Beyond the JavaScript heap (--max-old-space-size), V8 reserves address space it never uses:
 * without the JIT, a 256 MiB heap needs about 1 GiB of it (with the JIT, 2 GiB).
 */
export const nodeAddressSpaceMb = 768;

/** Node's own resident memory, on top of what a JavaScript answer may use. */
export const nodeOverheadMb = 64;

/**
 * How JavaScript programs run, on every backend: without the JIT (a smaller address space and no
 * JIT compiler to attack; answers are small, and measured to cost the same to start), under the
 * permission model (no file system, child processes, workers or native addons, even for code
 * that escapes the program's `vm` context), WebAssembly off, the heap capped at the memory limit.
 * `--experimental-vm-modules` lets the program refuse `import()` with an error of the answer's
 * own realm; unhandled rejections are the answer's business, not a crash.
 */
export function nodeArguments(limits: SandboxLimits, source: string): string[] {
  return [
    "--jitless",
    "--no-expose-wasm",
    "--experimental-permission",
    "--experimental-vm-modules",
    "--disable-warning=ExperimentalWarning",
    "--unhandled-rejections=none",
    `--max-old-space-size=${limits.memoryMb}`,
    "-e",
    source,
  ];
}

/** The command line that runs a program in its interpreter (inside a sandbox that can see /usr). */
export function interpreterCommand(program: SandboxProgram, limits: SandboxLimits): string[] {
  if (program.interpreter === "javascript")
    return [nodeBinary, ...nodeArguments(limits, program.source)];
  // The program travels as an argument, not a mounted file: the sandbox's uid may not be able
  // to read the project's folder (a checkout under /root, a 0700 temp folder).
  return [systemPython, "-I", "-S", "-B", "-c", program.source];
}
