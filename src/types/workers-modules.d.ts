// What the Workers entry imports from workerd and its bundler, typed for the project's one tsconfig
// (the full @cloudflare/workers-types globals would clash with Node's).

declare module "cloudflare:workers" {
  import type { DurableObjectState } from "@cloudflare/workers-types";

  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}

declare module "*.wasm" {
  const compiled: WebAssembly.Module;
  export default compiled;
}
