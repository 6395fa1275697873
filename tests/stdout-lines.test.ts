import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Runs `body` in a fresh Node process with `write` = the batched stdout writer; returns stdout. */
async function stdoutOf(body: string): Promise<string> {
  const script = `import { batchedStdoutLines } from "./src/stdout-lines.ts";
const write = batchedStdoutLines();
${body}`;
  const { stdout } = await run(process.execPath, [
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
  ]);
  return stdout;
}

describe("log lines batched per event-loop turn", () => {
  it("writes every line, in order, across turns", async () => {
    const stdout = await stdoutOf(`
for (let turn = 0; turn < 50; turn++) {
  for (let line = 0; line < 200; line++) write("line " + (turn * 200 + line));
  await new Promise((resolve) => setImmediate(resolve));
}`);
    const expected = Array.from({ length: 10_000 }, (_, index) => `line ${index}`);
    expect(stdout.split("\n").slice(0, -1)).toEqual(expected);
  });

  it("writes the lines still pending when the process exits in the same turn", async () => {
    const stdout = await stdoutOf(`write("first"); write("last words"); process.exit(0);`);
    expect(stdout).toBe("first\nlast words\n");
  });
});
