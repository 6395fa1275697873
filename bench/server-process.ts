import { type ChildProcess, spawn } from "node:child_process";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { buildNode } from "../dev/build-node";
import { seedPassword } from "./seed";

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

/** The bench server's settings: grading off, abuse limits out of the way of one client's load. */
export const benchServerEnv = {
  JWT_SECRET: "a-benchmark-secret-that-is-long-enough",
  GRADING_CONCURRENCY: "0",
  ACCESS_TOKEN_TTL: "3600",
  // Throughput is measured from one client address and account: the abuse limits stay out of the way.
  LOGIN_MAX_FAILURES: "1000000",
  LOGIN_RATE_PER_MINUTE: "1000000",
  LOGIN_RATE_PER_ADDRESS_PER_MINUTE: "1000000",
  SUBMISSION_RATE_PER_MINUTE: "1000000",
};

export async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/users/token/obtain/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: seedPassword }),
  });
  if (!response.ok)
    throw new Error(`signing in ${email} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access: string }).access;
}

/** Answers to every question of a seeded test, as a student would send them. */
export function answersFor(test: {
  questions: { id: number; type: string; body: { variants?: { id: number }[] } }[];
}) {
  return test.questions.map((question) =>
    question.type === "radio"
      ? { question: question.id, body: { picked_variant: { id: question.body.variants?.[0]?.id } } }
      : question.type === "check"
        ? {
            question: question.id,
            body: {
              picked_variants: question.body.variants?.slice(0, 2).map(({ id }) => ({ id })),
            },
          }
        : { question: question.id, body: { picked_variant: { text: "Paris" } } },
  );
}
