/**
 * Grading figures for each sandbox backend and language:
 * - median wall time of grading one answer (the teacher-only run cached, as for every answer
 *   but a question's first), and its overhead over the bare interpreter (`python3`, `node`)
 *   running the answer and the tests as one plain script — the floor of any grader;
 * - the teacher-only run itself (paid once per question revision);
 * - answers graded per second through the real queue and runner pool (one runner per core): one
 *   student's answers, and a classroom's (30 students × 10 answers, submitted at once).
 * - where the CPU of each graded answer goes: the API's main thread, its other threads (the judge),
 *   the sandboxes (launchers, fork servers and their children).
 * Usage: npm run bench:grading [-- --backends bwrap,pyodide] [--languages python,javascript]
 *   [--profile <folder>] (a .cpuprofile of the main thread per throughput run)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { progress } from "../dev/progress";
import { Grader } from "../src/grading/grader";
import type { CodeLanguage } from "../src/grading/languages";
import { RunnerPool } from "../src/grading/runner";
import { nodeBinary, systemPython } from "../src/grading/sandbox/interpreters";
import { childrenOf, runProcess } from "../src/grading/sandbox/process";
import { defaultLimits } from "../src/grading/sandbox/sandbox";
import { createSandboxes, type SandboxKind } from "../src/grading/sandbox/select";
import { createJsonLogger } from "../src/logger";
import { call } from "../tests/helpers/api";
import { createTestApp } from "../tests/helpers/app";
import { createGroup, createOrganization, registerUser } from "../tests/helpers/fixtures";

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "bwrap,pyodide" },
    languages: { type: "string", default: "python,javascript" },
    /** A folder for CPU profiles of the API's main thread while the runners grade. */
    profile: { type: "string" },
  },
});
const backends = (values.backends ?? "").split(",").filter(Boolean) as SandboxKind[];
const languages = (values.languages ?? "").split(",").filter(Boolean) as CodeLanguage[];
const limits = defaultLimits(2000, 256);

/** The same small answer in each language, and the bare interpreter running it with its tests. */
const answers: Record<CodeLanguage, { code: string; testingCode: string; bare: string[] }> = {
  python: {
    code: "def add(a, b):\n    return a + b\n",
    testingCode: "assert add(1, 2) == 3\nassert add(-1, 1) == 0",
    bare: [systemPython, "-I", "-S", "-B", "-c"],
  },
  javascript: {
    code: "function add(a, b) {\n  return a + b;\n}\n",
    testingCode: "assert.strictEqual(add(1, 2), 3);\nassert.strictEqual(add(-1, 1), 0);",
    bare: [nodeBinary, "-e"],
  },
};
const channelWrite: Record<CodeLanguage, string> = {
  python: 'open(3, "w").write("ok")',
  javascript: 'require("node:fs").writeSync(3, "ok");',
};
const assertImport: Record<CodeLanguage, string> = {
  python: "",
  javascript: 'const assert = require("node:assert");',
};
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function timeRuns(runs: number, once: () => Promise<unknown>): Promise<number> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  return median(times);
}

const bare = (language: CodeLanguage) => () => {
  const { code, testingCode, bare: command } = answers[language];
  const [binary, ...args] = command as [string, ...string[]];
  return runProcess({
    command: binary,
    args: [
      ...args,
      `${assertImport[language]}\n${code}\n${testingCode}\n${channelWrite[language]}`,
    ],
    stdin: { input: "" },
    limits,
  });
};

/** CPU seconds of a process's (or thread's) /proc stat: its own, and with `reaped` its waited-for
 * children's too. */
