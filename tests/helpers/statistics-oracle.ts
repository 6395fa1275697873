import { expect } from "vitest";

/**
 * Test statistics computed the plain way, from every completion held in memory (two passes,
 * textbook formulas), to compare with what the API sums in SQL. Exact values, not rounded.
 */

export type Attempts = "latest" | "best" | "all";

export interface OracleQuestion {
  id: number;
  number_in_test: number;
  type: "radio" | "check" | "text" | "code";
  points: number;
  variants: { id: number; text: string; is_correct: boolean }[];
}

export interface OracleAnswer {
  points: number;
  answered: boolean;
  /** Variants picked (radio: at most one). */
  picks: number[];
  passed: number | null;
  total: number | null;
}

export interface OracleCompletion {
  id: number;
  student: number;
  /** Submission time, ms. */
  createdAt: number;
  answers: Map<number, OracleAnswer>;
}

const scoreOf = (completion: OracleCompletion) =>
  [...completion.answers.values()].reduce((sum, answer) => sum + answer.points, 0);

/** Whether `a` counts rather than `b` for their student: later, or (best) higher then later. */
function countsBefore(a: OracleCompletion, b: OracleCompletion, attempts: Attempts): boolean {
  const later = a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id > b.id;
  if (attempts === "best" && scoreOf(a) !== scoreOf(b)) return scoreOf(a) > scoreOf(b);
  return later;
}

export function selectCompletions(all: OracleCompletion[], attempts: Attempts) {
  if (attempts === "all") return all;
  const chosen = new Map<number, OracleCompletion>();
  for (const completion of all) {
    const current = chosen.get(completion.student);
    if (!current || countsBefore(completion, current, attempts))
      chosen.set(completion.student, completion);
  }
  return [...chosen.values()];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length < 2) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [i, x] of xs.entries()) {
    const y = ys[i] as number;
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[Math.floor(middle)] as number);
}

export function expectedStatistics(
  questions: OracleQuestion[],
  all: OracleCompletion[],
  attempts: Attempts,
) {
  const counted = selectCompletions(all, attempts);
  const scores = counted.map(scoreOf);
  const n = counted.length;
  const maxPossible = questions.reduce((sum, question) => sum + question.points, 0);
  const histogram = Array.from({ length: 10 }, (_, i) => {
    const from = (i * maxPossible) / 10;
    const to = ((i + 1) * maxPossible) / 10;
    const count =
      maxPossible === 0
        ? i === 0
          ? n
          : 0
        : scores.filter((s) => s >= from && (s < to || (i === 9 && s === maxPossible))).length;
    return { from, to, count };
  });
  return {
    completions: n,
    students: new Set(all.map((completion) => completion.student)).size,
    score: {
      max_possible: maxPossible,
      mean: n === 0 ? null : mean(scores),
      median: n === 0 ? null : median(scores),
      stdev: n === 0 ? null : Math.sqrt(mean(scores.map((s) => (s - mean(scores)) ** 2))),
      min: n === 0 ? null : Math.min(...scores),
      max: n === 0 ? null : Math.max(...scores),
      histogram,
    },
    questions: questions.map((question) => {
      const answers = counted.map((completion) => completion.answers.get(question.id));
      const points = answers.map((answer) => answer?.points ?? 0);
      const rest = counted.map((completion, i) => scoreOf(completion) - (points[i] as number));
      const graded = answers.filter(
        (answer) => answer?.total !== null && answer?.total !== undefined,
      );
      const casesRun = graded.reduce((sum, answer) => sum + (answer?.total ?? 0), 0);
      return {
        question: question.id,
        number_in_test: question.number_in_test,
        type: question.type,
        points: question.points,
        answered: answers.filter((answer) => answer?.answered).length,
        facility: n === 0 || question.points === 0 ? null : mean(points) / question.points,
        discrimination: pearson(points, rest),
        ...(question.type === "radio" || question.type === "check"
          ? {
              variants: question.variants.map((variant) => ({
                ...variant,
                picked: answers.filter((answer) => answer?.picks.includes(variant.id)).length,
              })),
            }
          : {}),
        ...(question.type === "code"
          ? {
              cases_passed_rate:
                casesRun === 0
                  ? null
                  : graded.reduce((sum, answer) => sum + (answer?.passed ?? 0), 0) / casesRun,
            }
          : {}),
      };
    }),
  };
}

