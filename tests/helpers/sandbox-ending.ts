import type { SandboxEnding } from "../../src/grading/sandbox/sandbox";

/** How a sandboxed run ended, for a judge: what it wrote on the channel, a clean exit unless told. */
export const sandboxEnding = (
  channel: string,
  extra: Partial<SandboxEnding> = {},
): SandboxEnding => ({
  channel,
  stoppedFor: undefined,
  exitCode: 0,
  signal: null,
  stderrTail: "",
  timeLimitMs: 2000,
  ...extra,
});
