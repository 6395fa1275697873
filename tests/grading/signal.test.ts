import { describe, expect, it } from "vitest";
import { Signal } from "../../src/grading/signal";

describe("Signal", () => {
  it("ends a wait whose abort signal was aborted before it began (a stopping runner)", async () => {
    const ended = await Promise.race([
      new Signal().wait(60_000, AbortSignal.abort()).then(() => "ended"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1000)),
    ]);
    expect(ended).toBe("ended");
  });

  it("ends waits on notify, on abort and on timeout", async () => {
    const signal = new Signal();
    const aborting = new AbortController();
    const waits = [signal.wait(60_000), signal.wait(60_000, aborting.signal), signal.wait(10)];
    aborting.abort();
    signal.notify();
    await expect(Promise.all(waits)).resolves.toHaveLength(3);
  });
});
