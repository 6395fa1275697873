/**
 * `npm run dev`: the Worker in local workerd (`wrangler dev`, port 8787) over a local libSQL
 * server (sqld, the server Turso runs, data in data/sqld/) migrated with the Node migrator, and a
 * grading runner, restarted if it dies. Offline; Ctrl-C stops all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";
import { ensureDevVars } from "./dev-vars";
import { copyDocsAssets } from "./docs-assets";
import { startSqld } from "./sqld";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "data" },
    port: { type: "string", default: "8787" },
  },
});
const dataFolder = values.data as string;
const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), message, ...fields }));

const sqld = await startSqld({ dbPath: join(dataFolder, "sqld"), log: "ignore" });
const migrator = await openNodeDatabase(sqld.url);
await applyMigrations(migrator);
migrator.close();

copyDocsAssets();
const secrets = ensureDevVars(".dev.vars", {
  JWT_SECRET: () => randomBytes(32).toString("base64url"),
  RUNNER_TOKEN: () => randomBytes(24).toString("base64url"),
});
const quiet = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const apiUrl = `http://127.0.0.1:${values.port}`;
let stopping = false;
let runner: ChildProcess | undefined;

const worker = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    values.port as string,
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    // The queue's Durable Object state lives beside the database, so both are reset together.
    "--persist-to",
    join(dataFolder, "wrangler-state"),
    "--var",
    `DATABASE_URL:${sqld.url}`,
  ],
  // Its own process group, so that stopping it stops what npx started under it (workerd too).
  { stdio: "inherit", env: { ...process.env, ...quiet }, detached: true },
);

/** Stops a child started with `detached: true` and everything it started. */
function stopGroup(child: ChildProcess | undefined) {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  stopGroup(runner);
  stopGroup(worker);
  await sqld.stop();
  process.exit(code);
}
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
worker.once("exit", (code) => {
  if (!stopping) log("wrangler dev exited: stopping", { code });
  void stop(code ?? 1);
});
sqld.process.once("exit", (code) => {
  if (!stopping) log("sqld exited: stopping", { code });
  void stop(1);
});

/**
 * The runner grades for the Worker exactly as for a Node server. One that dies is started again,
 * a little later each time it dies young.
 */
function startRunner(quickDeaths: number) {
  const startedAt = Date.now();
  runner = spawn("npx", ["tsx", "src/grading/runner-cli.ts", "--url", apiUrl], {
    stdio: "inherit",
    env: {
      ...process.env,
      RUNNER_TOKEN: secrets.RUNNER_TOKEN,
      GRADING_CONCURRENCY: process.env.GRADING_CONCURRENCY ?? "2",
    },
    detached: true,
  });
  runner.once("exit", (code, signal) => {
    if (stopping) return;
    const deaths = Date.now() - startedAt < 60_000 ? quickDeaths + 1 : 0;
    const delayMs = Math.min(30_000, 500 * 2 ** deaths);
    log("grading runner died: restarting it", { code, signal, restart_in_ms: delayMs });
    setTimeout(() => {
      if (!stopping) startRunner(deaths);
    }, delayMs);
  });
}

for (let attempt = 0; attempt < 240 && !stopping; attempt++) {
  const up = await fetch(`${apiUrl}/api/organizations/`).then(
    (response) => response.ok,
    () => false,
  );
  if (up) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
if (!stopping) {
  startRunner(0);
  log("workers dev ready", { api: apiUrl, database: sqld.url, data: dataFolder });
}
