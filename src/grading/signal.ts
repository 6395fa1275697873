/** Waiters woken all at once: "something changed, look again". Each wait also ends on a timeout or an abort. */
export class Signal {
  readonly #waiters = new Set<() => void>();

  wait(timeoutMs: number, abort?: AbortSignal): Promise<void> {
    // An abort event fires once: a signal aborted before the wait began would never end it.
    if (abort?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        abort?.removeEventListener("abort", wake);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      abort?.addEventListener("abort", wake);
      this.#waiters.add(wake);
    });
  }

  notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
