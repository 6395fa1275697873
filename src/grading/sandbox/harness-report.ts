import type { RunReport } from "./sandbox";

/** How a sandboxed run ended, as seen from outside. */
export interface RunEnding {
  /** Everything the harness wrote on its channel. */
  channel: string;
  nonce: string;
  /** Set when we stopped the run for a limit. */
  stoppedFor: "time" | "output" | "memory" | undefined;
  timeLimitMs: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
}

type Frame =
  | { plan: number }
  | { case: number; ok: boolean; message: string | null }
  | { error: string; where: string }
  | { done: true };

const maxErrorsLength = 8 * 1024;

/** Only lines that start with this run's nonce are frames; anything else is ignored. */
function readFrames(channel: string, nonce: string): Frame[] {
  const prefix = `${nonce} `;
  const frames: Frame[] = [];
  for (const line of channel.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    try {
      const frame = JSON.parse(line.slice(prefix.length)) as unknown;
      if (frame !== null && typeof frame === "object") frames.push(frame as Frame);
    } catch {
      // A malformed frame counts for nothing.
    }
  }
  return frames;
}

function truncate(text: string): string {
  return text.length > maxErrorsLength ? `${text.slice(0, maxErrorsLength)}\n… (truncated)` : text;
}

const failed = (total: number, errors: string): RunReport => ({
  passed: 0,
  total,
  raised: true,
  errors,
});

/**
 * Turns a run's frames into results. A limit hit or a run without its final frame fails every
 * case: exiting early, crashing or being stopped never passes a test.
 */
export function interpretRun(ending: RunEnding): RunReport {
  const frames = readFrames(ending.channel, ending.nonce);
  const plan = frames.find((frame): frame is { plan: number } => "plan" in frame);
  const total = Number.isSafeInteger(plan?.plan) ? Math.max(0, plan?.plan ?? 0) : 0;
  if (ending.stoppedFor === "time")
    return failed(total, `Time limit exceeded (${ending.timeLimitMs / 1000} s)`);
  if (ending.stoppedFor === "output") return failed(total, "Output limit exceeded");
  if (ending.stoppedFor === "memory") return failed(total, "Memory limit exceeded");

  const doneAt = frames.findIndex((frame) => "done" in frame);
  if (doneAt < 0) {
    if (
      /MemoryError/.test(ending.stderrTail) ||
      ending.signal === "SIGSEGV" ||
      ending.signal === "SIGABRT"
    ) {
      return failed(total, "Memory limit exceeded");
    }
    return failed(
      total,
      "The program stopped before the tests finished; exiting early never passes a test.",
    );
  }

  const results = new Map<number, { ok: boolean; message: string | null }>();
  const errors: string[] = [];
  for (const frame of frames.slice(0, doneAt)) {
    if ("case" in frame && !results.has(frame.case)) results.set(frame.case, frame);
    if ("error" in frame) errors.push(frame.error);
  }
  const passed = [...results.entries()].filter(
    ([index, result]) => index <= total && result.ok,
  ).length;
  const messages = [
    ...[...results.values()].flatMap((result) =>
      result.ok || !result.message ? [] : [result.message],
    ),
    ...errors,
  ];
  if (passed < total && messages.length === 0)
    messages.push(`${total - passed} of ${total} tests did not run.`);
  return {
    passed,
    total,
    raised: errors.length > 0,
    errors: messages.length > 0 ? truncate(messages.join("\n\n")) : null,
  };
}
