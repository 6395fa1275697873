/**
 * A line writer for stdout that writes once per event-loop turn: writes to a pipe are synchronous
 * on Linux, so a write per log line (one per request) cost a fifth of a light request's CPU.
 * Lines still pending when the process exits are written then.
 */
export function batchedStdoutLines(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    process.stdout.write(text);
  };
  process.on("exit", flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}
