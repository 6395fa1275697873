// What the Workers tests import from @cloudflare/vitest-pool-workers, typed for the project's one
// tsconfig (its own declaration needs the full @cloudflare/workers-types globals, which clash with
// Node's), with the bindings vitest.config.ts gives the Worker under test.
declare module "cloudflare:test" {
  import type { DurableObjectState, DurableObjectStub } from "@cloudflare/workers-types";
  import type { Env } from "../../src/worker";

  export const env: Env & {
    NODE_API_URL: string;
    GRADER_URL: string;
    RUNNER_TOKEN: string;
  };

  /** The Worker under test, called in the tests' own isolate. */
  export const SELF: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };

  export function runInDurableObject<O, R>(
    stub: DurableObjectStub,
    callback: (instance: O, state: DurableObjectState) => R | Promise<R>,
  ): Promise<R>;

  export function runDurableObjectAlarm(stub: DurableObjectStub): Promise<boolean>;
}
