import { z } from "@hono/zod-openapi";
import { completionStatuses } from "../../db/schema";
import { multiLineText, singleLineText } from "../../http/text-input";
import { MemberSchema } from "../users/users.schemas";

const PickedVariantInputSchema = z.object({
  id: z.number().int().positive().optional(),
  text: z.string().check(singleLineText()).max(10_000).optional(),
});

const AnswerInputSchema = z.object({
  question: z.number().int().positive(),
  body: z
    .object({
      picked_variant: PickedVariantInputSchema.nullable().optional(),
      picked_variants: z.array(PickedVariantInputSchema).max(200).optional(),
      code: z.string().check(multiLineText()).max(65_536).optional(),
    })
    .default({}),
});

export const CreateCompletionBodySchema = z.object({
  test: z
    .string()
    .check(singleLineText())
    .max(64)
    .openapi({ description: "The test's public_uuid", example: "k3x9q2ab" }),
  answers: z.array(AnswerInputSchema).max(500).default([]),
});

export type CompletionInput = z.infer<typeof CreateCompletionBodySchema>;
export type AnswerInput = CompletionInput["answers"][number];

const StudentPickSchema = z.object({ id: z.number().int().optional(), text: z.string() });
const TeacherPickSchema = StudentPickSchema.extend({ is_correct: z.boolean() });

const completionFields = {
  id: z.number().int(),
  score: z.number().int(),
  status: z.enum(completionStatuses).openapi({
    description:
      "`grading` while code answers wait for the sandbox; the score then counts what is known so far",
  }),
  attempt: z.number().int().nullable().openapi({
    description:
      "The attempt this completion submitted, from 1; null for completions stored before attempts were counted",
    example: 1,
  }),
  late: z.boolean().openapi({
    description: "Submitted more than 30 s after its attempt's deadline: stored as sent, scored 0",
  }),
  created_at: z.string().openapi({ format: "date-time", example: "2026-11-28T09:30:00.000Z" }),
};

const SolutionVariantSchema = z.object({ id: z.number().int(), text: z.string() });
const ShownPickSchema = StudentPickSchema.extend({
  is_correct: z.boolean().optional().openapi({ description: "With `show_results: full`" }),
});

export const StudentCompletionSchema = z
  .object({
    ...completionFields,
    user: z.number().int(),
    test: z.string().openapi({ description: "The test's public_uuid" }),
    answers: z.array(
      z.object({
        question: z.number().int(),
        points: z
          .number()
          .int()
          .optional()
          .openapi({ description: "With the test's `show_results` `points` or `full`" }),
        body: z.object({
          picked_variant: ShownPickSchema.optional(),
          picked_variants: z.array(ShownPickSchema).optional(),
          code: z.string().optional(),
          passed: z.number().int().nullable().optional().openapi({
            description: "Code test cases passed, with `show_results` `points` or `full`",
          }),
          total: z.number().int().nullable().optional(),
          is_correct: z
            .boolean()
            .nullable()
            .optional()
            .openapi({ description: "Code answers, with `show_results: full`" }),
          correct_variants: z.array(SolutionVariantSchema).optional().openapi({
            description: "Radio and check questions' correct variants, with `show_results: full`",
          }),
          accepted: z.array(z.string()).optional().openapi({
            description: "A text question's accepted answers, with `show_results: full`",
          }),
        }),
      }),
    ),
  })
  .openapi("StudentCompletion", {
    description:
      "The student's view. The test's `show_results` decides what it holds: `score` — score and status; `points` — plus each answer's `points` and code `passed`/`total`; `full` — plus `is_correct`, `correct_variants` and `accepted`, once the test's `closes_at` has passed (before that, as `points`). Never testing code or runtime errors.",
    example: {
      id: 40,
      user: 2,
      test: "k3x9q2ab",
      answers: [{ question: 11, points: 1, body: { picked_variant: { id: 21, text: "4" } } }],
      score: 1,
      status: "graded",
      attempt: 1,
      late: false,
      created_at: "2026-11-28T09:30:00.000Z",
    },
  });

export const TeacherCompletionSchema = z
  .object({
    ...completionFields,
    user: MemberSchema,
    test: z.number().int(),
    answers: z.array(
      z.object({
        question: z.number().int(),
        points: z.number().int(),
        body: z.object({
          picked_variant: TeacherPickSchema.optional(),
          picked_variants: z.array(TeacherPickSchema).optional(),
          code: z.string().optional(),
          is_correct: z.boolean().nullable().optional(),
          runtime_errors: z.string().nullable().optional(),
          errors: z
            .string()
            .nullable()
            .optional()
            .openapi({ description: "Same as runtime_errors (older clients)" }),
          passed: z.number().int().nullable().optional(),
          total: z.number().int().nullable().optional(),
        }),
      }),
    ),
  })
  .openapi("TeacherCompletion", {
    example: {
      id: 40,
      user: {
        id: 2,
        email: "anna@example.com",
        first_name: "Anna",
        last_name: "Petrova",
        photo: null,
        is_teacher: false,
      },
      test: 7,
      answers: [
        {
          question: 11,
          points: 1,
          body: { picked_variant: { id: 21, text: "4", is_correct: true } },
        },
      ],
      score: 1,
      status: "graded",
      attempt: 1,
      late: false,
      created_at: "2026-11-28T09:30:00.000Z",
    },
  });

export type StudentCompletion = z.infer<typeof StudentCompletionSchema>;
export type TeacherCompletion = z.infer<typeof TeacherCompletionSchema>;
