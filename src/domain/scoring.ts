/**
 * Points per answer (CONTRACT §5). Pure: every function gets what it needs and returns the points,
 * always a whole number between 0 and the question's points.
 */

export interface Score {
  points: number;
  isCorrect: boolean;
}

const zero: Score = { points: 0, isCorrect: false };

/** Trim, collapse inner whitespace, NFKC and full case folding ("Straße" matches "STRASSE"). */
export function normalizeTextAnswer(text: string): string {
  return text
    .normalize("NFKC")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .trim()
    .replace(/\s+/gu, " ");
}

export function scoreRadio(points: number, picked: { isCorrect: boolean } | undefined): Score {
  return picked?.isCorrect ? { points, isCorrect: true } : zero;
}

export function scoreText(
  points: number,
  typed: string | undefined,
  acceptedAnswers: string[],
): Score {
  if (typed === undefined) return zero;
  const answer = normalizeTextAnswer(typed);
  if (answer === "") return zero;
  return acceptedAnswers.some((accepted) => normalizeTextAnswer(accepted) === answer)
    ? { points, isCorrect: true }
    : zero;
}

/**
 * Strict: all points for exactly the correct set. Not strict:
 * floor(P × max(0, correct picked − wrong picked) / number of correct variants).
 * Picks are a set: naming a variant twice counts once.
 */
export function scoreCheck(
  points: number,
  strict: boolean,
  pickedIds: Iterable<number>,
  variants: { id: number; isCorrect: boolean }[],
): Score {
  const picked = new Set(pickedIds);
  const correct = variants.filter((variant) => variant.isCorrect);
  const correctPicked = correct.filter((variant) => picked.has(variant.id)).length;
  const wrongPicked = variants.filter(
    (variant) => !variant.isCorrect && picked.has(variant.id),
  ).length;
  const exact = correctPicked === correct.length && wrongPicked === 0;
  if (strict || correct.length === 0) return exact ? { points, isCorrect: true } : zero;
  return {
    points: Math.floor((points * Math.max(0, correctPicked - wrongPicked)) / correct.length),
    isCorrect: exact,
  };
}

/** Code: strict needs every case passed and nothing raised; otherwise floor(P × passed / cases). */
export function scoreCode(
  points: number,
  strict: boolean,
  result: { passed: number; total: number; raised: boolean },
): Score {
  const { passed, total, raised } = result;
  const allPassed = total > 0 && passed === total && !raised;
  if (strict) return allPassed ? { points, isCorrect: true } : zero;
  if (total === 0) return zero;
  return { points: Math.floor((points * Math.min(passed, total)) / total), isCorrect: allPassed };
}
