/**
 * Results statistics of a test (CONTRACT §10), reduced from sums over its completions. Pure: the
 * sums come from SQL a page of completions at a time, and the reducer keeps only per-question,
 * per-variant and per-score counters, so its memory never grows with the number of completions.
 */
import type { QuestionType } from "../db/schema";

export const attemptsModes = ["latest", "best", "all"] as const;
/** Which completions count: each student's most recent, each student's best, or every one. */
export type AttemptsMode = (typeof attemptsModes)[number];

export const histogramBinCount = 10;

/** What the statistics need of a question. */
export interface StatisticsQuestion {
  id: number;
  numberInTest: number;
  type: QuestionType;
  points: number;
  variants: { id: number; text: string; isCorrect: boolean }[];
}

/** Sums over the answers to one question within a set of completions (absent answers add 0). */
export interface QuestionSums {
  questionId: number;
  answered: number;
  points: number;
  pointsSquared: number;
  /** Σ points × the completion's score: what the correlation with the rest of the score needs. */
  pointsTimesScore: number;
  casesPassed: number;
  casesRun: number;
}

/** Sums over a set of completions (a page of them): what the reducer adds up. */
export interface CompletionSums {
  /** How many completions have each score. */
  scores: { score: number; count: number }[];
  /** Any number of entries per question: they add up. */
  questions: QuestionSums[];
  /** How many answers picked each variant (radio and check). */
  picks: { variantId: number; count: number }[];
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

export interface ScoreStatistics {
  max_possible: number;
  mean: number | null;
  median: number | null;
  stdev: number | null;
  min: number | null;
  max: number | null;
  histogram: HistogramBin[];
}

export interface QuestionStatistics {
  question: number;
  number_in_test: number;
  type: QuestionType;
  points: number;
  answered: number;
  facility: number | null;
  discrimination: number | null;
  variants?: { id: number; text: string; is_correct: boolean; picked: number }[];
  cases_passed_rate?: number | null;
}

export interface TestStatistics {
  completions: number;
  students: number;
  score: ScoreStatistics;
  questions: QuestionStatistics[];
}

/** Rounded to 4 decimal places (the nearest of the double's exact decimal value). */
export function round4(value: number): number {
  const rounded = Number(value.toFixed(4));
  return rounded === 0 ? 0 : rounded;
}

/**
 * The bin of a score: bins are [from, to) over 0..maxPossible in tenths, the last one closed
 * ([from, maxPossible]); a score on an edge goes to the bin that starts there. With nothing to
 * score (maxPossible 0) every score is in the first bin.
 */
export function histogramBinOf(score: number, maxPossible: number): number {
  if (maxPossible <= 0) return 0;
  const bin = Math.floor((histogramBinCount * score) / maxPossible);
  return Math.min(histogramBinCount - 1, Math.max(0, bin));
}

/** Pearson's r from running sums, or null below two values or without variance on a side. */
function correlation(
  n: number,
  sums: { x: number; xx: number; y: number; yy: number; xy: number },
): number | null {
  if (n < 2) return null;
  // n² × the variances and covariance: whole numbers while the sums are, so exact here.
  const varianceX = n * sums.xx - sums.x * sums.x;
  const varianceY = n * sums.yy - sums.y * sums.y;
  if (varianceX <= 0 || varianceY <= 0) return null;
  const r = (n * sums.xy - sums.x * sums.y) / Math.sqrt(varianceX * varianceY);
  return Math.max(-1, Math.min(1, r));
}

type QuestionAccumulator = Omit<QuestionSums, "questionId">;

const summed = [
  "answered",
  "points",
  "pointsSquared",
  "pointsTimesScore",
  "casesPassed",
  "casesRun",
] as const satisfies (keyof QuestionAccumulator)[];

const emptyAccumulator = (): QuestionAccumulator =>
  Object.fromEntries(summed.map((key) => [key, 0])) as QuestionAccumulator;

/** Adds up `CompletionSums` pages, then turns the totals into the statistics. */
export class StatisticsReducer {
  readonly #questions: StatisticsQuestion[];
  readonly #byQuestion = new Map<number, QuestionAccumulator>();
  readonly #scoreCounts = new Map<number, number>();
  readonly #picks = new Map<number, number>();

