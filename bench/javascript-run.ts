/**
 * CPU time of one JavaScript run in the slot process (quickjs-run.mjs): a new QuickJS WebAssembly
 * instance, the harness, the answer, the probes and the report — what each graded JavaScript
 * answer costs the runner's sandbox, without the API, the queue or the judge. Run with the slot
 * process's own Node flags (`npm run bench:javascript`).
 * Usage: npm run bench:javascript [-- --runs 500]
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { javascriptHarness } from "../src/grading/harness/javascript/index";
import { runProgram } from "../src/grading/harness/javascript/quickjs-run.mjs";
import { defaultLimits, type SandboxProgram } from "../src/grading/sandbox/sandbox";

const { values } = parseArgs({ options: { runs: { type: "string", default: "500" } } });
const runs = Number(values.runs);
const limits = defaultLimits(2000, 256);
const code = "function add(a, b) {\n  return a + b;\n}\n";
const testingCode = [
  "assert.strictEqual(add(1, 2), 3);",
  "assert.deepStrictEqual([add(2, 2), add(-1, 1)], [4, 0]);",
  "assert.equal(add('a', 'b'), 'ab');",
].join("\n");

const wasmModule = new WebAssembly.Module(
  readFileSync(createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm")),
);
const ending = (channel: string) => ({
  channel,
  stoppedFor: undefined,
  exitCode: 0,
  signal: null,
  stderrTail: "",
  timeLimitMs: limits.timeLimitMs,
});
const run = (program: SandboxProgram) => runProgram(wasmModule, program, limits);

const planning = javascriptHarness.planTests(testingCode);
if (planning.kind !== "run") throw new Error("the tests did not plan");
const teacher = await run(planning.program);
const planned = planning.readPlan(ending(teacher.channel));
if (planned.kind !== "plan") throw new Error("the teacher-only run failed");
const student = javascriptHarness.studentRun(code, planned.plan);
const report = javascriptHarness.judge(planned.plan, ending((await run(student)).channel));
if (report.passed !== report.total) throw new Error(`the answer failed: ${report.errors}`);

const cpu: number[] = [];
const wall: number[] = [];
const first = performance.now();
for (let index = 0; index < runs; index++) {
  const started = performance.now();
  cpu.push((await run(student)).cpuMs);
  wall.push(performance.now() - started);
}
const elapsed = performance.now() - first;
const at = (sorted: number[], share: number) => sorted[Math.floor(sorted.length * share)] ?? NaN;
const describe = (figures: number[]) => {
  const sorted = [...figures].sort((a, b) => a - b);
  return `median ${at(sorted, 0.5).toFixed(2)} ms, p90 ${at(sorted, 0.9).toFixed(2)} ms`;
};
console.log(`teacher-only run: ${teacher.cpuMs.toFixed(1)} ms of CPU (the first, engine cold)`);
console.log(`student run × ${runs}: CPU ${describe(cpu)}; wall ${describe(wall)}`);
console.log(
  `${(runs / (elapsed / 1000)).toFixed(0)} runs/s on one core; load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")}`,
);
