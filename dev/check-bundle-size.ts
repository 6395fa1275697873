/** Fails when the Worker bundle is over our 400 KiB (gzipped) budget; prints its size. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const budgetBytes = 400 * 1024;
const folder = process.argv[2] ?? "dist/worker";
const files = readdirSync(folder, { recursive: true })
  .map((name) => join(folder, String(name)))
  .filter((path) => statSync(path).isFile() && !path.endsWith(".map"));
const raw = files.reduce((sum, path) => sum + statSync(path).size, 0);
const gzipped = files.reduce((sum, path) => sum + gzipSync(readFileSync(path)).length, 0);
console.log(
  `worker bundle: ${(raw / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped (budget ${budgetBytes / 1024} KiB)`,
);
if (gzipped > budgetBytes) {
  console.error("the Worker bundle is over budget");
  process.exit(1);
}
