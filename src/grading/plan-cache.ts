import { createHash } from "node:crypto";
import type { CodeHarness, PlanOutcome } from "./harness/harness";

/**
 * Plans of the teacher-only run, per question revision (language, harness version and testing
 * code): the run doesn't depend on the answer, so each answer pays only for its own run.
 * Concurrent graders of the same question share one teacher run. Bounded, least recently used
 * out first.
 */
export class PlanCache {
  readonly #entries = new Map<string, Promise<PlanOutcome<unknown>>>();

  constructor(private readonly capacity = 128) {}

  async get<Plan>(
    harness: CodeHarness<Plan>,
    testingCode: string,
    plan: () => Promise<PlanOutcome<Plan>>,
  ): Promise<PlanOutcome<Plan>> {
    const key = createHash("sha256")
      .update(`${harness.language}\0${harness.version}\0${testingCode}`)
      .digest("hex");
    const cached = this.#entries.get(key) as Promise<PlanOutcome<Plan>> | undefined;
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const pending = plan();
    this.#entries.set(key, pending);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    try {
      const outcome = await pending;
      if (!outcome.cacheable) this.#forget(key, pending);
      return outcome;
    } catch (error) {
      this.#forget(key, pending);
      throw error;
    }
  }

  #forget(key: string, pending: Promise<unknown>) {
    if (this.#entries.get(key) === pending) this.#entries.delete(key);
  }
}
