import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInt = z.coerce.number().int().positive();

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z.string().min(1).default("file:data/testit.db"),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    ACCESS_TOKEN_TTL: positiveInt.default(300),
    REFRESH_TOKEN_TTL: positiveInt.default(86_400),
    REFRESH_TOKEN_ROTATION: booleanFlag.default(false),
    GRADING_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
    GRADING_CONCURRENCY: z.coerce.number().int().min(0).max(256).optional(),
    GRADING_LEASE_MS: z.coerce.number().int().min(500).optional(),
    SANDBOX: z.enum(["auto", "bwrap", "pyodide"]).default("auto"),
    SANDBOX_TIME_LIMIT_MS: z.coerce.number().int().min(100).max(10_000).default(2000),
    SANDBOX_MEMORY_MB: z.coerce.number().int().min(32).max(4096).default(256),
    RUNNER_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    MAX_BODY_BYTES: positiveInt.default(5 * 1024 * 1024),
    CORS_ORIGINS: z.string().default("*"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    LOGIN_MAX_FAILURES: positiveInt.default(5),
    LOGIN_MAX_FAILURES_PER_ADDRESS: positiveInt.default(100),
    TRUST_PROXY: z.coerce.number().int().min(0).max(32).default(0),
    LOGIN_RATE_PER_MINUTE: positiveInt.default(20),
    LOGIN_RATE_PER_ADDRESS_PER_MINUTE: positiveInt.default(600),
    REGISTER_RATE_PER_HOUR: positiveInt.default(30),
    SUBMISSION_RATE_PER_MINUTE: positiveInt.default(30),
    GRADING_MAX_PENDING_PER_USER: positiveInt.default(50),
    GRADING_QUEUE_CAPACITY: positiveInt.default(10_000),
    LOGIN_LOCKOUT_SECONDS: positiveInt.default(900),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.JWT_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["JWT_SECRET"],
        message: "is required when NODE_ENV=production",
      });
    }
  });

export type RawConfig = z.infer<typeof ConfigSchema>;

/** The names of every environment variable the configuration reads. */
export const configVariableNames = Object.keys(ConfigSchema.shape);

export interface Config {
  nodeEnv: RawConfig["NODE_ENV"];
  port: number;
  host: string;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  /** undefined means "generate a per-process secret" (development only). */
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshTokenRotation: boolean;
  gradingWaitMs: number;
  /** In-process runners; 0 leaves all grading to remote runners. Undefined: one per core. */
  gradingConcurrency: number | undefined;
  /** How long a runner may hold a job; undefined: derived from the time limit. */
  gradingLeaseMs: number | undefined;
  sandbox: RawConfig["SANDBOX"];
  sandboxTimeLimitMs: number;
  sandboxMemoryMb: number;
  runnerToken: string | undefined;
  maxBodyBytes: number;
  corsOrigins: "*" | string[];
  logLevel: RawConfig["LOG_LEVEL"];
  loginMaxFailures: number;
  /** Failed sign-ins from one client address per lockout window before it counts as noisy. */
  loginMaxFailuresPerAddress: number;
  loginLockoutSeconds: number;
  /** Sign-in attempts per email per minute. */
  loginRatePerMinute: number;
  /** Sign-in attempts per client address per minute before it counts as noisy. */
  loginRatePerAddressPerMinute: number;
  /** Reverse proxies in front of the server: the client address is this far from the right of X-Forwarded-For. */
  trustProxy: number;
  registerRatePerHour: number;
  submissionRatePerMinute: number;
  /** Code answers of one student waiting for the grader at once. */
  gradingMaxPendingPerUser: number;
  /** Jobs the grading queue holds before submissions with code answers get 503. */
  gradingQueueCapacity: number;
}

/** DATABASE_URL as it may be printed: without a user and password in it. */
export const databaseUrlForDisplay = (url: string) => url.replace(/\/\/[^@/]*@/, "//");

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Empty strings count as unset, so `PORT= npm start` behaves like no PORT at all. */
function withoutEmptyValues(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".")}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const raw = parsed.data;
  return {
    nodeEnv: raw.NODE_ENV,
    port: raw.PORT,
    host: raw.HOST,
    databaseUrl: raw.DATABASE_URL,
    databaseAuthToken: raw.DATABASE_AUTH_TOKEN,
    jwtSecret: raw.JWT_SECRET,
    accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL,
    refreshTokenRotation: raw.REFRESH_TOKEN_ROTATION,
    gradingWaitMs: raw.GRADING_WAIT_MS,
    gradingConcurrency: raw.GRADING_CONCURRENCY,
    gradingLeaseMs: raw.GRADING_LEASE_MS,
    sandbox: raw.SANDBOX,
    sandboxTimeLimitMs: raw.SANDBOX_TIME_LIMIT_MS,
    sandboxMemoryMb: raw.SANDBOX_MEMORY_MB,
    runnerToken: raw.RUNNER_TOKEN,
    maxBodyBytes: raw.MAX_BODY_BYTES,
    corsOrigins:
      raw.CORS_ORIGINS.trim() === "*"
        ? "*"
        : raw.CORS_ORIGINS.split(",")
            .map((origin) => origin.trim())
            .filter(Boolean),
    logLevel: raw.LOG_LEVEL,
    loginMaxFailures: raw.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerAddress: raw.LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginLockoutSeconds: raw.LOGIN_LOCKOUT_SECONDS,
    loginRatePerMinute: raw.LOGIN_RATE_PER_MINUTE,
    loginRatePerAddressPerMinute: raw.LOGIN_RATE_PER_ADDRESS_PER_MINUTE,
    trustProxy: raw.TRUST_PROXY,
    registerRatePerHour: raw.REGISTER_RATE_PER_HOUR,
    submissionRatePerMinute: raw.SUBMISSION_RATE_PER_MINUTE,
    gradingMaxPendingPerUser: raw.GRADING_MAX_PENDING_PER_USER,
    gradingQueueCapacity: raw.GRADING_QUEUE_CAPACITY,
  };
}
