interface FailureWindow {
  failures: number;
  startedAtMs: number;
}

/**
 * Counts failed logins per key (an email, a client address) in a fixed window. Kept in memory:
 * per process on Node, per isolate on Workers — a speed bump for guessing, not an audit log.
 */
export class LoginThrottle {
  readonly #windows = new Map<string, FailureWindow>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxTrackedKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it is not throttled. */
  retryAfterSeconds(key: string, nowMs: number): number {
    const window = this.#current(key, nowMs);
    if (!window || window.failures < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((window.startedAtMs + this.windowMs - nowMs) / 1000));
  }

  recordFailure(key: string, nowMs: number): void {
    const window = this.#current(key, nowMs);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.maxTrackedKeys) this.#forgetExpired(nowMs);
    this.#windows.set(key, { failures: 1, startedAtMs: nowMs });
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  #current(key: string, nowMs: number): FailureWindow | undefined {
    const window = this.#windows.get(key);
    if (window && nowMs - window.startedAtMs >= this.windowMs) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  #forgetExpired(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (nowMs - window.startedAtMs >= this.windowMs) this.#windows.delete(key);
    }
    // Still full of live windows: drop the oldest rather than grow without bound.
    const oldest = this.#windows.keys().next();
    if (this.#windows.size >= this.maxTrackedKeys && !oldest.done)
      this.#windows.delete(oldest.value);
  }
}
