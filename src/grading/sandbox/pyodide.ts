import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { nodeBinary } from "./interpreters";
import { runProcess } from "./process";
import { QuickJsSlot, type SlotLaunch, slotNodeFlags } from "./quickjs-slot";
import type { Sandbox, SandboxEnding, SandboxLimits, SandboxProgram } from "./sandbox";
import { sandboxUid } from "./uids";

const run = promisify(execFile);
const childScript = fileURLToPath(new URL("./pyodide-child.mjs", import.meta.url));
const pyodideDir = dirname(createRequire(import.meta.url).resolve("pyodide/package.json"));
const pyodideVersion = createRequire(import.meta.url)("pyodide/package.json").version as string;
/** Pyodide's own runtime, on top of what the answer may use. */
const pyodideOverheadMb = 200;
/** Modules loaded into the snapshot: what the harnesses import. Part of the snapshot's name. */
const snapshotImports = "ast, builtins, importlib, json, symtable, sys";

/** The memory snapshot saves ~2 s per run; it is made once, outside any sandbox, and kept. */
const snapshotPath = resolve(
  dirname(pyodideDir),
  ".cache",
  "testit",
  `pyodide-${pyodideVersion}-${snapshotImports.replace(/\W+/g, "-")}.snapshot`,
);

let snapshotReady: Promise<void> | undefined;
function ensureSnapshot(): Promise<void> {
  snapshotReady ??= (async () => {
    if (existsSync(snapshotPath)) return;
    // Readable by the sandbox's unprivileged uid; written only by us.
    mkdirSync(dirname(snapshotPath), { recursive: true, mode: 0o755 });
    // An earlier version made these folders 0700.
    for (const folder of [dirname(dirname(snapshotPath)), dirname(snapshotPath)])
      chmodSync(folder, 0o755);
    const partial = `${snapshotPath}.${process.pid}.tmp`;
    const script = `
      const { loadPyodide } = await import(${JSON.stringify(`${pyodideDir}/pyodide.mjs`)});
      const py = await loadPyodide({ indexURL: ${JSON.stringify(`${pyodideDir}/`)}, _makeSnapshot: true });
      py.runPython("import ${snapshotImports}");
      (await import("node:fs")).writeFileSync(${JSON.stringify(partial)}, py.makeMemorySnapshot());`;
    await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 120_000 });
    chmodSync(partial, 0o644);
    renameSync(partial, snapshotPath);
  })();
  return snapshotReady;
}

/**
 * How the pyodide process is kept from everything outside it, on top of Node's permission model
 * (which Python can reach around: any JsProxy leads to all of Node). Own pid namespace (it can
 * name no process outside, so it can signal or trace none), own network namespace (no
 * loopback of the host), own mount namespace with its own /proc; and a uid of its own when we
 * are root, or a user namespace when we are not.
 */
export type PyodideIsolation = "uid" | "user-namespace";

const namespaces = ["--pid", "--fork", "--kill-child", "--mount-proc", "--net", "--ipc", "--uts"];

function launcher(isolation: PyodideIsolation, slot: number): string[] {
  if (isolation === "uid") {
    const uid = String(sandboxUid(slot));
    return [
      "unshare",
      ...namespaces,
      "--",
      "setpriv",
      `--reuid=${uid}`,
      `--regid=${uid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
    ];
  }
  return ["unshare", "--map-root-user", ...namespaces, "--", "setpriv", "--no-new-privs", "--"];
}

let isolationFound: Promise<PyodideIsolation | undefined> | undefined;
/** The strongest isolation this host allows, or undefined when it allows none. */
export function pyodideIsolation(): Promise<PyodideIsolation | undefined> {
  isolationFound ??= (async () => {
    const candidates: PyodideIsolation[] =
      process.getuid?.() === 0 ? ["uid", "user-namespace"] : ["user-namespace"];
    for (const isolation of candidates) {
      try {
        // Under a uid of its own the child must still reach Node, pyodide and its script: a
        // project in a folder only root may enter (mktemp -d) leaves it nothing to run.
        const reachable = ["-x", process.execPath, "-a", "-r", childScript, "-a", "-r", pyodideDir];
        await run(launcher(isolation, 0)[0] as string, [
          ...launcher(isolation, 0).slice(1),
          "test",
          ...reachable,
        ]);
        return isolation;
      } catch {
        // Not on this host; try the next.
      }
    }
    return undefined;
  })();
  return isolationFound;
}

/** JavaScript needs no pyodide: QuickJS in a long-lived Node process of the slot (`source`),
 * under the same isolation and permission model as a pyodide run. */
export function pyodideSlotLaunch(
  isolation: PyodideIsolation,
  slot: number,
  source: string,
): SlotLaunch {
  const [command, ...args] = [
    ...launcher(isolation, slot),
    nodeBinary,
    ...slotNodeFlags,
    "-e",
    source,
  ];
  return { command: command as string, args, env: { TZ: "UTC" } };
}

/**
 * The fallback sandbox, needing only npm: a separate, short-lived, isolated Node process that runs
 * Python in pyodide, or JavaScript itself. Never in-process: pyodide in the API's own process can
 * reach everything the API can.
 */
export class PyodideSandbox implements Sandbox {
  readonly name = "pyodide";
  readonly #quickjs: QuickJsSlot;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly isolation: PyodideIsolation,
    private readonly slot = 0,
  ) {
    this.#quickjs = new QuickJsSlot(limits, async (source) =>
      pyodideSlotLaunch(isolation, slot, source),
    );
  }

  async execute(program: SandboxProgram): Promise<SandboxEnding> {
    if (program.interpreter === "javascript") {
      if (!program.ownProcess) return this.#quickjs.execute(program);
      return QuickJsSlot.once(
        this.limits,
        async (source) => pyodideSlotLaunch(this.isolation, this.slot, source),
        program,
      );
    }
    return { ...(await this.#runPyodide(program)), timeLimitMs: this.limits.timeLimitMs };
  }

  /** Stops the JavaScript slot process (the next run starts another). */
  close(): void {
    this.#quickjs.close();
  }

  async #runPyodide(program: SandboxProgram) {
    await ensureSnapshot();
    const [command, ...args] = [
      ...launcher(this.isolation, this.slot),
      process.execPath,
      "--experimental-permission",
      `--allow-fs-read=${pyodideDir}`,
      `--allow-fs-read=${childScript}`,
      `--allow-fs-read=${snapshotPath}`,
      "--disable-warning=ExperimentalWarning",
      `--max-old-space-size=${this.limits.memoryMb}`,
      childScript,
      pyodideDir,
      snapshotPath,
    ];
    return runProcess({
      command: command as string,
      args,
      // The child reads the source on the first line; the program reads the rest as it comes.
      stdin: {
        ...program,
        input: `${JSON.stringify({ source: program.source })}\n${program.input}`,
      },
      limits: { ...this.limits, memoryMb: this.limits.memoryMb + pyodideOverheadMb },
      watchMemory: true,
    });
  }
}
