/**
 * The order a student sees: a permutation seeded by numbers such as (student, test, attempt), so
 * it needs no storage, stays put for one attempt and differs across students and attempts. Not a
 * secret (the order reveals no answer), so a small fast hash and PRNG do.
 */

/** FNV-1a over the parts, then mulberry32: a PRNG in [0, 1). */
export function seededRandom(...parts: number[]): () => number {
  let state = 0x811c9dc5;
  for (const char of parts.join(":")) {
    state ^= char.charCodeAt(0);
    state = Math.imul(state, 0x01000193);
  }
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
