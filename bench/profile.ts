/**
 * `npm run bench:profile -- [users-me|open-by-link|submit] [seconds]`: where a request's CPU time
 * goes. Seeds the bench database, starts the bench server from source under `--cpu-prof`, loads
 * one endpoint with 16 clients, stops the server gracefully (which writes the profile) and prints
 * self time by package or source module, and by function. Shares are of the server's busy time;
 * they hold on a loaded machine too, unlike req/s.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { seedDatabase } from "./seed";
import { answersFor, benchServerEnv, signIn } from "./server-process";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const endpoint = process.argv[2] ?? "users-me";
const seconds = Number(process.argv[3] ?? 10);
const folder = mkdtempSync(join(tmpdir(), "testit-profile-"));
const databaseUrl = `file:${join(folder, "testit.db")}`;
const profileDir = join(folder, "profile");

/** Where a frame's code lives: an npm package, one of our modules, or a V8/Node bucket. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native / V8 builtins)";
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1]) return packageMatch[1];
  if (url.startsWith("node:")) return url;
  if (url.startsWith("file://")) return relative(process.cwd(), new URL(url).pathname);
  return url;
}

function report(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Only the load window: the profile's start also holds module loading and seeding's sign-ins.
  const windowStart = profile.endTime - seconds * 1e6;
  const hits = new Map<number, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas[index] ?? 0;
    if (time >= windowStart) hits.set(id, (hits.get(id) ?? 0) + 1);
  });
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, count] of hits) {
    const { functionName, url, lineNumber } = (byId.get(id) as ProfileNode).callFrame;
    if (functionName === "(idle)") continue;
    busy += count;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + count);
    const name = `${functionName || "(anonymous)"}  ${area}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
  }
  const print = (title: string, table: Map<string, number>, rows: number) => {
    console.log(`\n${title}`);
    for (const [name, count] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows))
      console.log(`${((100 * count) / busy).toFixed(1).padStart(5)} %  ${name}`);
  };
  print("self time by area (share of busy samples)", byArea, 25);
  print("self time by function", byFunction, 30);
}

async function startProfiledServer(): Promise<{ stop: () => Promise<void>; url: string }> {
  const child = spawn(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", "bench/server.ts"],
    {
      env: { ...process.env, PORT: "0", DATABASE_URL: databaseUrl, ...benchServerEnv },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.includes('"listening"')) resolve(JSON.parse(line).url);
    });
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

console.error("seeding the bench database …");
const seeded = await seedDatabase(databaseUrl);
const server = await startProfiledServer();
try {
  const student = await signIn(server.url, seeded.studentEmail);
  const auth = { authorization: `Bearer ${student}` };
  const openUrl = `${server.url}/api/tests/p/${seeded.submitTest.publicUuid}/`;
  const test = await (await fetch(openUrl, { headers: auth })).json();
  const requests = {
    "users-me": { url: `${server.url}/api/users/me/`, method: "GET" as const },
    "open-by-link": { url: openUrl, method: "GET" as const },
    submit: {
      url: `${server.url}/api/completions/`,
      method: "POST" as const,
      body: JSON.stringify({ test: seeded.submitTest.publicUuid, answers: answersFor(test) }),
    },
  }[endpoint];
  if (!requests) throw new Error(`unknown endpoint ${endpoint}`);
  console.error(`loading ${endpoint} for ${seconds} s with 16 clients …`);
  const result = await autocannon({
    ...requests,
    headers: { ...auth, "content-type": "application/json" },
    connections: 16,
    duration: seconds,
  });
  console.log(
    `${endpoint}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx`,
  );
} finally {
  await server.stop();
}
const [file] = readdirSync(profileDir);
report(JSON.parse(readFileSync(join(profileDir, file as string), "utf8")) as Profile);
rmSync(folder, { recursive: true, force: true });
