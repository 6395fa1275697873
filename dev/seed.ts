/**
 * `npm run seed -- --demo`: a demo organization in DATABASE_URL, made through the API with its
 * grader, and the sign-ins printed. `npm run seed`: the benchmark's data set instead
 * (1,000 students, 50 tests, 20,000 completions; bench/seed.ts).
 */
import { randomBytes } from "node:crypto";
import { seedCounts, seedDatabase, seedPassword } from "../bench/seed";
import { databaseUrlForDisplay, parseConfig } from "../src/config";
import { createJsonLogger } from "../src/logger";
import { openNodeApp } from "../src/node-server";
import { seedDemo } from "./demo-seed";
import { progress } from "./progress";

const config = parseConfig({
  ...process.env,
  // The seed signs everyone up from one place and waits for its code answers to be graded,
  // unless remote runners grade them (GRADING_CONCURRENCY=0): they report to the server.
  REGISTER_RATE_PER_HOUR: "100000",
  SUBMISSION_RATE_PER_MINUTE: "100000",
  GRADING_WAIT_MS: process.env.GRADING_CONCURRENCY === "0" ? "0" : "60000",
  JWT_SECRET: process.env.JWT_SECRET || randomBytes(32).toString("base64url"),
});
const database = databaseUrlForDisplay(config.databaseUrl);

if (process.argv.includes("--demo")) {
  progress(`demo: migrating ${database} and starting the grader`);
  const logger = createJsonLogger("warn", (line) => process.stderr.write(`${line}\n`));
  const node = await openNodeApp(config, logger, () => undefined);
  try {
    const password = `demo-${randomBytes(6).toString("base64url")}`;
    const seeded = await seedDemo(node.app, password).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
    console.log(`Demo organization "${seeded.organization}" in ${database}`);
    console.log(`Every demo account's password: ${seeded.password}\n`);
    for (const account of seeded.signIns)
      console.log(
        `  ${account.role.padEnd(8)} ${account.email.padEnd(24)} ${account.name}${account.group ? ` (${account.group})` : ""}`,
      );
    console.log("\nTests (open to students by link: GET /api/tests/p/<uuid>/):");
    for (const test of seeded.tests) console.log(`  ${test.name}: ${test.publicUuid}`);
    const { graded, grading } = seeded.completions;
    console.log(
      `\nCompletions: ${graded} graded${grading > 0 ? `, ${grading} still grading (finished by the server's runners)` : ""}`,
    );
  } finally {
    await node.close();
  }
} else {
  progress(
    `seeding ${database}: ${seedCounts.students} students, ${seedCounts.tests} tests, ${seedCounts.completions} completions …`,
  );
  const seeded = await seedDatabase(config.databaseUrl);
  console.log(`Seeded ${database}; password of every account: ${seedPassword}`);
  console.log(`  teacher ${seeded.teacherEmail}\n  student ${seeded.studentEmail} (… student999)`);
}