function statCpuSeconds(path: string, reaped: boolean): number {
  try {
    const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = [11, 12, ...(reaped ? [13, 14] : [])].reduce(
      (sum, index) => sum + Number(fields[index] ?? 0),
      0,
    );
    return ticks / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every live descendant of `pid` (the sandboxes: launchers, fork servers and
 * what they reaped). */
function descendantsCpuSeconds(pid: number): number {
  return childrenOf(pid).reduce(
    (sum, child) =>
      sum + statCpuSeconds(`/proc/${child}/stat`, true) + descendantsCpuSeconds(child),
    0,
  );
}

/** Where the CPU went so far: the API's main thread, its other threads (the judge, libuv), and
 * the sandboxes; and how long the main thread's event loop was busy (CPU, or blocked in a call). */
function cpuSplit() {
  const { user, system } = process.cpuUsage();
  const main = statCpuSeconds(`/proc/self/task/${process.pid}/stat`, false);
  return {
    mainBusy: performance.eventLoopUtilization().active / 1000,
    main,
    otherThreads: (user + system) / 1e6 - main,
    sandboxes: descendantsCpuSeconds(process.pid),
  };
}
type CpuSplit = ReturnType<typeof cpuSplit>;

const perAnswerMs = (before: CpuSplit, after: CpuSplit, answers: number) =>
  Object.fromEntries(
    (Object.keys(after) as (keyof CpuSplit)[]).map((key) => [
      key,
      Math.round(((after[key] - before[key]) * 1000 * 10) / answers) / 10,
    ]),
  ) as CpuSplit;

/** Starts the main thread's CPU profiler; the function returned writes the profile as `name`. */
async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async (name: string) => {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    const folder = values.profile as string;
    mkdirSync(folder, { recursive: true });
    writeFileSync(`${folder}/${name}.cpuprofile`, JSON.stringify(profile));
  };
}

/**
 * Answers per second through the API's queue and an in-process pool of `workers` runners:
 * `students` students of one group, `each` answers each, all submitted before grading starts.
 */
async function throughput(
  kind: SandboxKind,
  language: CodeLanguage,
  students: number,
  each: number,
  workers: number,
): Promise<{ perSecond: number; cpuMs: CpuSplit }> {
  const answer = answers[language];
  const t = await createTestApp({ runners: 0, env: { GRADING_WAIT_MS: "0", SANDBOX: kind } });
  const teacher = await registerUser(t, { is_teacher: true });
  const organization = await createOrganization(t, teacher);
  const members = await Promise.all(
    Array.from({ length: students }, () => registerUser(t, { organization_id: organization.id })),
  );
  const group = await createGroup(t, teacher, members);
  const created = await call(t, "POST", "/api/tests/", {
    auth: teacher.auth,
    json: {
      name: "Bench",
      questions: [
        { text: "add", type: "code", body: { testing_code: answer.testingCode, language } },
      ],
    },
  });
  await call(t, "POST", `/api/tests/${created.body.id}/allow_for_group/`, {
    auth: teacher.auth,
    json: { group: group.id },
  });
  const submit = async (student: (typeof members)[number]) => {
    const response = await call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: created.body.public_uuid,
        answers: [{ question: created.body.questions[0].id, body: { code: answer.code } }],
      },
    });
    if (response.status !== 201)
      throw new Error(`submission failed: ${response.status} ${response.text}`);
    return response.body.id as number;
  };
  const ids: number[] = [];
  for (let round = 0; round < each; round++) ids.push(...(await Promise.all(members.map(submit))));
  const pool = new RunnerPool(
    t.grading,
    await createSandboxes(kind, limits, workers),
    createJsonLogger("silent"),
  );
  const profiler = values.profile ? await startProfile() : undefined;
  const cpuBefore = cpuSplit();
  const started = performance.now();
  pool.start();
  for (const id of ids) {
    if (!(await t.grading.waitFor(id, 600_000))) throw new Error(`completion ${id} was not graded`);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = perAnswerMs(cpuBefore, cpuSplit(), ids.length);
  await profiler?.(`${kind}-${language}-${students}x${each}`);
  await pool.stop();
  await t.close();
  return { perSecond: ids.length / seconds, cpuMs };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
const workers = availableParallelism();
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, load average ${load()}`,
);
for (const language of languages) {
  const bareMs = await timeRuns(30, bare(language));
  const interpreter = language === "python" ? "python3" : "node";
  console.log(
    `${language}: bare ${interpreter} running the answer and the tests as one script: median ${bareMs.toFixed(1)} ms`,
  );
  const answer = { ...answers[language], language };
  for (const kind of backends) {
    progress(`bench: ${language} in the ${kind} sandbox …`);
    const [sandbox] = await createSandboxes(kind, limits, 1);
    if (!sandbox) throw new Error("no sandbox");
    const slow = kind === "pyodide" && language === "python";
    const runs = slow ? 10 : 60;
    const grader = new Grader(sandbox);
    const oneMs = await timeRuns(runs, () => grader.grade(answer));
    let question = 0;
    const comment = language === "python" ? "#" : "//";
    // A grader (and judge thread) of its own per question, stopped after it: none is left to
    // spend CPU in the throughput runs.
    const teacherMs = await timeRuns(Math.ceil(runs / 3), async () => {
      const fresh = new Grader(sandbox);
      await fresh.grade({
        ...answer,
        testingCode: `${answer.testingCode}\n${comment} ${question++}`,
      });
      await fresh.close();
    });
    await grader.close();
    const oneStudent = await throughput(kind, language, 1, slow ? 30 : 300, workers);
    const classroom = await throughput(kind, language, slow ? 10 : 30, slow ? 3 : 10, workers);
    sandbox.close?.();
    const cpu = ({ mainBusy, main, otherThreads, sandboxes }: CpuSplit) =>
      `API main thread ${main} ms (its event loop busy ${mainBusy} ms), its other threads ${otherThreads} ms, sandboxes ${sandboxes} ms`;
    console.log(
      `${language.padEnd(10)} ${kind.padEnd(7)} one answer: median ${oneMs.toFixed(1)} ms (overhead over bare ${interpreter}: ${(oneMs - bareMs).toFixed(1)} ms); ` +
        `a question's first answer (with its teacher-only run): ${teacherMs.toFixed(1)} ms; ` +
        `with ${workers} runners: one student's ${slow ? 30 : 300} answers ${oneStudent.perSecond.toFixed(1)} answers/s, ` +
        `a classroom (${slow ? "10 students × 3" : "30 students × 10"} answers at once) ${classroom.perSecond.toFixed(1)} answers/s; load average ${load()}`,
    );
    console.log(
      `${language.padEnd(10)} ${kind.padEnd(7)} CPU per graded answer: one student: ${cpu(oneStudent.cpuMs)}; classroom: ${cpu(classroom.cpuMs)}`,
    );
  }
}
