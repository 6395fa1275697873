import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bwrapCommand, cpuSecondsOf } from "./bwrap";
import { type RunGroup, runGroup } from "./cgroups";
import { type ControlLines, readControlLines } from "./control-lines";
import { childrenOf, isAlive, launchInGroup, RunWatch } from "./process";
import {
  type SandboxEnding,
  type SandboxLimits,
  type SandboxProgram,
  SandboxUnavailableError,
} from "./sandbox";
import { sandboxUid } from "./uids";

const zygoteSource = readFileSync(new URL("./fork-server.py", import.meta.url), "utf8");
/** Where the slot's socket folder appears in the sandbox (fork-server.py connects to it). */
const socketFolder = "/run/io";
/** How long the fork server may take to report a run over once it was killed or its output
 * ended, before the whole sandbox is replaced (a child stopped the fork server, say). */
const reportGraceMs = 2_000;
/** The launchers, the fork server and a child before it moves to its run's group; and the
 * fork server's own memory (a child's new memory counts in its run's group). */
const slotGroup = { memoryMb: 64, maxProcesses: 8 };

/** The socket folders of live fork servers: removed when this process exits, whatever stopped. */
const socketFolders = new Set<string>();
let removeOnExit = false;
/** testit-slot-<API pid>-<slot>-<random>: a process that ended without its exit event (killed,
 * or a test worker torn down) leaves its folders, which the next one to make a folder removes. */
const socketFolderName = /^testit-slot-(\d+)-\d+-/;

function makeSocketFolder(slot: number): string {
  removeStaleSocketFolders();
  const folder = mkdtempSync(join(tmpdir(), `testit-slot-${process.pid}-${slot}-`));
  socketFolders.add(folder);
  if (!removeOnExit) {
    removeOnExit = true;
    process.once("exit", () => {
      for (const left of socketFolders) rmSync(left, { recursive: true, force: true });
    });
  }
  return folder;
}

function removeStaleSocketFolders(): void {
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(socketFolderName.exec(entry)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(tmpdir(), entry), { recursive: true, force: true });
    } catch {
      // Another user's, in a shared /tmp: not ours to remove.
    }
  }
}

function removeSocketFolder(folder: string): void {
  socketFolders.delete(folder);
  rmSync(folder, { recursive: true, force: true });
}

type Stream = "io" | "err" | "channel";
const streams: Stream[] = ["io", "err", "channel"];

/** The pid, as the host sees it, of the descendant of `root` that is `nsPid` in its namespace. */
function hostPidOf(root: number, nsPid: number): number | undefined {
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    try {
      const line = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      if (Number(line?.trim().split(/\s+/).at(-1)) === nsPid && pid !== root) return pid;
    } catch {
      continue;
    }
    queue.push(...childrenOf(pid));
  }
  return undefined;
}

/** One answer's run in a forked child: its streams (straight from the child), limits and end. */
class ForkedRun {
  readonly #watch: RunWatch;
  readonly #sockets = new Map<Stream, Socket>();
  #open = 0;
  #hostPid: number | undefined;
  #moved = false;
  #fed = false;
  #exit: Pick<SandboxEnding, "exitCode" | "signal"> | undefined;
  #grace: ReturnType<typeof setTimeout> | undefined;
  #done = false;
  #unavailable: SandboxUnavailableError | undefined;
  readonly ended: Promise<SandboxEnding>;
  #resolve!: (ending: SandboxEnding) => void;
  #reject!: (error: Error) => void;

  constructor(
    readonly id: string,
    private readonly zygote: Zygote,
    private readonly program: SandboxProgram,
    private readonly limits: SandboxLimits,
    private readonly group: RunGroup | undefined,
  ) {
    this.ended = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#watch = new RunWatch(limits, () => this.#kill());
  }

  /** The child forked (its pid in the sandbox): into the run's groups before it gets its input
   * (written off the event loop: moving a process between groups can wait on the kernel). */
  started(nsPid: number): void {
    this.#hostPid = this.zygote.hostPid ? hostPidOf(this.zygote.hostPid, nsPid) : undefined;
    const hostPid = this.#hostPid;
    const moving = !this.group
      ? Promise.resolve()
      : hostPid === undefined
        ? Promise.reject(new Error("the child is gone"))
        : Promise.all(this.group.procs.map((procs) => writeFile(procs, String(hostPid))));
    moving.then(
      () => {
        this.#moved = true;
        this.#feed();
      },
      (error: unknown) => {
        // Never run an answer outside its limits: the job is retried.
        this.#unavailable ??= new SandboxUnavailableError(`could not limit the run: ${error}`);
        if (!this.#done) this.#kill();
      },
    );
  }

  attach(stream: Stream, socket: Socket, rest: Buffer): void {
    if (this.#done || this.#sockets.has(stream)) {
      socket.destroy();
      return;
    }
    this.#sockets.set(stream, socket);
    this.#open++;
    const onData =
      stream === "io"
        ? this.#watch.stdout
        : stream === "err"
          ? this.#watch.stderr
          : this.#watch.channel;
    socket.on("data", onData);
    socket.on("error", () => {
      // The child's end went away; "close" follows.
    });
    // Everything of the stream has arrived once its reading side ends (we may still be writing).
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.#open--;
      this.#settle();
    };
    socket.on("end", end);
    socket.on("close", end);
    if (rest.length > 0) onData(rest);
    this.#feed();
  }

