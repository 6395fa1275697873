import { env, SELF } from "cloudflare:test";
import type { TestApp } from "../helpers/app";

/** The Worker, reached through SELF, in the shape the shared request helpers expect. */
export const worker = {
  app: { request: (path: string, init?: RequestInit) => SELF.fetch(`http://worker${path}`, init) },
} as unknown as TestApp;

/** The Node build of the API, started by the global setup on the same database. */
export const nodeApi = {
  app: {
    request: (path: string, init?: RequestInit) =>
      fetch(`${workerEnv().NODE_API_URL}${path}`, init),
  },
} as unknown as TestApp;

export function workerEnv() {
  return env as unknown as { NODE_API_URL: string; GRADER_URL: string; RUNNER_TOKEN: string };
}
