/**
 * `npm run bench:classroom [-- --url http://127.0.0.1:8787]`: a class against a running API
 * (`npm run dev` by default): 50 students, then three rounds of 150 requests in flight at once —
 * each student opens the test, signs in again and submits an answer with code — then one more
 * request. Prints each round's statuses and latencies; exits non-zero unless every answer is 2xx.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    students: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const base = values.url as string;
const password = "classroom password";
const run = crypto.randomUUID().slice(0, 8);

async function api(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function must(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
) {
  const response = await api(method, path, body, token, headers);
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/**
 * Registers and signs in. Registrations are limited per client address (30 an hour): each comes
 * from an address of its own, which a local Worker takes from CF-Connecting-IP (Cloudflare sets
 * that header itself in production). The measured rounds all come from one address, as a school's.
 */
async function account(email: string, extra: Record<string, unknown>, address: string) {
  const user = await must(
    "POST",
    "/api/users/",
    { email, password, first_name: "Class", last_name: "Room", ...extra },
    undefined,
    { "cf-connecting-ip": address },
  );
  const tokens = await must("POST", "/api/users/token/obtain/", { email, password });
  return { id: user.id as number, email, access: tokens.access as string };
}

const teacher = await account(`teacher.${run}@class.example`, { is_teacher: true }, "198.51.100.1");
const organization = await must(
  "POST",
  "/api/organizations/",
  { name: `Class ${run}` },
  teacher.access,
);
const students = await Promise.all(
  Array.from({ length: Number(values.students) }, (_, i) =>
    account(
      `s${i}.${run}@class.example`,
      { organization_id: organization.id },
      `198.51.${100 + Math.floor(i / 250)}.${2 + (i % 250)}`,
    ),
  ),
);
const group = await must("POST", "/api/groups/", { name: `Group ${run}` }, teacher.access);
for (const student of students)
  await must("POST", `/api/groups/${group.id}/add_user/`, { user: student.id }, teacher.access);
const test = await must(
  "POST",
  "/api/tests/",
  {
    name: `Classroom ${run}`,
    questions: [
      {
        text: "2 + 2",
        type: "radio",
        body: { variants: [{ text: "4", is_correct: true }, { text: "5" }] },
      },
      { text: "add", type: "code", points: 2, body: { testing_code: "assert add(1, 2) == 3" } },
    ],
  },
  teacher.access,
);
await must("POST", `/api/tests/${test.id}/allow_for_group/`, { group: group.id }, teacher.access);
const [radio, code] = test.questions;
const answers = [
  { question: radio.id, body: { picked_variant: { id: radio.body.variants[0].id } } },
  { question: code.id, body: { code: "def add(a, b):\n    return a + b\n" } },
];

async function timed(kind: string, request: Promise<{ status: number }>) {
  const started = performance.now();
  const { status } = await request;
  return { kind, status, ms: performance.now() - started };
}

let failures = 0;
for (let round = 1; round <= Number(values.rounds); round++) {
  const started = performance.now();
  const results = await Promise.all(
    students.flatMap((student) => [
      timed("open", api("GET", `/api/tests/p/${test.public_uuid}/`, undefined, student.access)),
      timed("sign in", api("POST", "/api/users/token/obtain/", { email: student.email, password })),
      timed(
        "submit",
        api("POST", "/api/completions/", { test: test.public_uuid, answers }, student.access),
      ),
    ]),
  );
  const statuses: Record<number, number> = {};
  for (const { status } of results) statuses[status] = (statuses[status] ?? 0) + 1;
  failures += results.filter(({ status }) => status >= 300).length;
  const latency = (kind: string) => {
    const sorted = results
      .filter((r) => r.kind === kind)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    return `${kind} p50 ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`;
  };
  console.log(
    `round ${round}: ${results.length} requests in ${Math.round(performance.now() - started)} ms, statuses ${JSON.stringify(statuses)}; ${["open", "sign in", "submit"].map(latency).join("; ")}`,
  );
}
const next = await api("GET", "/api/organizations/");
console.log(`the next request: ${next.status}`);
if (next.status !== 200) failures++;
process.exit(failures === 0 ? 0 : 1);
