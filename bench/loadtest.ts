/**
 * `npm run loadtest`: 500 virtual students open a test and submit it within one minute against a
 * real server (`src/node.ts`, in-process sandboxed grading), with code questions in the mix.
 * Then: every completion exists exactly once with a final score, and the server's memory is
 * back near where it started. Exits non-zero when a check fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { eq } from "drizzle-orm";
import { progress } from "../dev/progress";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import { openNodeStore } from "../src/db/node-database";
import { insertQuestions } from "../src/db/queries/tests";
import { groupMembers, groups, organizations, testGroups, tests, users } from "../src/db/schema";
import { generatePublicUuid } from "../src/domain/public-uuid";
import { residentMb as residentMbOf } from "../src/grading/sandbox/process";
import { startServer } from "./server-process";

const students = Number(process.env.LOADTEST_STUDENTS ?? 500);
const windowMs = 60_000;
const password = "load test password";

async function seed(databaseUrl: string) {
  const store = await openNodeStore(databaseUrl);
  const passwordHash = await nodeArgon2Hasher.hash(password);
  const publicUuid = generatePublicUuid();
  await store.transaction(async (tx) => {
    const [teacher] = await tx
      .insert(users)
      .values({
        email: "teacher@load.example",
        passwordHash,
        firstName: "T",
        lastName: "L",
        isTeacher: true,
      })
      .returning();
    if (!teacher) throw new Error("no teacher");
    const [organization] = await tx
      .insert(organizations)
      .values({ name: "Load school", ownerId: teacher.id })
      .returning();
    if (!organization) throw new Error("no organization");
    await tx.update(users).set({ organizationId: organization.id }).where(eq(users.id, teacher.id));
    const rows = await tx
      .insert(users)
      .values(
        Array.from({ length: students }, (_, i) => ({
          email: `s${i}@load.example`,
          passwordHash,
          firstName: `S${i}`,
          lastName: "L",
          organizationId: organization.id,
        })),
      )
      .returning({ id: users.id });
    const [group] = await tx
      .insert(groups)
      .values({ organizationId: organization.id, name: "Everyone" })
      .returning();
    if (!group) throw new Error("no group");
    await tx
      .insert(groupMembers)
      .values(rows.map((row) => ({ groupId: group.id, userId: row.id })));
    const [test] = await tx
      .insert(tests)
      .values({
        name: "Load test",
        creatorId: teacher.id,
        organizationId: organization.id,
        publicUuid,
      })
      .returning();
    if (!test) throw new Error("no test");
    await insertQuestions(tx, test.id, [
      ...Array.from({ length: 8 }, (_, i) => ({
        text: `Q${i}`,
        type: "radio" as const,
        points: 1,
        numberInTest: i,
        testingCode: null,
        strictScore: null,
        language: null,
        variants: [
          { text: "yes", isCorrect: true },
          { text: "no", isCorrect: false },
        ],
      })),
      {
        text: "add",
        type: "code",
        points: 5,
        numberInTest: 8,
        testingCode: "assert add(1, 2) == 3\nassert add(2, 2) == 4",
        strictScore: false,
        language: "python",
        variants: [],
      },
      {
        text: "mul",
        type: "code",
        points: 5,
        numberInTest: 9,
        testingCode: "assert mul(2, 3) == 6",
        strictScore: true,
        language: "python",
        variants: [],
      },
    ]);
    await tx.insert(testGroups).values({ testId: test.id, groupId: group.id });
  });
  await store.close();
  return publicUuid;
}

const serverEnv = {
  JWT_SECRET: "a-load-test-secret-that-is-long-enough",
  LOG_LEVEL: "info",
};

const residentMb = (pid: number) => residentMbOf(pid) ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ??
  0;

/** A request that a patient client retries: on a dropped connection, 429 or 503, after Retry-After. */
async function patiently(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, init);
      if ((response.status !== 429 && response.status !== 503) || attempt >= 10) return response;
      await sleep(Number(response.headers.get("retry-after") ?? 1) * 1000);
    } catch (error) {
      if (attempt >= 10) throw error;
      await sleep(500);
    }
  }
}