export type ExpectedStatistics = ReturnType<typeof expectedStatistics>;

/** A figure rounded to 4 decimal places: on the 0.0001 grid, within half a step of the exact value. */
export function expectRounded(actual: unknown, exact: number | null, label: string) {
  if (exact === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(typeof actual, label).toBe("number");
  const value = actual as number;
  expect(Math.abs(value * 1e4 - Math.round(value * 1e4)), `${label} has 4 decimals`).toBeLessThan(
    1e-6,
  );
  expect(Math.abs(value - exact), `${label}: ${value} vs ${exact}`).toBeLessThanOrEqual(
    0.00005 + 1e-12,
  );
}

/** Every figure of the API's statistics against the plain computation. */
export function expectStatisticsToMatch(actual: unknown, expected: ExpectedStatistics) {
  const body = actual as ExpectedStatistics;
  expect(body.completions).toBe(expected.completions);
  expect(body.students).toBe(expected.students);
  const { score } = body;
  expect(score.max_possible).toBe(expected.score.max_possible);
  expect(score.min).toBe(expected.score.min);
  expect(score.max).toBe(expected.score.max);
  for (const key of ["mean", "median", "stdev"] as const)
    expectRounded(score[key], expected.score[key], `score.${key}`);
  expect(score.histogram).toHaveLength(10);
  for (const [i, bin] of expected.score.histogram.entries()) {
    const got = score.histogram[i];
    expect(got?.count, `bin ${i} count`).toBe(bin.count);
    expectRounded(got?.from, bin.from, `bin ${i} from`);
    expectRounded(got?.to, bin.to, `bin ${i} to`);
  }
  expect(body.questions).toHaveLength(expected.questions.length);
  for (const [i, question] of expected.questions.entries()) {
    const got = body.questions[i] as Record<string, unknown>;
    const { facility, discrimination, cases_passed_rate, ...exact } = question as Record<
      string,
      unknown
    >;
    expect(got, `question ${i}`).toMatchObject(exact);
    expect(Object.keys(got).sort(), `question ${i} keys`).toEqual(Object.keys(question).sort());
    expectRounded(got.facility, facility as number | null, `question ${i} facility`);
    expectRounded(
      got.discrimination,
      discrimination as number | null,
      `question ${i} discrimination`,
    );
    if ("cases_passed_rate" in question)
      expectRounded(
        got.cases_passed_rate,
        cases_passed_rate as number | null,
        `question ${i} cases`,
      );
  }
}

/** The oracle's view of completions as the creator lists them (`GET /api/tests/{id}/completions/`). */
export function fromTeacherCompletions(
  list: {
    id: number;
    user: { id: number };
    created_at: string;
    answers: {
      question: number;
      points: number;
      body: {
        picked_variant?: { id?: number; text: string };
        picked_variants?: { id: number }[];
        code?: string;
        passed?: number | null;
        total?: number | null;
      };
    }[];
  }[],
): OracleCompletion[] {
  return list.map((completion) => ({
    id: completion.id,
    student: completion.user.id,
    createdAt: Date.parse(completion.created_at),
    answers: new Map(
      completion.answers.map(({ question, points, body }) => {
        const picks = [
          ...(body.picked_variant?.id === undefined ? [] : [body.picked_variant.id]),
          ...(body.picked_variants ?? []).map((variant) => variant.id),
        ];
        const typed = body.picked_variant?.id === undefined ? body.picked_variant?.text : undefined;
        const answered =
          picks.length > 0 || (typed ?? "").trim() !== "" || (body.code ?? "").trim() !== "";
        return [
          question,
          { points, answered, picks, passed: body.passed ?? null, total: body.total ?? null },
        ];
      }),
    ),
  }));
}
