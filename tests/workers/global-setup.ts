/**
 * Runs in Node before the Workers tests: a fresh sqld (Turso's libSQL server) migrated with the
 * Node migrator, behind a proxy that counts round trips (the Worker's DATABASE_URL); the Node
 * build of the API on the same database (to prove both runtimes read each other's password
 * hashes); and a small grading service that runs answers in the real bubblewrap sandbox for the
 * test that plays the runner.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startRoundTripProxy } from "../../dev/round-trip-proxy";
import { startSqld } from "../../dev/sqld";
import { applyMigrations, openNodeDatabase } from "../../src/db/node-database";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";

function startNodeApi(databaseUrl: string, port: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
    env: {
      ...process.env,
      PORT: port,
      DATABASE_URL: databaseUrl,
      JWT_SECRET: process.env.TESTIT_JWT_SECRET,
      GRADING_CONCURRENCY: "0",
      LOG_LEVEL: "info",
      // Tests arrange whole classes through it, from one address.
      REGISTER_RATE_PER_HOUR: "100000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.includes('"listening"')) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`the Node API exited with ${code}`)));
  });
}

function startGrader(port: string) {
  const grader = new Grader(new BwrapSandbox(defaultLimits(2000, 256), 7));
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const job = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      code: string;
      testingCode: string;
    };
    const report = await grader.grade(job);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(report));
  });
  return new Promise<typeof server>((resolve) =>
    server.listen(Number(port), "127.0.0.1", () => resolve(server)),
  );
}

export default async function setup() {
  const folder = mkdtempSync(join(tmpdir(), "testit-workers-"));
  const sqld = await startSqld({ dbPath: join(folder, "sqld"), log: "ignore" });
  const client = await openNodeDatabase(sqld.url);
  await applyMigrations(client);
  client.close();
  const proxy = await startRoundTripProxy({
    target: sqld.url,
    port: Number(process.env.TESTIT_DATABASE_PORT),
  });
  const nodeApi = await startNodeApi(sqld.url, process.env.TESTIT_NODE_API_PORT as string);
  const grader = await startGrader(process.env.TESTIT_GRADER_PORT as string);
  return async () => {
    nodeApi.kill("SIGKILL");
    grader.close();
    await proxy.stop();
    await sqld.stop();
    rmSync(folder, { recursive: true, force: true });
  };
}
