import { createMiddleware } from "hono/factory";
import { message } from "../i18n/messages";
import type { AppContext, AppEnv } from "./context";
import { ApiError } from "./errors";
import { RateLimiter } from "./rate-limiter";

/** The app's limiters (one set per app instance), built from configuration. */
export interface AbuseLimits {
  registrationsPerAddress: RateLimiter;
  submissionsPerUser: RateLimiter;
}

export function createAbuseLimits(config: {
  registrationsPerHour: number;
  submissionsPerMinute: number;
}): AbuseLimits {
  const minute = 60_000;
  return {
    registrationsPerAddress: new RateLimiter(config.registrationsPerHour, 60 * minute),
    submissionsPerUser: new RateLimiter(config.submissionsPerMinute, minute),
  };
}

export interface RateLimitRule {
  /** The limit's 429 message. */
  refusal: "too_many_registrations" | "too_many_submissions";
  limiter: (limits: AbuseLimits) => RateLimiter;
  /** The key to count under (a user, an address, an email); undefined skips counting. */
  key: (c: AppContext) => string | undefined | Promise<string | undefined>;
}

/** Counts one request under `key`; over the limit, 429 with `Retry-After`. Returns the count's state. */
function enforceRateLimit(
  c: AppContext,
  refusal: RateLimitRule["refusal"],
  limiter: RateLimiter,
  key: string,
) {
  const result = limiter.hit(key, c.var.deps.clock.now());
  if (!result.allowed) {
    throw new ApiError(
      429,
      { detail: message(refusal, { seconds: result.resetSeconds }) },
      {
        "Retry-After": String(result.resetSeconds),
        "RateLimit-Limit": String(limiter.limit),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": String(result.resetSeconds),
      },
    );
  }
  return { limit: limiter.limit, ...result };
}

/**
 * Route middleware: counts the request under each rule's key (over a limit: 429). Counted
 * responses carry `RateLimit-Limit/Remaining/Reset` of the tightest rule (IETF draft).
 */
export function rateLimit(...rules: RateLimitRule[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    let tightest: { limit: number; remaining: number; resetSeconds: number } | undefined;
    for (const rule of rules) {
      const key = await rule.key(c);
      if (key === undefined) continue;
      const result = enforceRateLimit(c, rule.refusal, rule.limiter(c.var.limits), key);
      if (!tightest || result.remaining < tightest.remaining) tightest = result;
    }
    await next();
    if (tightest) {
      c.header("RateLimit-Limit", String(tightest.limit));
      c.header("RateLimit-Remaining", String(tightest.remaining));
      c.header("RateLimit-Reset", String(tightest.resetSeconds));
    }
  });
}
