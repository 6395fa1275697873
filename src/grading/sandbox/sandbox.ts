/** One code answer to grade: the student's code and the teacher's tests. */
export interface CodeRun {
  code: string;
  testingCode: string;
}

/** What the harness established: cases passed of the total, whether anything raised, and why. */
export interface RunReport {
  passed: number;
  total: number;
  raised: boolean;
  errors: string | null;
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

export interface Sandbox {
  readonly name: "bwrap" | "pyodide";
  /** Runs the answer; a limit hit or a crash of the answer is a report, never a throw. */
  run(job: CodeRun): Promise<RunReport>;
}

/** The sandbox itself failed (could not start, say): the job is retried, the answer not judged. */
export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}
