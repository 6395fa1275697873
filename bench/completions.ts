/**
 * Scoring, export and statistics figures through the real app over a libSQL file (no network):
 * - time to submit and score a 100-question completion (no code questions);
 * - time, file size and extra memory to export 5,000 completions of a 20-question test;
 * - time, extra memory and the longest event-loop stall of a test's statistics over 5,000
 *   completions of one student, 5,000 (250 students × 20 attempts) and 20,000 (1,000 × 20), for
 *   each `?attempts`.
 */
import { cpus, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { call } from "../tests/helpers/api";
import { createTestApp } from "../tests/helpers/app";
import {
  createGroup,
  createOrganization,
  registerUser,
  sampleQuestions,
} from "../tests/helpers/fixtures";
import { sampleAnswers, teacherViewOf } from "../tests/helpers/submit";
import { seedAttempts } from "./seed-attempts";

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `count` questions cycling through radio, check and text (code needs the grader). */
function questionsWithoutCode(count: number) {
  const templates = sampleQuestions().slice(0, 3);
  return Array.from({ length: count }, (_, index) => ({
    ...structuredClone(templates[index % templates.length]),
    text: `Question ${index}`,
    number_in_test: index,
  }));
}

const t = await createTestApp();
const teacher = await registerUser(t, { is_teacher: true });
const organization = await createOrganization(t, teacher);
const student = await registerUser(t, { organization_id: organization.id });

async function openTest(questionCount: number) {
  const created = await call(t, "POST", "/api/tests/", {
    auth: teacher.auth,
    json: { name: `Bench ${questionCount}`, questions: questionsWithoutCode(questionCount) },
  });
  const group = await createGroup(t, teacher, [student]);
  await call(t, "POST", `/api/tests/${created.body.id}/allow_for_group/`, {
    auth: teacher.auth,
    json: { group: group.id },
  });
  return teacherViewOf(t, teacher, created.body.id);
}

const big = await openTest(100);
const bigAnswers = sampleAnswers(big, true);
const submitMs: number[] = [];
for (let run = 0; run < 50; run++) {
  const started = performance.now();
  const response = await call(t, "POST", "/api/completions/", {
    auth: student.auth,
    json: { test: big.public_uuid, answers: bigAnswers },
  });
  submitMs.push(performance.now() - started);
  if (response.status !== 201)
    throw new Error(`submit failed: ${response.status} ${response.text}`);
}

const exported = await openTest(20);
const exportAnswers = sampleAnswers(exported, true);
const seedStarted = performance.now();
for (let i = 0; i < 5000; i++) {
  await call(t, "POST", "/api/completions/", {
    auth: student.auth,
    json: { test: exported.public_uuid, answers: exportAnswers },
  });
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

global.gc?.();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const exportStarted = performance.now();
const response = await t.app.request(
  `/api/tests/${exported.id}/completions/export/?token=${teacher.access}`,
);
const bytes = (await response.arrayBuffer()).byteLength;
const exportMs = performance.now() - exportStarted;
clearInterval(sampler);

/** Runs `request` `runs` times: wall and CPU time, peak RSS over the baseline, longest stall. */
async function measure(request: () => Response | Promise<Response>, runs = 5) {
  await (await request()).arrayBuffer();
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const watch = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  stalls.enable();
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`statistics failed: ${response.status}`);
    wallMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  stalls.disable();
  clearInterval(watch);
  return {
    wall: median(wallMs),
    cpu: median(cpuMs),
    extraRss: peak - rssBefore,
    stallMs: stalls.max / 1e6,
  };
}

const statisticsSeedStarted = performance.now();
// One student who kept trying (every probe for a later or better attempt meets 5,000), then classes.
const classes: { students: number; attempts: number; testId: number; completions: number }[] = [];
for (const [students, attempts] of [
  [1, 5000],
  [250, 20],
  [1000, 20],
] as const) {
  const seeded = await seedAttempts(t.store, {
    teacherId: teacher.id,
    organizationId: organization.id,
    students,
    attempts,
  });
  classes.push({ students, attempts, ...seeded });
}
const statisticsSeedSeconds = (performance.now() - statisticsSeedStarted) / 1000;
const statisticsRows: string[] = [];
for (const seeded of classes) {
  for (const attempts of ["latest", "best", "all"]) {
    const path = `/api/tests/${seeded.testId}/statistics/?attempts=${attempts}`;
    const figures = await measure(() =>
      t.app.request(path, { headers: { authorization: `Bearer ${teacher.access}` } }),
    );
    statisticsRows.push(
      `| ${seeded.completions.toLocaleString("en")} (${seeded.students.toLocaleString("en")} × ${seeded.attempts.toLocaleString("en")}) | ${attempts} | ${figures.wall.toFixed(0)} | ${figures.cpu.toFixed(0)} | +${mib(figures.extraRss)} | ${figures.stallMs.toFixed(0)} |`,
    );
  }
}
const largest = classes.at(-1);
const histogram = await measure(() =>
  t.app.request(`/api/tests/${largest?.testId}/statistics/histogram.svg?attempts=all`, {
    headers: { authorization: `Bearer ${teacher.access}` },
  }),
);
await t.close();

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(" / ")} (1 / 5 / 15 min, at the end)`,
);
console.log(
  `submit + score a 100-question completion: median ${median(submitMs).toFixed(1)} ms over ${submitMs.length} runs`,
);
console.log(
  `seeded 5,000 completions of a 20-question test in ${seedSeconds.toFixed(1)} s (${(5000 / seedSeconds).toFixed(0)}/s, sequential)`,
);
console.log(
  `export 5,000 completions: ${(exportMs / 1000).toFixed(2)} s, ${mib(bytes)} file, peak RSS +${mib(peakRss - baseline.rss)}`,
);
console.log(
  `\nstatistics (seeded ${classes.map((c) => c.completions.toLocaleString("en")).join(" + ")} completions in ${statisticsSeedSeconds.toFixed(0)} s); medians of 5 runs:`,
);
console.log(
  "| completions (students × attempts) | ?attempts | wall ms | CPU ms | peak RSS | longest stall ms |",
);
console.log("|---|---|---|---|---|---|");
for (const row of statisticsRows) console.log(row);
console.log(
  `histogram.svg over ${largest?.completions.toLocaleString("en")} completions (?attempts=all): ${histogram.wall.toFixed(0)} ms, CPU ${histogram.cpu.toFixed(0)} ms, peak RSS +${mib(histogram.extraRss)}`,
);
