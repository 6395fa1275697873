/**
 * How long the authoring API takes to create and read back a 200-question test, through the real
 * app over a libSQL file (no network). Prints medians of several runs.
 */
import { cpus } from "node:os";
import { call } from "../tests/helpers/api";
import { createTestApp } from "../tests/helpers/app";
import { createOrganization, registerUser, sampleQuestions } from "../tests/helpers/fixtures";

const runs = 15;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const t = await createTestApp();
const teacher = await registerUser(t, { is_teacher: true });
await createOrganization(t, teacher);
const templates = sampleQuestions();
const questions = Array.from({ length: 200 }, (_, index) => ({
  ...structuredClone(templates[index % templates.length]),
  text: `Question ${index}`,
  number_in_test: index,
}));

const createMs: number[] = [];
const readMs: number[] = [];
for (let run = 0; run < runs; run++) {
  let started = performance.now();
  const created = await call(t, "POST", "/api/tests/", {
    auth: teacher.auth,
    json: { name: `Bench ${run}`, questions },
  });
  createMs.push(performance.now() - started);
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  started = performance.now();
  await call(t, "GET", `/api/tests/${created.body.id}/`, { auth: teacher.auth });
  readMs.push(performance.now() - started);
}
await t.close();

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`,
);
console.log(
  `create a 200-question test (4 types, 300 variants): median ${median(createMs).toFixed(1)} ms over ${runs} runs`,
);
console.log(
  `read it back as its creator:                        median ${median(readMs).toFixed(1)} ms`,
);