  /** The fork server reported the run over (its processes killed, the sandbox cleaned). */
  exited(exit: Pick<SandboxEnding, "exitCode" | "signal">): void {
    this.#exit ??= exit;
    this.#settle();
  }

  /** The whole sandbox is gone: so is everything of the run. */
  lost(): void {
    this.#exit ??= { exitCode: null, signal: "SIGKILL" };
    for (const socket of this.#sockets.values()) socket.destroy();
    this.#settle();
  }

  /** The input, once: when the child is in its groups and all its streams are connected. */
  #feed() {
    const io = this.#sockets.get("io");
    if (this.#done || this.#fed || !this.#moved || !io || this.#sockets.size < streams.length)
      return;
    this.#fed = true;
    this.#watch.feed(io, this.program);
  }

  #kill() {
    this.zygote.send(`K ${this.id}`);
    if (this.#hostPid !== undefined) {
      try {
        process.kill(this.#hostPid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    this.#expectReport();
  }

  /** A fork server that doesn't report the run over in time is replaced with its sandbox. */
  #expectReport() {
    this.#grace ??= setTimeout(() => {
      this.zygote.kill();
      this.lost();
    }, reportGraceMs);
  }

  #settle() {
    if (this.#done) return;
    if (this.#open > 0) return;
    if (!this.#exit) {
      if (this.#sockets.size === streams.length) this.#expectReport();
      return;
    }
    this.#done = true;
    clearTimeout(this.#grace);
    // Over before it was in its groups: it never got the answer, so it is tried again.
    if (this.group && !this.#moved)
      this.#unavailable ??= new SandboxUnavailableError("the run ended before it was limited");
    for (const socket of this.#sockets.values()) socket.destroy();
    if (this.group?.oomKilled()) this.#watch.stoppedFor ??= "memory";
    this.group?.release();
    if (this.#unavailable) {
      this.#watch.finish();
      this.#reject(this.#unavailable);
      return;
    }
    this.#resolve({ ...this.#watch.finish(), ...this.#exit, timeLimitMs: this.limits.timeLimitMs });
  }
}

/** One live fork server: its sandbox, its socket and the run in hand. */
class Zygote {
  readonly loaded = new Set<string>();
  hostPid: number | undefined;
  current: ForkedRun | undefined;
  alive = true;
  readonly ready: Promise<void>;
  readonly #control: ControlLines;

  constructor(
    private readonly launcher: ChildProcess,
    private readonly server: Server,
    private readonly folder: string,
    private readonly group: RunGroup | undefined,
  ) {
    this.#control = readControlLines(
      launcher,
      "fork server",
      (line) => this.#line(line),
      () => this.kill(),
    );
    this.ready = this.#control.ready;
    launcher.on("close", () => {
      this.kill();
      this.current?.lost();
    });
    server.on("connection", (socket) => this.#accept(socket));
  }

  /** Keeps the process alive while a start or a run is waiting on the sandbox, not when idle. */
  busy(waiting: boolean): void {
    this.#control.busy(waiting);
  }

  send(line: string): void {
    if (this.alive) this.launcher.stdin?.write(`${line}\n`);
  }

  /** Stops the sandbox, its socket and its groups (the next run starts another fork server). */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    try {
      if (this.launcher.pid) process.kill(-this.launcher.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    this.server.close();
    removeSocketFolder(this.folder);
    this.group?.release();
  }

  /** A line of the fork server's: true for its ready line. */
  #line(line: string): boolean {
    const [kind, run, first, second] = line.split(" ");
    if (kind === "ready") {
      this.hostPid = this.launcher.pid ? hostPidOf(this.launcher.pid, Number(run)) : undefined;
      return true;
    }
    const current = this.current;
    if (!current || current.id !== run) return false;
    if (kind === "p") current.started(Number(first));
    if (kind === "x")
      current.exited({
        exitCode: first === "-" ? null : Number(first),
        signal: second === "-" ? null : signalName(Number(second)),
      });
    return false;
  }

  /** A child's connection: "<run> <stream>\n", then the stream itself. */
  #accept(socket: Socket) {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(0x0a);
      if (end < 0) {
        if (head.length > 64) socket.destroy();
        return;
      }
      socket.off("data", onData);
      const [run, stream] = head.subarray(0, end).toString("latin1").split(" ");
      const current = this.current;
      if (current && current.id === run && streams.includes(stream as Stream))
        current.attach(stream as Stream, socket, head.subarray(end + 1));
      else socket.destroy();
    };
    socket.on("data", onData);
    socket.on("error", () => {
      // A connection that went away.
    });
  }
}

const signalNames: Record<number, string> = { 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV" };
const signalName = (number: number) => signalNames[number] ?? `signal ${number}`;

/**
 * The fork server of one runner slot: a long-lived bwrap sandbox (the slot's uid, the same
 * namespaces, mounts and rlimits as a per-answer one) holding a Python interpreter that forks one
 * child per run (fork-server.py says what it guarantees between runs). Each run gets a control
 * group of its own (the child is moved in before it gets any input), the run's CPU limit and its
 * own streams, connected straight to us. A sandbox that dies or misbehaves is replaced at the
 * next run.
 */
export class ForkServer {
  #zygote: Zygote | undefined;
  #runs = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limits: SandboxLimits,
    private readonly slot: number,
    private readonly disableUserns: () => Promise<boolean>,
  ) {}

  /** Runs one Python program in a child of the fork server (one run at a time). */
  execute(program: SandboxProgram): Promise<SandboxEnding> {
    const run = this.#queue.then(() => this.#execute(program));
    this.#queue = run.catch(() => {});
    return run;
  }

  close(): void {
    this.#zygote?.kill();
    this.#zygote = undefined;
  }

  async #execute(program: SandboxProgram): Promise<SandboxEnding> {
    const zygote = await this.#live();
    const key = createHash("sha256").update(program.source).digest("hex").slice(0, 16);
    if (!zygote.loaded.has(key)) {
      zygote.send(`P ${key} ${Buffer.byteLength(program.source)}\n${program.source}`);
      zygote.loaded.add(key);
    }
    const group = runGroup({
      memoryMb: this.limits.memoryMb,
      maxProcesses: this.limits.maxProcesses,
    });
    const run = new ForkedRun(String(++this.#runs), zygote, program, this.limits, group);
    zygote.current = run;
    zygote.busy(true);
    zygote.send(`F ${run.id} ${key} ${cpuSecondsOf(this.limits)}`);
    if (!zygote.alive) run.lost();
    try {
      return await run.ended;
    } finally {
      zygote.current = undefined;
      zygote.busy(false);
    }
  }

  async #live(): Promise<Zygote> {
    if (this.#zygote?.alive) {
      await this.#zygote.ready;
      return this.#zygote;
    }
    const zygote = await this.#start();
    this.#zygote = zygote;
    try {
      await zygote.ready;
    } catch (error) {
      zygote.kill();
      throw error;
    } finally {
      zygote.busy(false);
    }
    return zygote;
  }

  async #start(): Promise<Zygote> {
    const uid = sandboxUid(this.slot);
    const folder = makeSocketFolder(this.slot);
    const server = createServer({ allowHalfOpen: true });
    server.unref();
    let group: RunGroup | undefined;
    try {
      chownSync(folder, uid, uid);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(join(folder, "socket"), resolve);
      });
      chownSync(join(folder, "socket"), uid, uid);
      group = runGroup(slotGroup, "slot");
    } catch (error) {
      server.close();
      removeSocketFolder(folder);
      throw error instanceof SandboxUnavailableError
        ? error
        : new SandboxUnavailableError(`could not prepare the fork server: ${error}`);
    }
    const { command, args } = bwrapCommand(
      this.limits,
      this.slot,
      { interpreter: "python", source: zygoteSource, input: "" },
      await this.disableUserns(),
      { binds: [[folder, socketFolder]], cpuLimit: false },
    );
    const [shell, shellArgs] = launchInGroup(command, args, group);
    const launcher = spawn(shell, shellArgs, {
      stdio: ["pipe", "pipe", "inherit"],
      detached: true,
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    });
    launcher.unref();
    (launcher.stdin as unknown as { unref(): void }).unref();
    launcher.stdin?.on("error", () => {
      // The sandbox is gone; "close" says so.
    });
    return new Zygote(launcher, server, folder, group);
  }
}
