import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { harnessPath } from "./bwrap";
import { interpretRun } from "./harness-report";
import { runProcess } from "./process";
import type { CodeRun, RunReport, Sandbox, SandboxLimits } from "./sandbox";

const run = promisify(execFile);
const childScript = fileURLToPath(new URL("./pyodide-child.mjs", import.meta.url));
const pyodideDir = dirname(createRequire(import.meta.url).resolve("pyodide/package.json"));
const pyodideVersion = createRequire(import.meta.url)("pyodide/package.json").version as string;
/** Pyodide's own runtime, on top of what the answer may use. */
const runtimeOverheadMb = 200;

/** The memory snapshot saves ~2 s per run; it is made once, outside any sandbox, and kept. */
const snapshotPath = resolve(
  dirname(pyodideDir),
  ".cache",
  "testit",
  `pyodide-${pyodideVersion}.snapshot`,
);

let snapshotReady: Promise<void> | undefined;
function ensureSnapshot(): Promise<void> {
  snapshotReady ??= (async () => {
    if (existsSync(snapshotPath)) return;
    mkdirSync(dirname(snapshotPath), { recursive: true, mode: 0o700 });
    const partial = `${snapshotPath}.${process.pid}.tmp`;
    const script = `
      const { loadPyodide } = await import(${JSON.stringify(`${pyodideDir}/pyodide.mjs`)});
      const py = await loadPyodide({ indexURL: ${JSON.stringify(`${pyodideDir}/`)}, _makeSnapshot: true });
      py.runPython("import ast, json, traceback, types");
      (await import("node:fs")).writeFileSync(${JSON.stringify(partial)}, py.makeMemorySnapshot());`;
    await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 120_000 });
    chmodSync(partial, 0o600);
    renameSync(partial, snapshotPath);
  })();
  return snapshotReady;
}

let networkIsolation: Promise<boolean> | undefined;
/** Whether `unshare -rn` works here: a network namespace without a privileged user. */
function canIsolateNetwork(): Promise<boolean> {
  networkIsolation ??= run("unshare", ["-rn", "true"]).then(
    () => true,
    () => false,
  );
  return networkIsolation;
}

/**
 * The fallback sandbox, needing only npm: pyodide in a separate, short-lived Node process with
 * Node's permission model (reads of pyodide's files only; no writes, child processes or
 * workers), an empty environment and, where possible, no network. Never in-process: pyodide in
 * the API's own process can reach everything the API can.
 */
export class PyodideSandbox implements Sandbox {
  readonly name = "pyodide";
  constructor(private readonly limits: SandboxLimits) {}

  async run(job: CodeRun): Promise<RunReport> {
    await ensureSnapshot();
    const nonce = randomBytes(16).toString("hex");
    const node = [
      process.execPath,
      "--experimental-permission",
      `--allow-fs-read=${pyodideDir}`,
      `--allow-fs-read=${childScript}`,
      `--allow-fs-read=${snapshotPath}`,
      `--allow-fs-read=${harnessPath}`,
      "--disable-warning=ExperimentalWarning",
      `--max-old-space-size=${this.limits.memoryMb}`,
      childScript,
      pyodideDir,
      snapshotPath,
      harnessPath,
    ];
    const [command, ...args] = (await canIsolateNetwork()) ? ["unshare", "-rn", ...node] : node;
    const ending = await runProcess({
      command: command as string,
      args,
      stdin: JSON.stringify({ nonce, code: job.code, testing_code: job.testingCode }),
      limits: { ...this.limits, memoryMb: this.limits.memoryMb + runtimeOverheadMb },
      watchMemory: true,
    });
    return interpretRun({ ...ending, nonce, timeLimitMs: this.limits.timeLimitMs });
  }
}

/** Whether pyodide runs here (snapshot made, a trivial answer graded). */
export async function pyodideWorks(limits: SandboxLimits): Promise<boolean> {
  try {
    const report = await new PyodideSandbox(limits).run({
      code: "x = 1",
      testingCode: "assert x == 1",
    });
    return report.passed === 1 && report.total === 1;
  } catch {
    return false;
  }
}
