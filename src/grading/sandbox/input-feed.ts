import type { Writable } from "node:stream";
import type { ProgramInput } from "./sandbox";

/**
 * Writes a program's input: all of `input` at once, then each continuation once every line it
 * waits for has begun on the channel (in order), or everything left when a line begins with one
 * of `releaseAllOn`; ends stdin after the last. Reads only the first bytes of each channel line.
 */
export class InputFeed {
  readonly #waits: Map<string, number>;
  readonly #releaseAll: Set<string>;
  readonly #lengths: number[];
  readonly #missing: number[];
  readonly #head: number[] = [];
  #next = 0;

  constructor(
    private readonly stdin: Writable,
    private readonly program: ProgramInput,
  ) {
    const continuations = program.continuations ?? [];
    this.#waits = new Map(
      continuations.flatMap((continuation, index) =>
        continuation.after.map((prefix) => [prefix, index] as [string, number]),
      ),
    );
    this.#missing = continuations.map((continuation) => new Set(continuation.after).size);
    this.#releaseAll = new Set(program.releaseAllOn ?? []);
    this.#lengths = [
      ...new Set([...this.#waits.keys(), ...this.#releaseAll].map((prefix) => prefix.length)),
    ];
    stdin.write(program.input);
    this.#release();
  }

  get #finished() {
    return this.#next >= (this.program.continuations?.length ?? 0);
  }

  /** Some of what the program wrote on its channel. */
  seen(chunk: Buffer): void {
    if (this.#finished) return;
    const longest = Math.max(0, ...this.#lengths);
    for (const byte of chunk) {
      if (byte === 0x0a) {
        this.#line(String.fromCharCode(...this.#head));
        this.#head.length = 0;
        if (this.#finished) return;
      } else if (this.#head.length < longest) this.#head.push(byte);
    }
  }

  #line(head: string) {
    for (const length of this.#lengths) {
      const prefix = head.slice(0, length);
      if (this.#releaseAll.has(prefix)) {
        this.#next = Number.POSITIVE_INFINITY;
        for (const continuation of this.program.continuations ?? [])
          this.stdin.write(continuation.input);
        this.stdin.end();
        return;
      }
      const waiting = this.#waits.get(prefix);
      if (waiting !== undefined) {
        this.#waits.delete(prefix);
        this.#missing[waiting] = (this.#missing[waiting] ?? 1) - 1;
      }
    }
    this.#release();
  }

  #release() {
    const continuations = this.program.continuations ?? [];
    while (this.#next < continuations.length && this.#missing[this.#next] === 0) {
      this.stdin.write(continuations[this.#next]?.input ?? "");
      this.#next++;
    }
    if (this.#finished) this.stdin.end();
  }
}
