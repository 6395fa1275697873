/**
 * Fails when src/db/schema.ts has changes that no migration in drizzle/ carries: drizzle-kit
 * generates into a copy of drizzle/, and any file it adds there is a migration someone forgot.
 * (`drizzle-kit check` only checks the migrations against each other, not against the schema.)
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

// drizzle-kit takes `--out` relative to the working folder (it prefixes "./"), and exits 0 even
// when it fails: the copy lives in the git-ignored .scratch/, and its output is read for success.
mkdirSync(".scratch", { recursive: true });
const copy = mkdtempSync(join(".scratch", "migrations-"));
try {
  cpSync("drizzle", copy, { recursive: true });
  const before = new Set(readdirSync(copy, { recursive: true }).map(String));
  const run = spawnSync(
    "npx",
    [
      "drizzle-kit",
      "generate",
      "--dialect",
      "sqlite",
      "--schema",
      "src/db/schema.ts",
      "--out",
      copy,
      "--name",
      "missing",
    ],
    { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
  );
  const output = `${run.stdout}${run.stderr}`;
  const added = readdirSync(copy, { recursive: true })
    .map(String)
    .filter((name) => !before.has(name));
  if (added.length === 0 && !output.includes("No schema changes")) {
    console.error(`drizzle-kit generate did not run as expected:\n${output}`);
    process.exitCode = 1;
  } else if (added.length > 0) {
    const sql = added.filter((name) => name.endsWith(".sql"));
    console.error("src/db/schema.ts has changes without a migration: run npm run db:generate.");
    for (const name of sql) console.error(readFileSync(join(copy, name), "utf8"));
    process.exitCode = 1;
  } else {
    console.log("drizzle/ matches src/db/schema.ts");
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
