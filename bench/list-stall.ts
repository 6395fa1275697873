/**
 * `npm run bench:stall`: does one student's very long completions list stall everyone else?
 * Seeds one student with 300 completions × 500 answers (150,000 answers, straight into the
 * database), starts the real server (`bench/server.ts`) and, while that student's
 * `GET /api/users/me/completions/` is being served (once, then 4 at a time), keeps 20 clients of
 * another student calling `GET /api/users/me` back to back. Prints their latency and the server's
 * event-loop delay (`perf_hooks.monitorEventLoopDelay`, read through `/__event-loop`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";
import { seedHeavyStudent } from "../tests/helpers/heavy-student";
import { startServer } from "./server-process";

const password = "stall bench password";
const smallClients = 20;
const idleSeconds = 3;

const serverEnv = {
  JWT_SECRET: "a-benchmark-secret-that-is-long-enough",
  GRADING_CONCURRENCY: "0",
  ACCESS_TOKEN_TTL: "3600",
};

async function token(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/users/token/obtain/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`signing in failed: ${response.status}`);
  return ((await response.json()) as { access: string }).access;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ??
  0;

interface Phase {
  name: string;
  latencies: number[];
  heavyMs: number[];
  heavyBytes: number;
  eventLoop: { p50: number; p99: number; max: number; mean: number };
}

async function phase(
  name: string,
  url: string,
  tokens: { heavy: string; small: string },
  heavyRequests: number,
): Promise<Phase> {
  await fetch(`${url}/__event-loop`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  let heavyBytes = 0;
  const heavyMs: number[] = [];
  const heavy = Promise.all(
    Array.from({ length: heavyRequests }, async () => {
      const started = performance.now();
      const response = await fetch(`${url}/api/users/me/completions/`, {
        headers: { authorization: `Bearer ${tokens.heavy}` },
      });
      const body = await response.arrayBuffer();
      if (!response.ok) throw new Error(`the long list failed: ${response.status}`);
      heavyBytes = body.byteLength;
      heavyMs.push(performance.now() - started);
    }),
  );
  let heavyDone = heavyRequests === 0;
  const idleUntil = performance.now() + idleSeconds * 1000;
  heavy.then(() => {
    heavyDone = true;
  });
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: smallClients }, async () => {
      while (heavyRequests > 0 ? !heavyDone : performance.now() < idleUntil) {
        const started = performance.now();
        const response = await fetch(`${url}/api/users/me`, {
          headers: { authorization: `Bearer ${tokens.small}` },
        });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`GET /api/users/me failed: ${response.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  await heavy;
  const eventLoop = (await (await fetch(`${url}/__event-loop`)).json()) as Phase["eventLoop"];
  return { name, latencies, heavyMs, heavyBytes, eventLoop };
}

const folder = mkdtempSync(join(tmpdir(), "testit-stall-"));
const databaseUrl = `file:${join(folder, "testit.db")}`;
const client = await openNodeDatabase(databaseUrl);
await applyMigrations(client);
const seedStarted = performance.now();
const seeded = await seedHeavyStudent(client, await nodeArgon2Hasher.hash(password));
client.close();
console.log(
  `seeded ${seeded.completions} completions × ${seeded.answersPerCompletion} answers in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
);
const { child, url } = await startServer("bench/server.ts", databaseUrl, serverEnv);
try {
  const tokens = {
    heavy: await token(url, seeded.studentEmail),
    small: await token(url, seeded.neighbourEmail),
  };
  const phases = [
    await phase("idle (no long list)", url, tokens, 0),
    await phase("1 long list in flight", url, tokens, 1),
    await phase("4 long lists in flight", url, tokens, 4),
  ];
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
  );
  console.log(
    `${smallClients} clients of another student call GET /api/users/me back to back while the long list (${(phases[1]?.heavyBytes ?? 0) / 1e6} MB of JSON) is served\n`,
  );
  console.log(
    "| phase | /me requests | /me p50 ms | /me p95 ms | /me max ms | long list ms | event-loop delay p50 / p99 / max ms |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const { name, latencies, heavyMs, eventLoop } of phases) {
    console.log(
      `| ${name} | ${latencies.length} | ${percentile(latencies, 0.5).toFixed(1)} | ${percentile(latencies, 0.95).toFixed(1)} | ${Math.max(...latencies).toFixed(1)} | ${heavyMs.length ? heavyMs.map((ms) => ms.toFixed(0)).join(", ") : "—"} | ${eventLoop.p50} / ${eventLoop.p99} / ${eventLoop.max} |`,
    );
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(folder, { recursive: true, force: true });
}
