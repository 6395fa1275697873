import { z } from "@hono/zod-openapi";
import { questionTypes } from "../../db/schema";
import { attemptsModes } from "../../domain/statistics";

export const AttemptsQuerySchema = z.object({
  attempts: z
    .enum(attemptsModes)
    .default("latest")
    .openapi({
      param: { name: "attempts", in: "query" },
      description:
        "Which completions count: `latest` = each student's most recent one (by submission time, then id), `best` = each student's highest score (ties: the most recent), `all` = every completion.",
    }),
});

/** A 0–1 ratio or a correlation, rounded to 4 decimal places; null where it has no value. */
const ratio = (description: string) => z.number().nullable().openapi({ description });

const HistogramBinSchema = z.object({
  from: z.number(),
  to: z.number(),
  count: z.number().int(),
});

const ScoreStatisticsSchema = z.object({
  max_possible: z.number().int().openapi({ description: "The sum of the questions' points" }),
  mean: z.number().nullable(),
  median: z
    .number()
    .nullable()
    .openapi({ description: "With an even count, the mean of the two middle scores" }),
  stdev: z
    .number()
    .nullable()
    .openapi({ description: "Population standard deviation (divided by n): 0 for one completion" }),
  min: z.number().int().nullable(),
  max: z.number().int().nullable(),
  histogram: z.array(HistogramBinSchema).openapi({
    description:
      "10 equal bins over 0..max_possible. A bin holds the scores from `from` up to, not including, `to`; the last one also holds max_possible. When max_possible is 0, every bin runs from 0 to 0 and the first holds every completion.",
  }),
});

const QuestionStatisticsSchema = z.object({
  question: z.number().int(),
  number_in_test: z.number().int(),
  type: z.enum(questionTypes),
  points: z.number().int(),
  answered: z.number().int().openapi({
    description:
      "Completions with a non-blank answer to the question (a pick, or text or code other than whitespace)",
  }),
  facility: ratio(
    "Mean points ÷ points, over every counted completion (a question left out scores 0); null when the question is worth 0 points or nothing is counted",
  ),
  discrimination: ratio(
    "Pearson correlation of the question's points with the rest of the score (the score minus this question), over every counted completion; null below 2 completions or when either side doesn't vary",
  ),
  variants: z
    .array(
      z.object({
        id: z.number().int(),
        text: z.string(),
        is_correct: z.boolean(),
        picked: z.number().int(),
      }),
    )
    .optional()
    .openapi({ description: "radio and check questions: how many counted answers picked each" }),
  cases_passed_rate: ratio(
    "code questions: test cases passed ÷ test cases run, over the counted answers the grader has run; null when none",
  ).optional(),
});

export const TestStatisticsSchema = z
  .object({
    completions: z.number().int().openapi({ description: "Completions counted" }),
    students: z.number().int().openapi({ description: "Students who completed the test" }),
    score: ScoreStatisticsSchema,
    questions: z.array(QuestionStatisticsSchema),
  })
  .openapi("TestStatistics", {
    description:
      "Numbers are rounded to 4 decimal places; with no completions counted, the score figures are null. Completions still being graded count with the points known so far.",
  });
