import { describe, expect, it } from "vitest";
import { seededRandom, shuffled } from "../src/domain/shuffle";

const items = Array.from({ length: 20 }, (_, index) => index);
const orderFor = (...seed: number[]) => shuffled(items, seededRandom(...seed));

describe("shuffled by a seed", () => {
  it("is a permutation and leaves its input alone", () => {
    const copy = [...items];
    expect([...orderFor(1, 2, 3)].sort((a, b) => a - b)).toEqual(copy);
    expect(items).toEqual(copy);
  });

  it("is the same for the same seed", () => {
    expect(orderFor(7, 11, 1)).toEqual(orderFor(7, 11, 1));
  });

  it("differs across students, tests and attempts", () => {
    const orders = [orderFor(7, 11, 1), orderFor(8, 11, 1), orderFor(7, 12, 1), orderFor(7, 11, 2)];
    expect(new Set(orders.map((order) => order.join())).size).toBe(4);
  });

  it("puts each item first about equally often over many seeds", () => {
    const firsts = new Map<number, number>();
    for (let student = 0; student < 4000; student++) {
      const first = orderFor(student, 5, 1)[0] as number;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect(firsts.size).toBe(20);
    for (const times of firsts.values()) expect(times).toBeGreaterThan(100);
  });
});
