import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { RunGroup } from "./cgroups";
import { type ControlLines, readControlLines } from "./control-lines";
import { launchInGroup } from "./process";
import {
  type SandboxEnding,
  type SandboxLimits,
  type SandboxProgram,
  SandboxUnavailableError,
} from "./sandbox";

/** How a slot process is started: its command (in its sandbox) and the groups that hold it. */
export interface SlotLaunch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  group?: RunGroup;
}

/** Node's flags for the slot process (the program follows as `-e`). A native stack of 4 MB (of the
 * thread's 8) for QuickJS's 1 MB of JavaScript frames. The permission model stays on: the
 * process reads nothing. The engine is compiled whole and optimized (TurboFan, no Liftoff, not
 * lazily) when the process starts, before it says it is ready: tiered as by default, the
 * optimizing compiler ran on V8's other threads during the first answers of each new process and
 * was counted in their CPU time (a 1.05 s answer measured 1.5 s, past its limit, as the first
 * after a replacement). Compiling it all costs ~0.75 s of CPU once per process; a run costs the
 * same after. `--liftoff-only` would run a loop-and-sort answer 1.7 times slower. The code
 * compiled is QuickJS's, the same for every answer; no answer's code is ever compiled. */
export const slotNodeFlags = [
  "--stack-size=4000",
  "--max-old-space-size=128",
  "--no-liftoff",
  "--no-wasm-lazy-compilation",
  "--experimental-permission",
  "--disable-warning=ExperimentalWarning",
  "--input-type=module",
];

/** The slot process's own memory (Node, its heap, the compiled engine), on top of a run's. */
export const slotOverheadMb = 160;
/** A slot process is replaced after this many runs (defence in depth: nothing survives a run in
 * it anyway, each run being a new WebAssembly instance). */
const runsPerProcess = 500;
/** Beyond the run's CPU limit (which the engine enforces), before the slot process is killed. */
const hangGraceMs = 2_000;
const stderrTailBytes = 4096;

let wasm: Buffer | undefined;
/** QuickJS (Bellard's) compiled to WebAssembly, from node_modules; sent to each slot process. */
const quickjsWasm = () => {
  wasm ??= readFileSync(
    createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm"),
  );
  return wasm;
};

let bundled: Promise<string> | undefined;
/** The slot program with QuickJS's JavaScript, as one module (the sandbox sees no node_modules). */
export function slotProgram(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL("./quickjs-slot-process.mjs", import.meta.url))],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    logLevel: "silent",
  }).then(({ outputFiles }) => (outputFiles[0] as { text: string }).text);
  return bundled;
}

interface Pending {
  id: number;
  resolve(ending: SandboxEnding): void;
  timer: ReturnType<typeof setTimeout>;
}

/** One live slot process. */
class SlotProcess {
  runs = 0;
  alive = true;
  #pending: Pending | undefined;
  #stderrTail = "";
  readonly ready: Promise<void>;
  readonly #control: ControlLines;

