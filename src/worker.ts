/**
 * The Cloudflare Workers entry: the same app over libSQL's HTTP client (Turso), argon2id in
 * WebAssembly, and code grading through a Durable Object queue consumed by remote runners.
 */
import type {
  DurableObjectNamespace,
  DurableObjectState,
  Fetcher,
} from "@cloudflare/workers-types";
import { createClient } from "@libsql/client/web";
import argon2Wasm from "@phi-ag/argon2/argon2.wasm";
import { createApp } from "./app";
import { createWasmArgon2Hasher } from "./auth/wasm-argon2";
import { type Config, parseConfig } from "./config";
import { createStore, type Store } from "./db/client";
import {
  type DurableQueueDeps,
  durableGradingQueue,
  GradingQueueObjectBase,
} from "./grading/durable-queue";
import { leaseMsFor } from "./grading/lease";
import { workerClientAddress } from "./http/client-address";
import type { DocsAssetReader } from "./http/context";
import { createJsonLogger } from "./logger";
import { docsAssetsPath } from "./routes/docs";

export interface Env {
  GRADING_QUEUE: DurableObjectNamespace;
  /** The static assets of wrangler.toml: Swagger UI's files for the docs page. */
  ASSETS: Fetcher;
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  JWT_SECRET: string;
  RUNNER_TOKEN?: string;
  [variable: string]: unknown;
}

/** Settings are the Worker's string vars and secrets, parsed like Node's environment. */
function configOf(env: Env): Config {
  const strings = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
  return parseConfig({ NODE_ENV: "production", ...strings });
}

/**
 * One client per isolate, with no cap on calls in flight: the client's default cap (20) queues
 * further calls, which then start inside whichever request freed a slot and are cancelled when
 * that request ends — never releasing their slots, so the isolate hangs for good.
 */
function storeOf(config: Config): Store {
  return createStore(
    createClient({
      url: config.databaseUrl,
      authToken: config.databaseAuthToken,
      concurrency: Number.MAX_SAFE_INTEGER,
    }),
  );
}

/** The docs page's files from the static assets (which Cloudflare serves first anyway). */
function docsAssetsOf(assets: Fetcher): DocsAssetReader {
  return async (name) => {
    const response = await assets.fetch(`https://assets${docsAssetsPath}/${name}`);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  };
}

let app: Promise<ReturnType<typeof createApp>> | undefined;

/** One app per isolate, built on first request. */
function appFor(env: Env) {
  app ??= (async () => {
    const config = configOf(env);
    if (!config.jwtSecret) throw new Error("JWT_SECRET is required");
    return createApp({
      store: storeOf(config),
      passwords: await createWasmArgon2Hasher(argon2Wasm),
      grading: durableGradingQueue(env.GRADING_QUEUE),
      sandbox: "remote",
      config: { ...config, jwtSecret: config.jwtSecret },
      clock: { now: () => Date.now() },
      logger: createJsonLogger(config.logLevel),
      clientAddress: (c) => workerClientAddress(c.req.raw.headers, config.trustProxy),
      docsAssets: docsAssetsOf(env.ASSETS),
    });
  })();
  return app;
}

export default {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    return (await appFor(env)).fetch(request, env, ctx as never);
  },
};

/** The grading queue's Durable Object (binding GRADING_QUEUE). */
export class GradingQueue extends GradingQueueObjectBase<Env> {
  readonly #deps: DurableQueueDeps;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = configOf(env);
    this.#deps = {
      store: storeOf(config),
      leaseMs: config.gradingLeaseMs ?? leaseMsFor(config.sandboxTimeLimitMs),
    };
  }

  protected deps(): DurableQueueDeps {
    return this.#deps;
  }
}
