import { type ChildProcess, spawn } from "node:child_process";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { buildNode } from "../dev/build-node";

/**
 * Bundles a server script (`src/node.ts`, `bench/server.ts`) as `npm start` does, starts the
 * bundle with plain `node` as its own process on a free port over `databaseUrl`, and resolves
 * once it logs "listening".
 */
export async function startServer(
  script: string,
  databaseUrl: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const bundle = join("dist", "bench", basename(script).replace(/\.ts$/, ".js"));
  await buildNode(script, bundle);
  const child = spawn(process.execPath, ["--enable-source-maps", bundle], {
    env: { ...process.env, PORT: "0", DATABASE_URL: databaseUrl, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.includes('"listening"')) resolve({ child, url: JSON.parse(line).url });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}
