import type { Context } from "hono";
import type { Authenticator, Caller } from "../auth/authenticator";
import type { PasswordHasher } from "../auth/passwords";
import type { TokenClaims } from "../auth/tokens";
import type { Config } from "../config";
import type { Store } from "../db/client";
import type { TestTreeCache } from "../db/queries/test-tree-cache";
import type { GradingQueue } from "../grading/queue";
import type { SandboxKind } from "../grading/sandbox/select";
import type { Language } from "../i18n/catalogue";
import type { Logger } from "../logger";
import type { AbuseLimits } from "./rate-limit";

export interface Clock {
  now(): number;
}

/** Serves the docs page's static files (Swagger UI) where the runtime has them. */
export type DocsAssetReader = (name: string) => Promise<Uint8Array | undefined>;

export type AppConfig = Config & { jwtSecret: string };

/** Everything the app needs from its runtime; `createApp` touches nothing else. */
export interface AppDeps {
  store: Store;
  passwords: PasswordHasher;
  /** Where code answers go to be graded (a local table in Node, a Durable Object in Workers). */
  grading: GradingQueue;
  /** Where this process grades code answers: in its own sandboxes, or only by remote runners. */
  sandbox: SandboxKind | "remote";
  config: AppConfig;
  clock: Clock;
  logger: Logger;
  /** The client's network address, for throttling; undefined where the runtime can't tell. */
  clientAddress(c: Context): string | undefined;
  docsAssets?: DocsAssetReader;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    auth: Authenticator;
    limits: AbuseLimits;
    testTrees: TestTreeCache;
    /**
     * Resolved once per request from Bearer or Basic; null for anonymous callers, and until the
     * handler reads it on routes where the handler reads the caller itself (`accessToken` set).
     */
    user: Caller | null;
    /** A checked access token whose caller the handler reads itself (see `readWithCaller`). */
    accessToken: TokenClaims | null;
    requestId: string;
    /** The language of this request's messages, from its Accept-Language (CONTRACT §12). */
    language: Language;
  };
}

export type AppContext = Context<AppEnv>;
