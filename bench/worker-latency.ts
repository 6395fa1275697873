/**
 * `npm run bench:worker`: the Worker in local workerd (`wrangler dev`) over sqld, behind a proxy
 * that adds a delay to every database round trip, as Turso in a far region would. Prints the
 * median latency of opening a test by its link and of submitting (with and without a code
 * answer) at 0 and 30 ms per round trip, then exports 10,000 completions while sampling the
 * workerd process's resident memory.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { copyDocsAssets } from "../dev/docs-assets";
import { freePort } from "../dev/free-port";
import { startRoundTripProxy } from "../dev/round-trip-proxy";
import { startSqld } from "../dev/sqld";
import { applyMigrations, openNodeDatabase } from "../src/db/node-database";
import { residentMb } from "../src/grading/sandbox/process";

const samples = Number(process.env.BENCH_SAMPLES ?? 15);
const exportRows = Number(process.env.BENCH_EXPORT_ROWS ?? 10_000);
const folder = mkdtempSync(join(tmpdir(), "testit-worker-bench-"));
const sqld = await startSqld({ dbPath: join(folder, "sqld"), log: "ignore" });
const migrator = await openNodeDatabase(sqld.url);
await applyMigrations(migrator);
const proxy = await startRoundTripProxy({ target: sqld.url });
copyDocsAssets();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const worker: ChildProcess = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    "--persist-to",
    join(folder, "wrangler-state"),
    "--var",
    `DATABASE_URL:${proxy.url}`,
    "--var",
    "JWT_SECRET:a-benchmark-secret-that-is-long-enough",
    "--var",
    "GRADING_WAIT_MS:0",
    "--var",
    "LOG_LEVEL:warn",
    // One student submits again and again here: the per-student limits would stop them.
    "--var",
    "SUBMISSION_RATE_PER_MINUTE:100000",
    "--var",
    "GRADING_MAX_PENDING_PER_USER:100000",
  ],
  {
    stdio: "ignore",
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
    detached: true,
  },
);

async function api(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "cf-connecting-ip": `203.0.113.${Math.floor(Math.random() * 250) + 1}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status}`);
  return response;
}
const json = async (method: string, path: string, body?: unknown, token?: string) =>
  (await api(method, path, body, token)).json();

async function account(email: string, extra: Record<string, unknown>) {
  const password = "benchmark password";
  const user = await json("POST", "/api/users/", {
    email,
    password,
    first_name: "Bench",
    last_name: "Mark",
    ...extra,
  });
  const tokens = await json("POST", "/api/users/token/obtain/", { email, password });
  return { id: user.id as number, access: tokens.access as string };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timedMs(work: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return Math.round(median(times));
}

/** The workerd process under wrangler (its resident memory is the isolate's and the runtime's). */
function workerdPid(): number {
  const out = execFileSync("ps", ["-eo", "pid,pgid,args"], { encoding: "utf8" });
  const line = out
    .split("\n")
    .find(
      (row) => row.includes("workerd serve") && row.trim().split(/\s+/)[1] === String(worker.pid),
    );
  if (!line) throw new Error("workerd is not running");
  return Number(line.trim().split(/\s+/)[0]);
}

try {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (
      await fetch(`${base}/api/organizations/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const teacher = await account("teacher@bench.example", { is_teacher: true });
  const organization = await json("POST", "/api/organizations/", { name: "Bench" }, teacher.access);
  const student = await account("student@bench.example", { organization_id: organization.id });
  const group = await json("POST", "/api/groups/", { name: "Bench group" }, teacher.access);
  await api("POST", `/api/groups/${group.id}/add_user/`, { user: student.id }, teacher.access);
  const test = await json(
    "POST",
    "/api/tests/",
    {
      name: "Bench",
      questions: [
        ...Array.from({ length: 19 }, (_, i) => ({
          text: `Q${i}`,
          type: "radio",
          body: { variants: [{ text: "yes", is_correct: true }, { text: "no" }] },
        })),
        { text: "add", type: "code", body: { testing_code: "assert add(1, 2) == 3" } },
      ],
    },
    teacher.access,
  );
  await api("POST", `/api/tests/${test.id}/allow_for_group/`, { group: group.id }, teacher.access);
  const answers = test.questions.map(
    (question: { id: number; type: string; body: { variants?: { id: number }[] } }) =>
      question.type === "code"
        ? { question: question.id, body: { code: "def add(a, b):\n    return a + b\n" } }
        : {
            question: question.id,
            body: { picked_variant: { id: question.body.variants?.[0]?.id } },
          },
  );
  const open = () => api("GET", `/api/tests/p/${test.public_uuid}/`, undefined, student.access);
  const submitWithout = () =>
    api(
      "POST",
      "/api/completions/",
      { test: test.public_uuid, answers: answers.slice(0, 19) },
      student.access,
    );
  const submitWith = () =>
    api("POST", "/api/completions/", { test: test.public_uuid, answers }, student.access);
  await open();

  console.log(
    "| per round trip | open a test by link | submit (19 answers, no code) | submit with a code answer |",
  );
  console.log("|---|---|---|---|");
  for (const delay of [0, 30]) {
    await fetch(`${proxy.url}/__proxy/delay?ms=${delay}`, { method: "POST" });
    console.log(
      `| +${delay} ms | ${await timedMs(open)} ms | ${await timedMs(submitWithout)} ms | ${await timedMs(submitWith)} ms |`,
    );
  }
  await fetch(`${proxy.url}/__proxy/delay?ms=0`, { method: "POST" });

  // The export: completions written straight into the database, then one download.
  const seededAfter = Number(
    (await migrator.execute("select coalesce(max(id), 0) as id from completions")).rows[0]?.id,
  );
  await migrator.execute({
    sql: `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
          insert into completions (user_id, test_id, score, status, created_at)
          select ?, ?, 19, 'graded', 1767225600000 + i * 1000 from n`,
    args: [exportRows, student.id, test.id],
  });
  await migrator.execute({
    sql: `insert into answers (completion_id, question_id, points, is_correct)
          select c.id, q.id, 1, 1 from completions c join questions q on q.test_id = c.test_id
          where c.test_id = ? and c.id > ? and q.type = 'radio'`,
    args: [test.id, seededAfter],
  });
  const pid = workerdPid();
  const download = () =>
    api("GET", `/api/tests/${test.id}/completions/export/`, undefined, teacher.access);
  await (await download()).arrayBuffer();
  const before = residentMb(pid) ?? 0;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentMb(pid) ?? 0);
  }, 20);
  const started = performance.now();
  const bytes = await (await download()).arrayBuffer();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes);
  console.log(
    `export of ${exportRows} completions: ${(bytes.byteLength / 1024).toFixed(0)} KiB in ${seconds.toFixed(1)} s, ` +
      `${workbook.worksheets[0]?.rowCount} rows read back; workerd resident memory ${before.toFixed(0)} MiB before, ` +
      `peak ${peak.toFixed(0)} MiB (+${(peak - before).toFixed(1)} MiB)`,
  );
} finally {
  if (worker.pid) process.kill(-worker.pid, "SIGTERM");
  migrator.close();
  await proxy.stop();
  await sqld.stop();
  rmSync(folder, { recursive: true, force: true });
}
