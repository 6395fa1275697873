import { tooManyRequests } from "../http/errors";
import { RateLimiter, type Slot } from "../http/rate-limiter";

export interface SignInLimits {
  /** Wrong passwords ever checked per email in a window (`LOGIN_MAX_FAILURES`). */
  maxFailuresPerEmail: number;
  /** Failed sign-ins from one client address in a window before it counts as noisy. */
  maxFailuresPerAddress: number;
  /** The window of both failure counts (`LOGIN_LOCKOUT_SECONDS`). */
  windowSeconds: number;
  /** Password checks per email per minute, right or wrong (`LOGIN_RATE_PER_MINUTE`). */
  checksPerEmailPerMinute: number;
  /** Password checks from one address per minute before it counts as noisy. */
  checksPerAddressPerMinute: number;
}

/** A password check the throttle let through: it ends as a failure, or gives its slots back. */
export interface SignInAttempt {
  failed(): void;
  /** The password was right (or the check could not run): nothing of it counts as a failure. */
  release(): void;
}

const minute = 60_000;

type Refusal = { retryAfterSeconds: number; waitable: boolean };

/**
 * Failed sign-ins, token obtain and Basic alike (CONTRACT §2), in memory (per process, per
 * isolate). An attempt takes its slot before the password is verified, so a burst of concurrent
 * guesses gets no more checks than a sequence would.
 *
 * - Per email: at most `maxFailuresPerEmail` wrong passwords are checked per window; beyond that
 *   429, for the right password too. A right password gives its slot back. While the slots are
 *   taken by checks still running, a new attempt waits for one of them to end instead of being
 *   refused: a client's parallel sign-ins are not turned away by each other.
 * - Per client address: a whole school may sign in from one address, so an address never stops
 *   anyone's sign-in by itself. Once it is *noisy* (many failures in the window, or many checks
 *   in a minute), each email that already failed from it gets no further check from it in the
 *   window (429); every other email is checked as usual, so someone else's right password from
 *   the same address still signs in.
 */
export class SignInThrottle {
  readonly #failuresPerEmail: RateLimiter;
  readonly #checksPerEmail: RateLimiter;
  readonly #failuresPerAddress: RateLimiter;
  readonly #checksPerAddress: RateLimiter;
  /** Failures of one email from one address: what a noisy address is refused on. */
  readonly #failuresPerAddressAndEmail: RateLimiter;
  /** Checks running per email, and the attempts waiting for one of them to end. */
  readonly #running = new Map<string, { checks: number; waiting: (() => void)[] }>();

  constructor(
    limits: SignInLimits,
    private readonly now: () => number,
  ) {
    const window = limits.windowSeconds * 1000;
    this.#failuresPerEmail = new RateLimiter(limits.maxFailuresPerEmail, window);
    this.#checksPerEmail = new RateLimiter(limits.checksPerEmailPerMinute, minute);
    this.#failuresPerAddress = new RateLimiter(limits.maxFailuresPerAddress, window);
    this.#checksPerAddress = new RateLimiter(limits.checksPerAddressPerMinute, minute);
    this.#failuresPerAddressAndEmail = new RateLimiter(1, window);
  }

  /** Lets one password check for `email` from `address` run, or throws 429 with `Retry-After`. */
  async begin(email: string, address: string | undefined): Promise<SignInAttempt> {
    const emailKey = email.trim().toLowerCase();
    for (;;) {
      const outcome = this.#tryBegin(emailKey, address);
      if (!("retryAfterSeconds" in outcome)) return outcome;
      const running = this.#running.get(emailKey);
      if (!outcome.waitable || !running) throw tooManyRequests(outcome.retryAfterSeconds);
      await new Promise<void>((resolve) => running.waiting.push(resolve));
    }
  }

  #tryBegin(emailKey: string, address: string | undefined): SignInAttempt | Refusal {
    const nowMs = this.now();
    const pairKey = address === undefined ? undefined : `${address} ${emailKey}`;
    const slots: Slot[] = [];
    const refuse = (retryAfterSeconds: number, waitable: boolean): Refusal => {
      for (const slot of slots) slot.release();
      return { retryAfterSeconds, waitable };
    };

    const noisyForSeconds = address === undefined ? 0 : this.#noisyForSeconds(address, nowMs);
    const oncePerPair = pairKey !== undefined && noisyForSeconds > 0;
    if (oncePerPair) {
      const pair = this.#failuresPerAddressAndEmail.take(pairKey, nowMs);
      if (!("release" in pair))
        return refuse(Math.min(pair.retryAfterSeconds, noisyForSeconds), true);
      slots.push(pair);
    }
    const failure = this.#failuresPerEmail.take(emailKey, nowMs);
    if (!("release" in failure)) return refuse(failure.retryAfterSeconds, true);
    slots.push(failure);
    // A check counts towards the per-minute rate whatever its outcome: that slot stays taken.
    const check = this.#checksPerEmail.take(emailKey, nowMs);
    if (!("release" in check)) return refuse(check.retryAfterSeconds, false);
    if (address !== undefined) this.#checksPerAddress.hit(address, nowMs);

    this.#started(emailKey);
    return {
      failed: () => {
        if (address !== undefined && pairKey !== undefined) {
          this.#failuresPerAddress.hit(address, this.now());
          if (!oncePerPair) this.#failuresPerAddressAndEmail.hit(pairKey, this.now());
        }
        this.#ended(emailKey);
      },
      release: () => {
        for (const slot of slots) slot.release();
        this.#ended(emailKey);
      },
    };
  }

  #started(emailKey: string) {
    const running = this.#running.get(emailKey);
    if (running) running.checks += 1;
    else this.#running.set(emailKey, { checks: 1, waiting: [] });
  }

  /** A check ended: whoever waited for a slot of this email tries again. */
  #ended(emailKey: string) {
    const running = this.#running.get(emailKey);
    if (!running) return;
    running.checks -= 1;
    const waiting = running.waiting.splice(0);
    if (running.checks === 0) this.#running.delete(emailKey);
    for (const wake of waiting) wake();
  }

  /** How long the address stays noisy (0: it is not). */
  #noisyForSeconds(address: string, nowMs: number): number {
    return Math.max(
      this.#failuresPerAddress.retryAfterSeconds(address, nowMs),
      this.#checksPerAddress.retryAfterSeconds(address, nowMs),
    );
  }
}
