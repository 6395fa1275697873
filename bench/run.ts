/**
 * `npm run bench`: the compiled server (as `npm start` runs it) over a seeded database, loaded
 * with autocannon at 1, 16 and 64 concurrent clients. Prints a table (req/s, p50/p99, ratio to a
 * bare Hono route on the same server), checks that every acknowledged submission is stored
 * exactly once, and writes bench/results/latest.json. Then the grading figures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createClient } from "@libsql/client";
import autocannon from "autocannon";
import { progress } from "../dev/progress";
import { residentMb as residentMbOf } from "../src/grading/sandbox/process";
import { seedDatabase, seedPassword } from "./seed";
import { answersFor, benchServerEnv, signIn, startServer } from "./server-process";

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const concurrencies = [1, 16, 64];

interface Row {
  endpoint: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  ok: number;
  /** Server CPU time (all threads) per request: what a request costs, whatever else runs here. */
  cpuUsPerRequest: number;
  ceilingRatio?: number;
}

const residentMb = (pid: number) => residentMbOf(pid) ?? 0;

/** CPU time the process has used, all threads, user and system (from /proc, in clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
type StoppedLine = { writes?: { units: number; commits: number } };
/** The server's last log line, which counts its writes and the commits they took. */
let onServerStopped: (line: StoppedLine) => void = () => {};
const serverStopped = new Promise<StoppedLine>((resolve) => {
  onServerStopped = resolve;
});

async function load(
  endpoint: string,
  connections: number,
  options: {
    url: string;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string;
    amount?: number;
    onResponse?: (status: number, body: string) => void;
  },
): Promise<Row> {
  progress(`bench: ${endpoint}, ${connections} connections …`);
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: options.url,
    connections,
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    ...(options.onResponse ? { requests: [{ onResponse: options.onResponse }] } : {}),
    ...(options.amount ? { amount: options.amount } : { duration: durationSeconds }),
  });
  await settle(new URL(options.url).origin);
  const cpuUsPerRequest =
    ((cpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, result.requests.total);
  return {
    endpoint,
    connections,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    ok: result["2xx"],
    cpuUsPerRequest: Math.round(cpuUsPerRequest),
  };
}

/**
 * Waits until the server has worked off what the last run left in flight (autocannon stops
 * sending at the deadline, but the server still finishes what it accepted), so runs don't
 * measure each other's backlog.
 */
