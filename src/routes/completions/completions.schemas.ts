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
  created_at: z.string().openapi({ format: "date-time", example: "2026-11-28T09:30:00.000Z" }),
};

export const StudentCompletionSchema = z
  .object({
    ...completionFields,
    user: z.number().int(),
    test: z.string().openapi({ description: "The test's public_uuid" }),
    answers: z.array(
      z.object({
        question: z.number().int(),
        body: z.object({
          picked_variant: StudentPickSchema.optional(),
          picked_variants: z.array(StudentPickSchema).optional(),
          code: z.string().optional(),
        }),
      }),
    ),
  })
  .openapi("StudentCompletion", {
    example: {
      id: 40,
      user: 2,
      test: "k3x9q2ab",
      answers: [{ question: 11, body: { picked_variant: { id: 21, text: "4" } } }],
      score: 1,
      status: "graded",
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
      created_at: "2026-11-28T09:30:00.000Z",
    },
  });

export type StudentCompletion = z.infer<typeof StudentCompletionSchema>;
export type TeacherCompletion = z.infer<typeof TeacherCompletionSchema>;