  constructor(
    private readonly child: ChildProcess,
    private readonly group: RunGroup | undefined,
    private readonly timeLimitMs: number,
  ) {
    this.#control = readControlLines(
      child,
      "JavaScript slot process",
      (line) => {
        if (line === '"ready"') return true;
        this.#answered(line);
        return false;
      },
      () => this.kill(),
    );
    this.ready = this.#control.ready;
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString("utf8")).slice(-stderrTailBytes);
    });
    child.stdin?.on("error", () => {
      // The process is gone; "close" says so.
    });
    child.on("error", () => this.kill());
    child.on("close", (exitCode, signal) => {
      this.alive = false;
      const stoppedFor = this.group?.oomKilled() ? "memory" : undefined;
      this.group?.release();
      this.#finish({ channel: "", stoppedFor, exitCode, signal, stderrTail: this.#stderrTail });
    });
  }

  busy(waiting: boolean): void {
    this.#control.busy(waiting);
  }

  run(program: SandboxProgram, limits: SandboxLimits): Promise<SandboxEnding> {
    this.runs++;
    return new Promise((resolve, reject) => {
      if (!this.alive) {
        // Gone since it was found alive: the job is retried.
        reject(new SandboxUnavailableError("the JavaScript slot process stopped"));
        return;
      }
      const id = this.runs;
      // The engine stops a run at its CPU limit; a run still going well after it is a hang of
      // the host: the process goes, and the run ends at its time limit.
      const timer = setTimeout(() => {
        this.#finish({
          channel: "",
          stoppedFor: "time",
          exitCode: null,
          signal: "SIGKILL",
          stderrTail: "",
        });
        this.kill();
      }, limits.timeLimitMs + hangGraceMs);
      this.#pending = { id, resolve, timer };
      const request = { id, source: program.source, input: program.input, limits };
      this.child.stdin?.write(`${JSON.stringify(request)}\n`);
    });
  }

  kill(): void {
    this.alive = false;
    try {
      if (this.child.pid) process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    this.group?.release();
  }

  #answered(line: string) {
    let answer: { id?: unknown; channel?: unknown; stoppedFor?: unknown; crash?: unknown };
    try {
      answer = JSON.parse(line);
    } catch {
      return;
    }
    if (answer.id !== this.#pending?.id) return;
    const stoppedFor = ["time", "output", "memory"].includes(answer.stoppedFor as string)
      ? (answer.stoppedFor as SandboxEnding["stoppedFor"])
      : undefined;
    const crash = typeof answer.crash === "string" ? answer.crash : undefined;
    this.#finish({
      channel: typeof answer.channel === "string" ? answer.channel : "",
      stoppedFor: crash && /memory/i.test(crash) ? "memory" : stoppedFor,
      exitCode: crash === undefined ? 0 : 1,
      signal: null,
      stderrTail: crash ?? "",
    });
  }

  #finish(ending: Omit<SandboxEnding, "timeLimitMs">) {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve({ ...ending, timeLimitMs: this.timeLimitMs });
  }
}

/**
 * The JavaScript runs of one runner slot: a long-lived sandboxed Node process (started by
 * `launch`, in the slot's sandbox) that runs each program in a new QuickJS WebAssembly instance,
 * one run at a time. A process that dies or hangs is replaced at the next run; each is replaced
 * after `runsPerProcess` runs.
 */
export class QuickJsSlot {
  #process: SlotProcess | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limits: SandboxLimits,
    private readonly launch: (program: string) => Promise<SlotLaunch>,
    private readonly runsBeforeReplacing = runsPerProcess,
  ) {}

  execute(program: SandboxProgram): Promise<SandboxEnding> {
    const run = this.#queue.then(() => this.#execute(program));
    this.#queue = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#process?.kill();
    this.#process = undefined;
  }

  /** Runs one program in a slot process of its own, stopped after it (the teacher-only run). */
  static async once(
    limits: SandboxLimits,
    launch: (program: string) => Promise<SlotLaunch>,
    program: SandboxProgram,
  ): Promise<SandboxEnding> {
    const alone = new QuickJsSlot(limits, launch, 1);
    try {
      return await alone.execute(program);
    } finally {
      alone.close();
    }
  }

  async #execute(program: SandboxProgram): Promise<SandboxEnding> {
    const slot = await this.#live();
    slot.busy(true);
    try {
      return await slot.run(program, this.limits);
    } finally {
      slot.busy(false);
      if (slot.runs >= this.runsBeforeReplacing) this.close();
    }
  }

  async #live(): Promise<SlotProcess> {
    if (!this.#process?.alive) this.#process = await this.#start();
    const slot = this.#process;
    slot.busy(true);
    try {
      await slot.ready;
    } catch (error) {
      this.close();
      throw error;
    } finally {
      slot.busy(false);
    }
    return slot;
  }

  async #start(): Promise<SlotProcess> {
    const { command, args, env, group } = await this.launch(await slotProgram());
    const [shell, shellArgs] = launchInGroup(command, args, group);
    const child = spawn(shell, shellArgs, {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", ...env },
    });
    child.unref();
    // Pipes keep the API alive only while a run waits on them (ControlLines.busy).
    for (const pipe of [child.stdin, child.stdout, child.stderr])
      (pipe as unknown as { unref(): void } | null)?.unref();
    const engine = quickjsWasm();
    child.stdin?.write(`${JSON.stringify({ wasmBytes: engine.length })}\n`);
    child.stdin?.write(engine);
    return new SlotProcess(child, group, this.limits.timeLimitMs);
  }
}