  constructor(questions: StatisticsQuestion[]) {
    this.#questions = questions;
    for (const question of questions) this.#byQuestion.set(question.id, emptyAccumulator());
  }

  add(sums: CompletionSums): void {
    for (const { score, count } of sums.scores)
      this.#scoreCounts.set(score, (this.#scoreCounts.get(score) ?? 0) + count);
    for (const part of sums.questions) {
      const total = this.#byQuestion.get(part.questionId);
      if (total) for (const key of summed) total[key] += part[key];
    }
    for (const { variantId, count } of sums.picks)
      this.#picks.set(variantId, (this.#picks.get(variantId) ?? 0) + count);
  }

  /** The statistics of what was added; `students` counts the distinct students behind it. */
  result(students: number): TestStatistics {
    const scores = [...this.#scoreCounts.entries()].sort(([a], [b]) => a - b);
    const n = scores.reduce((sum, [, count]) => sum + count, 0);
    const scoreSum = scores.reduce((sum, [score, count]) => sum + score * count, 0);
    const scoreSquares = scores.reduce((sum, [score, count]) => sum + score * score * count, 0);
    const maxPossible = this.#questions.reduce((sum, question) => sum + question.points, 0);
    return {
      completions: n,
      students,
      score: {
        max_possible: maxPossible,
        mean: n === 0 ? null : round4(scoreSum / n),
        median: medianOf(scores, n),
        stdev:
          n === 0 ? null : round4(Math.sqrt(Math.max(0, n * scoreSquares - scoreSum ** 2)) / n),
        min: scores[0]?.[0] ?? null,
        max: scores.at(-1)?.[0] ?? null,
        histogram: histogramOf(scores, maxPossible),
      },
      questions: this.#questions.map((question) =>
        this.#questionStatistics(question, n, scoreSum, scoreSquares),
      ),
    };
  }

  #questionStatistics(
    question: StatisticsQuestion,
    n: number,
    scoreSum: number,
    scoreSquares: number,
  ): QuestionStatistics {
    const sums = this.#byQuestion.get(question.id) ?? emptyAccumulator();
    // The rest of the score, y = score − x, from the sums of x and of the score.
    const discrimination = correlation(n, {
      x: sums.points,
      xx: sums.pointsSquared,
      y: scoreSum - sums.points,
      yy: scoreSquares - 2 * sums.pointsTimesScore + sums.pointsSquared,
      xy: sums.pointsTimesScore - sums.pointsSquared,
    });
    const statistics: QuestionStatistics = {
      question: question.id,
      number_in_test: question.numberInTest,
      type: question.type,
      points: question.points,
      answered: sums.answered,
      facility:
        n === 0 || question.points === 0 ? null : round4(sums.points / (n * question.points)),
      discrimination: discrimination === null ? null : round4(discrimination),
    };
    if (question.type === "radio" || question.type === "check") {
      statistics.variants = question.variants.map((variant) => ({
        id: variant.id,
        text: variant.text,
        is_correct: variant.isCorrect,
        picked: this.#picks.get(variant.id) ?? 0,
      }));
    }
    if (question.type === "code") {
      statistics.cases_passed_rate =
        sums.casesRun === 0 ? null : round4(sums.casesPassed / sums.casesRun);
    }
    return statistics;
  }
}

/** The middle score (the mean of the two middle ones for an even count), from sorted counts. */
function medianOf(sortedCounts: [number, number][], n: number): number | null {
  if (n === 0) return null;
  const valueAt = (position: number) => {
    let seen = 0;
    for (const [score, count] of sortedCounts) {
      seen += count;
      if (seen > position) return score;
    }
    throw new Error("position beyond the counts");
  };
  const lower = valueAt(Math.floor((n - 1) / 2));
  const upper = valueAt(Math.floor(n / 2));
  return round4((lower + upper) / 2);
}

function histogramOf(scoreCounts: [number, number][], maxPossible: number): HistogramBin[] {
  const bins = Array.from({ length: histogramBinCount }, (_, index) => ({
    from: round4((index * maxPossible) / histogramBinCount),
    to: round4(((index + 1) * maxPossible) / histogramBinCount),
    count: 0,
  }));
  for (const [score, count] of scoreCounts) {
    const bin = bins[histogramBinOf(score, maxPossible)];
    if (bin) bin.count += count;
  }
  return bins;
}