async function settle(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const started = performance.now();
    await fetch(`${url}/api/organizations/`);
    if (performance.now() - started < 20) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every acknowledged submission must be stored, once: its id among the stored ones and no id
 * acknowledged twice. Stored but unacknowledged ones can only be requests the client stopped
 * waiting for at the deadline, at most one per connection.
 */
function checkStoredOnce(connections: number, acknowledged: number[], stored: number[]) {
  const storedIds = new Set(stored);
  const missing = acknowledged.filter((id) => !storedIds.has(id)).length;
  const repeated = acknowledged.length - new Set(acknowledged).size;
  const unacknowledged = stored.length - (acknowledged.length - repeated);
  const ok = missing === 0 && repeated === 0 && unacknowledged <= connections;
  return {
    connections,
    acknowledged: acknowledged.length,
    stored: stored.length,
    missing,
    repeated,
    ok,
    summary: `${connections} clients: ${acknowledged.length} submissions acknowledged, ${missing} of them missing, ${repeated} acknowledged twice; ${stored.length} stored (${unacknowledged} still in flight at the deadline, at most ${connections}) — ${ok ? "stored exactly once" : "FAILED"}`,
  };
}

function table(rows: Row[]): string {
  const header =
    "| endpoint | clients | req/s | p50 ms | p99 ms | of ceiling | CPU µs/req | non-2xx |";
  const lines = rows.map(
    (row) =>
      `| ${row.endpoint} | ${row.connections} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${
        row.ceilingRatio === undefined ? "—" : `${Math.round(row.ceilingRatio * 100)} %`
      } | ${row.cpuUsPerRequest} | ${row.non2xx} |`,
  );
  return [header, "|---|---|---|---|---|---|---|---|", ...lines].join("\n");
}

const folder = mkdtempSync(join(tmpdir(), "testit-bench-"));
const databaseUrl = `file:${join(folder, "testit.db")}`;
progress("seeding: 1,000 students, 30 groups, 50 tests × 20 questions, 20,000 completions …");
const seeded = await seedDatabase(databaseUrl);
const { child, url } = await startServer("bench/server.ts", databaseUrl, benchServerEnv);
createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
  if (line.includes('"stopped"')) onServerStopped(JSON.parse(line));
});
const pid = child.pid as number;
const rows: Row[] = [];
const submissionChecks: ReturnType<typeof checkStoredOnce>[] = [];
try {
  const teacher = await signIn(url, seeded.teacherEmail);
  const student = await signIn(url, seeded.studentEmail);
  const asTeacher = { authorization: `Bearer ${teacher}` };
  const asStudent = { authorization: `Bearer ${student}` };
  const submitTestResponse = await fetch(`${url}/api/tests/${seeded.submitTest.id}/`, {
    headers: asTeacher,
  });
  if (!submitTestResponse.ok) {
    throw new Error(
      `reading the test failed: ${submitTestResponse.status} ${await submitTestResponse.text()}`,
    );
  }
  const submitTest = (await submitTestResponse.json()) as Parameters<typeof answersFor>[0];
  const submission = JSON.stringify({
    test: seeded.submitTest.publicUuid,
    answers: answersFor(submitTest),
  });

  const storedCompletionIds = async (afterId: number) => {
    const database = createClient({ url: databaseUrl });
    const { rows: stored } = await database.execute({
      sql: "select id from completions where id > ? order by id",
      args: [afterId],
    });
    database.close();
    return stored.map((row) => Number(row.id));
  };
  const lastCompletionId = async () => (await storedCompletionIds(0)).at(-1) ?? 0;

  for (const connections of concurrencies) {
    const ceiling = await load("bare Hono route (ceiling)", connections, {
      url: `${url}/__ceiling`,
    });
    const measured = [
      await load("GET /api/tests/p/{uuid}/ (student)", connections, {
        url: `${url}/api/tests/p/${seeded.submitTest.publicUuid}/`,
        headers: asStudent,
      }),
      await load("GET /api/users/me", connections, {
        url: `${url}/api/users/me`,
        headers: asStudent,
      }),
      await load(`GET /api/tests/{id}/completions/ (${seeded.listTest.completions})`, connections, {
        url: `${url}/api/tests/${seeded.listTest.id}/completions/`,
        headers: asTeacher,
      }),
    ];
    const before = await lastCompletionId();
    const acknowledged: number[] = [];
    const submit = await load("POST /api/completions/ (20 questions)", connections, {
      url: `${url}/api/completions/`,
      method: "POST",
      headers: { ...asStudent, "content-type": "application/json" },
      body: submission,
      onResponse: (status, body) => {
        if (status === 201) acknowledged.push(Number(/^\{"id":(\d+)/.exec(body)?.[1]));
      },
    });
    submissionChecks.push(
      checkStoredOnce(connections, acknowledged, await storedCompletionIds(before)),
    );
    for (const row of [...measured, submit])
      row.ceilingRatio = row.requestsPerSecond / ceiling.requestsPerSecond;
    rows.push(ceiling, ...measured, submit);
  }

  // argon2 saturates the thread pool and lingers: measured last, after everything else.
  for (const connections of concurrencies) {
    const ceilingRps =
      rows.find((row) => row.connections === connections && row.endpoint.startsWith("bare"))
        ?.requestsPerSecond ?? 1;
    const login = await load("POST /api/users/token/obtain/ (argon2)", connections, {
      url: `${url}/api/users/token/obtain/`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: seeded.teacherEmail, password: seedPassword }),
    });
    login.ceilingRatio = login.requestsPerSecond / ceilingRps;
    rows.push(login);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }

  const rssBefore = residentMb(pid);
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, residentMb(pid));
  }, 10);
  const exportRow = await load(`GET …/completions/export/ (${seeded.exportTest.completions})`, 1, {
    url: `${url}/api/tests/${seeded.exportTest.id}/completions/export/`,
    headers: asTeacher,
    amount: 5,
  });
  clearInterval(sampler);
  rows.push(exportRow);
  const rssAfterMb = Math.round(residentMb(pid));
  child.kill("SIGTERM");
  const { writes } = await serverStopped;

  const report = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    durationSeconds,
    rows,
    export: { medianishMs: exportRow.p50, extraMemoryMb: Math.round(peakRss - rssBefore) },
    rssAfterMb,
    submissions: submissionChecks,
    writes,
  };
  console.log(
    `\n${report.machine}; ${durationSeconds} s per run; embedded libSQL; LOG_LEVEL=info\n`,
  );
  console.log(table(rows));
  console.log(
    `\nexport of ${seeded.exportTest.completions} completions: p50 ${exportRow.p50} ms, server RSS +${report.export.extraMemoryMb} MiB at peak`,
  );
  console.log(`server RSS after the bench: ${rssAfterMb} MiB`);
  if (writes) {
    console.log(
      `writes: ${writes.units} transactions and batches in ${writes.commits} commits (${(writes.units / Math.max(1, writes.commits)).toFixed(1)} per commit)`,
    );
  }
  for (const check of submissionChecks) console.log(check.summary);
  if (submissionChecks.some((check) => !check.ok)) process.exitCode = 1;
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify(report, null, 2)}\n`);
  console.log("written: bench/results/latest.json");
} finally {
  child.kill("SIGTERM");
  rmSync(folder, { recursive: true, force: true });
}
