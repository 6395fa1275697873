import { describe, expect, it } from "vitest";
import {
  normalizeTextAnswer,
  scoreCheck,
  scoreCode,
  scoreRadio,
  scoreText,
} from "../src/domain/scoring";

describe("radio", () => {
  it.each([
    ["the correct variant", { isCorrect: true }, { points: 3, isCorrect: true }],
    ["a wrong variant", { isCorrect: false }, { points: 0, isCorrect: false }],
    ["nothing", undefined, { points: 0, isCorrect: false }],
  ])("scores %s", (_, picked, expected) => {
    expect(scoreRadio(3, picked)).toEqual(expected);
  });
});

describe("text", () => {
  const accepted = ["Paris", "Straße  des 17. Juni"];
  it.each([
    ["the same text", "Paris", 2],
    ["another case and surrounding spaces", "  pARIS \n", 2],
    ["collapsed inner whitespace", "straße des 17. juni", 2],
    ["full case folding (ß = SS)", "STRASSE DES 17. JUNI", 2],
    ["NFKC compatibility forms (full-width letters)", "Ｐａｒｉｓ", 2],
    ["an unknown text", "London", 0],
    ["a blank answer", "   ", 0],
    ["no answer", undefined, 0],
    ["a prefix of an accepted answer", "Par", 0],
  ])("scores %s", (_, typed, points) => {
    expect(scoreText(2, typed, accepted).points).toBe(points);
  });

  it("normalizes text the same way for both sides", () => {
    expect(normalizeTextAnswer("  Ａ\tb  C ")).toBe("a b c");
  });
});

describe("check", () => {
  // 3 correct (1, 2, 3) and 2 wrong (4, 5) variants; P = 7.
  const variants = [1, 2, 3, 4, 5].map((id) => ({ id, isCorrect: id <= 3 }));
  it.each([
    ["strict: exactly the correct set", true, [1, 2, 3], 7],
    ["strict: one correct missing", true, [1, 2], 0],
    ["strict: every box ticked", true, [1, 2, 3, 4, 5], 0],
    ["strict: no box", true, [], 0],
    ["not strict: exactly the correct set", false, [1, 2, 3], 7],
    ["not strict: two of three correct", false, [1, 2], 4],
    ["not strict: two correct and one wrong", false, [1, 2, 4], 2],
    ["not strict: every box ticked (3 − 2 = 1 of 3)", false, [1, 2, 3, 4, 5], 2],
    ["not strict: only wrong boxes never goes below zero", false, [4, 5], 0],
    ["not strict: no box", false, [], 0],
    ["not strict: a correct box named twice counts once", false, [1, 1, 1], 2],
    ["strict: duplicates of the correct set still match", true, [1, 2, 3, 3], 7],
  ])("%s", (_, strict, picked, points) => {
    expect(scoreCheck(7, strict, picked, variants).points).toBe(points);
  });

  it("marks only the exact set as correct, even when it earns partial points", () => {
    expect(scoreCheck(7, false, [1, 2], variants).isCorrect).toBe(false);
    expect(scoreCheck(7, false, [1, 2, 3], variants).isCorrect).toBe(true);
  });
});

describe("code", () => {
  it.each([
    ["strict: all cases pass", true, { passed: 4, total: 4, raised: false }, 5],
    ["strict: one case fails", true, { passed: 3, total: 4, raised: false }, 0],
    ["strict: all pass but the code raised", true, { passed: 4, total: 4, raised: true }, 0],
    ["not strict: three of four", false, { passed: 3, total: 4, raised: false }, 3],
    ["not strict: none", false, { passed: 0, total: 4, raised: true }, 0],
    ["no test cases at all", true, { passed: 0, total: 0, raised: false }, 0],
    ["not strict: no test cases at all", false, { passed: 0, total: 0, raised: false }, 0],
  ])("%s", (_, strict, result, points) => {
    expect(scoreCode(5, strict, result).points).toBe(points);
  });
});