async function student(
  url: string,
  index: number,
  publicUuid: string,
  timings: Record<string, number[]>,
) {
  await sleep(Math.random() * (windowMs / 2));
  const time = async <T>(step: string, work: () => Promise<T>) => {
    const started = performance.now();
    const result = await work();
    timings[step] = [...(timings[step] ?? []), performance.now() - started];
    return result;
  };
  const json = { "content-type": "application/json" };
  const login = await time("sign in", () =>
    patiently(`${url}/api/users/token/obtain/`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: `s${index}@load.example`, password }),
    }),
  );
  if (!login.ok) throw new Error(`student ${index} could not sign in: ${login.status}`);
  const auth = { authorization: `Bearer ${((await login.json()) as { access: string }).access}` };
  const opened = await time("open the test", () =>
    patiently(`${url}/api/tests/p/${publicUuid}/`, { headers: auth }),
  );
  const test = (await opened.json()) as {
    questions: { id: number; type: string; body: { variants?: { id: number }[] } }[];
  };
  const answers = test.questions.map((question) =>
    question.type === "radio"
      ? {
          question: question.id,
          body: { picked_variant: { id: question.body.variants?.[index % 2]?.id } },
        }
      : {
          question: question.id,
          body: {
            code:
              index % 3 === 0
                ? "def add(a, b):\n    return a - b\ndef mul(a, b):\n    return a * b\n"
                : "def add(a, b):\n    return a + b\ndef mul(a, b):\n    return a * b\n",
          },
        },
  );
  const submitted = await time("submit", () =>
    patiently(`${url}/api/completions/`, {
      method: "POST",
      headers: { ...auth, ...json, "idempotency-key": `load-${index}` },
      body: JSON.stringify({ test: publicUuid, answers }),
    }),
  );
  if (submitted.status !== 201)
    throw new Error(
      `student ${index} could not submit: ${submitted.status} ${await submitted.text()}`,
    );
}

const folder = mkdtempSync(join(tmpdir(), "testit-load-"));
const databaseUrl = `file:${join(folder, "testit.db")}`;
progress(`load test: seeding ${students} students and a test with code questions …`);
const publicUuid = await seed(databaseUrl);
const { child, url } = await startServer("src/node.ts", databaseUrl, serverEnv);
const pid = child.pid as number;
const failures: string[] = [];
try {
  await fetch(`${url}/api/organizations/`);
  await sleep(1000);
  const rssStart = residentMb(pid);
  const timings: Record<string, number[]> = {};
  const started = performance.now();
  let finished = 0;
  progress(
    `load test: ${students} students open and submit the test within ${windowMs / 1000} s …`,
  );
  const ticker = setInterval(
    () => progress(`load test: ${finished} of ${students} students done`),
    5000,
  );
  const outcomes = await Promise.allSettled(
    Array.from({ length: students }, (_, i) =>
      student(url, i, publicUuid, timings).finally(() => finished++),
    ),
  );
  clearInterval(ticker);
  const submittedSeconds = (performance.now() - started) / 1000;
  for (const outcome of outcomes)
    if (outcome.status === "rejected") failures.push(String(outcome.reason));

  const database = createClient({ url: databaseUrl });
  const gradingStarted = performance.now();
  for (let poll = 0; ; poll++) {
    const { rows } = await database.execute(
      "select count(*) as n from completions where status = 'grading'",
    );
    if (Number(rows[0]?.n) === 0 || performance.now() - gradingStarted > 300_000) break;
    if (poll % 10 === 0) progress(`load test: ${rows[0]?.n} completions still grading`);
    await sleep(500);
  }
  const allGradedSeconds = (performance.now() - started) / 1000;
  const { rows: perStudent } = await database.execute(
    "select count(*) as students, sum(n = 1) as once, sum(n > 1) as more from (select user_id, count(*) as n from completions group by user_id)",
  );
  const { rows: states } = await database.execute(
    "select count(*) as total, sum(status = 'graded') as graded, sum(score is null) as unscored from completions",
  );
  const { rows: answersLeft } = await database.execute(
    "select count(*) as n from answers where is_correct is null",
  );
  database.close();
  await sleep(5000);
  const rssEnd = residentMb(pid);

  const counts = {
    ...(perStudent[0] as object),
    ...(states[0] as object),
    ungradedAnswers: Number(answersLeft[0]?.n),
  } as Record<string, number>;
  if (Number(counts.total) !== students)
    failures.push(`expected ${students} completions, found ${counts.total}`);
  if (Number(counts.once) !== students || Number(counts.more) !== 0)
    failures.push(`each student must have exactly one completion: ${JSON.stringify(counts)}`);
  if (Number(counts.graded) !== students || counts.ungradedAnswers !== 0)
    failures.push(`every completion must have its final score: ${JSON.stringify(counts)}`);
  if (rssEnd > rssStart * 1.5 + 64)
    failures.push(`memory did not come back: ${rssStart.toFixed(0)} → ${rssEnd.toFixed(0)} MiB`);

  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
  );
  console.log(
    `${students} students submitted within ${submittedSeconds.toFixed(1)} s; all graded after ${allGradedSeconds.toFixed(1)} s`,
  );
  for (const [step, values] of Object.entries(timings)) {
    console.log(
      `  ${step.padEnd(14)} p50 ${percentile(values, 0.5).toFixed(0)} ms, p95 ${percentile(values, 0.95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`,
    );
  }
  console.log(`completions: ${JSON.stringify(counts)}`);
  console.log(
    `server memory (RSS): ${rssStart.toFixed(0)} MiB before, ${rssEnd.toFixed(0)} MiB after`,
  );
} finally {
  child.kill("SIGTERM");
  await sleep(500);
  rmSync(folder, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`FAILED:\n${failures.slice(0, 10).join("\n")}`);
  process.exit(1);
}
console.log("load test passed: no lost or duplicated completion, every score final");
