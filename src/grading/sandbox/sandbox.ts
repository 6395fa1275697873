import { graderText } from "../../i18n/grader-text";
/** More input for a running program, written once each of `after` has begun a line of its channel. */
export interface Continuation {
  after: string[];
  input: string;
}

/**
 * A program for a sandbox: which interpreter, its source, and what it reads as input: `input` at
 * once, then each continuation in order when its lines have appeared (so that the program can't
 * see that input before it reported them), or all that is left as soon as a line begins with
 * one of `releaseAllOn`. Stdin ends after the last.
 */
export interface SandboxProgram {
  interpreter: "python" | "javascript";
  source: string;
  input: string;
  continuations?: Continuation[];
  releaseAllOn?: string[];
  /** Run it in a fresh process of its own, never in one forked from a slot's fork server (the
   * teacher-only run: it never shares anything with a student's). */
  ownProcess?: boolean;
}

/** What a program reads on stdin. */
export type ProgramInput = Pick<SandboxProgram, "input" | "continuations" | "releaseAllOn">;

export type StopReason = "time" | "output" | "memory";

/** How a sandboxed run ended, as seen from outside. Everything in it is untrusted. */
export interface SandboxEnding {
  /** Everything the program wrote on its result channel. */
  channel: string;
  /** Set when the run was stopped for a limit. */
  stoppedFor: StopReason | undefined;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  timeLimitMs: number;
}

export interface SandboxLimits {
  timeLimitMs: number;
  memoryMb: number;
  maxProcesses: number;
  maxOutputBytes: number;
  maxFileBytes: number;
}

export const defaultLimits = (timeLimitMs: number, memoryMb: number): SandboxLimits => ({
  timeLimitMs,
  memoryMb,
  maxProcesses: 64,
  maxOutputBytes: 64 * 1024,
  maxFileBytes: 1024 * 1024,
});

/**
 * Runs one program, isolated, within the limits. It knows nothing of tests or grades: a limit
 * hit or a crash is an ending, never a throw.
 */
export interface Sandbox {
  readonly name: "bwrap" | "pyodide";
  execute(program: SandboxProgram): Promise<SandboxEnding>;
  /** Stops what the sandbox keeps running between runs, if anything (the next run restarts it). */
  close?(): void;
}

/** The sandbox itself failed (could not start, say): the job is retried, the answer not judged. */
export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}

/** Why a run failed as a whole, when it hit a limit: the message every case gets. */
export function limitFailure(ending: SandboxEnding): string | undefined {
  if (ending.stoppedFor === "time")
    return graderText("grading_time_limit", { seconds: ending.timeLimitMs / 1000 });
  if (ending.stoppedFor === "output") return graderText("grading_output_limit");
  if (ending.stoppedFor === "memory") return graderText("grading_memory_limit");
  return undefined;
}

/** Why a run that ended without its last report failed. */
export function crashFailure(ending: SandboxEnding): string {
  if (
    /MemoryError|JavaScript heap out of memory|Allocation failed/.test(ending.stderrTail) ||
    ending.signal === "SIGSEGV" ||
    ending.signal === "SIGABRT"
  )
    return graderText("grading_memory_limit");
  return graderText("grading_stopped_early");
}
