interface Window {
  count: number;
  resetAtMs: number;
}

/** A slot taken from a limiter's window (see `RateLimiter.take`). */
export interface Slot {
  release(): void;
}

/**
 * Fixed-window request counting per key, in memory: per process on Node, per isolate on Workers.
 * Bounded: when full, expired windows are dropped, then the oldest.
 */
export class RateLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one request for `key`; says whether it is allowed and what is left. */
  hit(key: string, nowMs: number): { allowed: boolean; remaining: number; resetSeconds: number } {
    let window = this.#windows.get(key);
    if (!window || window.resetAtMs <= nowMs) {
      if (!window && this.#windows.size >= this.maxKeys) this.#evict(nowMs);
      window = { count: 0, resetAtMs: nowMs + this.windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.resetAtMs - nowMs) / 1000)),
    };
  }

  /**
   * Takes one of the window's slots for `key` when one is left; a refused take counts nothing.
   * `release` gives the slot back (within the same window), for work that turned out not to count.
   */
  take(key: string, nowMs: number): Slot | { retryAfterSeconds: number } {
    const retryAfterSeconds = this.retryAfterSeconds(key, nowMs);
    if (retryAfterSeconds > 0) return { retryAfterSeconds };
    this.hit(key, nowMs);
    const window = this.#windows.get(key);
    return {
      release: () => {
        if (window && this.#windows.get(key) === window && window.count > 0) window.count -= 1;
      },
    };
  }

  /** Seconds until `key` is under its limit again, or 0 when it is now; counts nothing. */
  retryAfterSeconds(key: string, nowMs: number): number {
    const window = this.#windows.get(key);
    if (!window || window.resetAtMs <= nowMs || window.count < this.limit) return 0;
    return Math.max(1, Math.ceil((window.resetAtMs - nowMs) / 1000));
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  #evict(nowMs: number) {
    for (const [key, window] of this.#windows)
      if (window.resetAtMs <= nowMs) this.#windows.delete(key);
    const oldest = this.#windows.keys().next();
    if (this.#windows.size >= this.maxKeys && !oldest.done) this.#windows.delete(oldest.value);
  }
}
