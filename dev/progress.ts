/**
 * Progress of a long command (seeding, benchmarks, the load test, migrations) for the person
 * watching it: one line on stderr, so stdout stays the command's result; nothing under CI=true.
 */
export function progress(message: string): void {
  if (process.env.CI === "true") return;
  process.stderr.write(`${message}\n`);
}
