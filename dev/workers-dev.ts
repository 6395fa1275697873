/**
 * `npm run dev`: the Worker in local workerd (`wrangler dev`) against the Hrana stand-in over the
 * same embedded data file as `npm start`, plus a local grading runner. Offline; Ctrl-C stops all.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";
import { startHranaStandIn } from "./hrana-standin";

const { values } = parseArgs({
  options: {
    db: { type: "string", default: "data/testit.db" },
    port: { type: "string", default: "8787" },
    "standin-port": { type: "string", default: "8080" },
  },
});
const databaseFile = values.db as string;
mkdirSync(dirname(databaseFile), { recursive: true });
const local = await openNodeDatabase(`file:${databaseFile}`);
await applyMigrations(local);
local.close();

const standIn = await startHranaStandIn({
  path: databaseFile,
  port: Number(values["standin-port"]),
});
const jwtSecret = process.env.JWT_SECRET ?? randomBytes(32).toString("base64url");
const runnerToken = process.env.RUNNER_TOKEN ?? randomBytes(24).toString("base64url");
const quiet = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const children: ChildProcess[] = [];

const worker = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    values.port as string,
    "--ip",
    "127.0.0.1",
    // The queue's Durable Object state lives beside the data file, so both are reset together.
    "--persist-to",
    `${dirname(databaseFile)}/wrangler-state`,
    "--var",
    `DATABASE_URL:${standIn.url}`,
    "--var",
    `JWT_SECRET:${jwtSecret}`,
    "--var",
    `RUNNER_TOKEN:${runnerToken}`,
  ],
  { stdio: "inherit", env: { ...process.env, ...quiet } },
);
children.push(worker);
const apiUrl = `http://127.0.0.1:${values.port}`;

// The runner waits for the Worker to answer, then grades for it exactly as for a Node server.
for (let attempt = 0; attempt < 120; attempt++) {
  if (
    await fetch(`${apiUrl}/api/organizations/`).then(
      (response) => response.ok,
      () => false,
    )
  )
    break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
children.push(
  spawn("npx", ["tsx", "src/grading/runner-cli.ts", "--url", apiUrl], {
    stdio: "inherit",
    env: {
      ...process.env,
      RUNNER_TOKEN: runnerToken,
      GRADING_CONCURRENCY: process.env.GRADING_CONCURRENCY ?? "2",
    },
  }),
);
console.log(
  JSON.stringify({
    message: "workers dev ready",
    api: apiUrl,
    database: databaseFile,
    standIn: standIn.url,
  }),
);

const stop = async () => {
  for (const child of children) child.kill("SIGTERM");
  await standIn.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
