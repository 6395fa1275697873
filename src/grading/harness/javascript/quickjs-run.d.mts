import type { SandboxLimits, StopReason } from "../../sandbox/sandbox";

/** What one run wrote on its channel, the limit that stopped it, and the CPU it took. */
export interface QuickJsRun {
  channel: string;
  stoppedFor: StopReason | undefined;
  cpuMs: number;
}

export function runProgram(
  wasmModule: WebAssembly.Module,
  program: { source: string; input: string },
  limits: SandboxLimits,
): Promise<QuickJsRun>;
