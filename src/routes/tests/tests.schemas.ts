import { z } from "@hono/zod-openapi";
import { type QuestionType, questionTypes, showResultsLevels } from "../../db/schema";
import { codeLanguages } from "../../grading/languages";
import { multiLineText, singleLineText } from "../../http/text-input";
import { addSchemaIssue, schemaMessage } from "../../http/validation-messages";
import type { MessageKey, ParamsArgument } from "../../i18n/messages";
import { GroupSummarySchema } from "../groups/groups.schemas";

/** The body keys each question type may carry; any other key is refused by name. */
export const bodyKeysByType: Record<QuestionType, readonly string[]> = {
  radio: ["variants"],
  check: ["variants", "strict_score"],
  text: ["variants"],
  code: ["testing_code", "strict_score", "language"],
};

const nonBlank = (value: string) => value.trim().length > 0;

const VariantInputSchema = z.object({
  text: z.string().check(singleLineText()).max(10_000).refine(nonBlank, schemaMessage("blank")),
  is_correct: z.boolean().optional(),
});

const QuestionBodyInputSchema = z.object({
  variants: z.array(VariantInputSchema).max(200).optional(),
  testing_code: z.string().check(multiLineText()).max(65_536).optional(),
  strict_score: z.boolean().optional(),
  language: z
    .enum(codeLanguages, {
      error: schemaMessage("invalid_language"),
    })
    .optional()
    .openapi({
      description: "The language of a code question's tests and answers (default python).",
    }),
});

const QuestionFieldsSchema = z.object({
  text: z.string().check(multiLineText()).max(1_000_000).refine(nonBlank, schemaMessage("blank")),
  type: z.enum(questionTypes),
  points: z.number().int().min(0).max(32_767).default(1),
  number_in_test: z.number().int().min(0).max(32_767).optional(),
  body: QuestionBodyInputSchema,
});

type QuestionInput = z.infer<typeof QuestionFieldsSchema>;

function addBodyIssue<K extends MessageKey>(
  ctx: z.core.$RefinementCtx,
  path: PropertyKey[],
  key: K,
  ...params: ParamsArgument<K>
) {
  addSchemaIssue(ctx, ["body", ...path], key, ...params);
}

/** CONTRACT §5: what each question type needs in its body. */
function checkQuestionBody(question: QuestionInput, ctx: z.core.$RefinementCtx) {
  const { type, body } = question;
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && !bodyKeysByType[type].includes(key)) {
      addBodyIssue(ctx, [key], "field_not_allowed", { type });
    }
  }
  if (type === "code") {
    if (body.testing_code === undefined) addBodyIssue(ctx, ["testing_code"], "required");
    else if (!nonBlank(body.testing_code)) addBodyIssue(ctx, ["testing_code"], "blank");
    return;
  }
  const variants = body.variants;
  if (variants === undefined) return addBodyIssue(ctx, ["variants"], "required");
  const correct = variants.filter((variant) => variant.is_correct ?? type === "text").length;
  if (type === "radio" && variants.length < 2) {
    addBodyIssue(ctx, ["variants"], "radio_needs_two_variants");
  } else if (type === "radio" && correct !== 1) {
    addBodyIssue(ctx, ["variants"], "radio_needs_one_correct");
  } else if (variants.length < 1) {
    addBodyIssue(ctx, ["variants"], "needs_a_variant", { type });
  } else if (correct < 1) {
    addBodyIssue(ctx, ["variants"], "needs_a_correct_variant", { type });
  }
  const seen = new Set<string>();
  variants.forEach((variant, index) => {
    const key = variant.text.trim();
    if (seen.has(key)) addBodyIssue(ctx, ["variants", index, "text"], "variant_texts_unique");
    seen.add(key);
  });
}

export const QuestionInputSchema = QuestionFieldsSchema.superRefine(checkQuestionBody).openapi(
  "QuestionInput",
  {
    example: {
      text: "2 + 2 = ?",
      type: "radio",
      points: 1,
      number_in_test: 0,
      body: {
        variants: [
          { text: "4", is_correct: true },
          { text: "5", is_correct: false },
        ],
      },
    },
  },
);

/** A question's number in the test: the one sent, else its position in the list. */
export const numberInTest = (question: { number_in_test?: number | undefined }, index: number) =>
  question.number_in_test ?? index;

function checkUniqueNumbers(questions: QuestionInput[] | undefined, ctx: z.core.$RefinementCtx) {
  const seen = new Set<number>();
  questions?.forEach((question, index) => {
    const number = numberInTest(question, index);
    if (seen.has(number)) {
      addSchemaIssue(ctx, ["questions", index, "number_in_test"], "question_numbers_unique");
    }
    seen.add(number);
  });
}

const testFields = {
  name: z
    .string()
    .check(singleLineText())
    .trim()
    .min(1)
    .max(150)
    .openapi({ example: "Arithmetic, week 1" }),
  questions: z.array(QuestionInputSchema).max(500),
};

const dateTime = (description: string) =>
  z.iso
    .datetime({ offset: true })
    .check(singleLineText())
    .transform((text) => new Date(text))
    .nullable()
    .openapi({
      format: "date-time",
      description: `${description} An ISO 8601 date-time with its time zone (\`Z\` or an offset), stored in UTC; null: none.`,
      example: "2026-12-01T09:00:00+03:00",
    });

/** CONTRACT §9; every one may be left out (its default is the behaviour from before). */
const settingsFields = {
  opens_at: dateTime("Before this time students can't open, start or submit the test."),
  closes_at: dateTime("From this time students can't open, start or submit the test."),
  time_limit: z.number().int().min(60).max(86_400).nullable().openapi({
    description: "Seconds per attempt, counted from its `start`; null: no limit.",
    example: 1800,
  }),
  max_attempts: z.number().int().min(1).max(100).nullable().openapi({
    description: "Attempts a student may start or submit; null: any number.",
    example: 2,
  }),
  shuffle_questions: z.boolean().openapi({
    description: "Each student's attempt gets its own order of the questions.",
  }),
  shuffle_variants: z.boolean().openapi({
    description: "Each student's attempt gets its own order of radio and check variants.",
  }),
  show_results: z.enum(showResultsLevels).openapi({
    description:
      "What students see of their completions: `score` (and status), `points` (plus each answer's points and code cases passed), `full` (plus the correct variants and accepted texts, once `closes_at` has passed).",
  }),
};

/** The window's two ends, when both are set, in order. */
export const windowIsOrdered = (opensAt: Date | null, closesAt: Date | null) =>
  opensAt === null || closesAt === null || closesAt > opensAt;

function checkWindow(
  body: { opens_at?: Date | null | undefined; closes_at?: Date | null | undefined },
  ctx: z.core.$RefinementCtx,
) {
  if (!windowIsOrdered(body.opens_at ?? null, body.closes_at ?? null))
    addSchemaIssue(ctx, ["closes_at"], "window_order");
}

export const CreateTestBodySchema = z
  .object({
    ...testFields,
    questions: testFields.questions.default([]),
    opens_at: settingsFields.opens_at.default(null),
    closes_at: settingsFields.closes_at.default(null),
    time_limit: settingsFields.time_limit.default(null),
    max_attempts: settingsFields.max_attempts.default(null),
    shuffle_questions: settingsFields.shuffle_questions.default(false),
    shuffle_variants: settingsFields.shuffle_variants.default(false),
    show_results: settingsFields.show_results.default("score"),
  })
  .superRefine((body, ctx) => {
    checkUniqueNumbers(body.questions, ctx);
    checkWindow(body, ctx);
  });

/** Settings may change at any time; an end of the window is checked against the stored other. */
export const UpdateTestBodySchema = z
  .object({ ...testFields, ...settingsFields })
  .partial()
  .superRefine((body, ctx) => {
    checkUniqueNumbers(body.questions, ctx);
    checkWindow(body, ctx);
  });

export type TestSettingsInput = Omit<z.infer<typeof CreateTestBodySchema>, "name" | "questions">;

export const TestGroupBodySchema = z.object({
  group: z.number().int().positive().openapi({ example: 3 }),
});

export type QuestionToCreate = z.infer<typeof QuestionInputSchema>;

const questionFields = {
  id: z.number().int(),
  text: z.string(),
  type: z.enum(questionTypes),
  points: z.number().int(),
  number_in_test: z.number().int(),
};

export const TeacherVariantSchema = z.object({
  id: z.number().int(),
  text: z.string(),
  is_correct: z.boolean(),
});
export const StudentVariantSchema = z.object({ id: z.number().int(), text: z.string() });

export const TeacherQuestionSchema = z
  .object({
    ...questionFields,
    test: z.number().int(),
    body: z.object({
      variants: z.array(TeacherVariantSchema).optional(),
      testing_code: z.string().optional(),
      strict_score: z.boolean().optional(),
      language: z.string().optional(),
    }),
  })
  .openapi("TeacherQuestion");

export const StudentQuestionSchema = z
  .object({
    ...questionFields,
    body: z.object({
      variants: z.array(StudentVariantSchema).optional(),
      strict_score: z.boolean().optional(),
      language: z.string().optional(),
    }),
  })
  .openapi("StudentQuestion");

const settingsOutput = {
  opens_at: z
    .string()
    .nullable()
    .openapi({ format: "date-time", example: "2026-12-01T06:00:00.000Z" }),
  closes_at: z
    .string()
    .nullable()
    .openapi({ format: "date-time", example: "2026-12-08T18:00:00.000Z" }),
  time_limit: settingsFields.time_limit,
  max_attempts: settingsFields.max_attempts,
  shuffle_questions: settingsFields.shuffle_questions,
  shuffle_variants: settingsFields.shuffle_variants,
  show_results: settingsFields.show_results,
};

const settingsExample = {
  opens_at: "2026-12-01T06:00:00.000Z",
  closes_at: "2026-12-08T18:00:00.000Z",
  time_limit: 1800,
  max_attempts: 2,
  shuffle_questions: true,
  shuffle_variants: false,
  show_results: "points",
} as const;

export const TeacherTestSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    creator: z.number().int(),
    questions: z.array(TeacherQuestionSchema),
    available_for: z.array(GroupSummarySchema),
    public_uuid: z.string(),
    ...settingsOutput,
  })
  .openapi("TeacherTest", {
    description: "The creator's view: correct answers, testing code and the groups it is open to.",
    example: {
      id: 7,
      name: "Arithmetic, week 1",
      creator: 1,
      questions: [
        {
          id: 11,
          text: "2 + 2 = ?",
          test: 7,
          type: "radio",
          points: 1,
          number_in_test: 0,
          body: {
            variants: [
              { id: 21, text: "4", is_correct: true },
              { id: 22, text: "5", is_correct: false },
            ],
          },
        },
      ],
      available_for: [{ id: 3, name: "11A", description: "" }],
      public_uuid: "k3x9q2ab",
      ...settingsExample,
    },
  });

export const StudentTestSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    creator: z.number().int(),
    questions: z.array(StudentQuestionSchema),
    public_uuid: z.string(),
    ...settingsOutput,
  })
  .openapi("StudentTest", {
    description:
      "The view for taking the test: nothing that reveals an answer. With `shuffle_questions` / `shuffle_variants`, a student's questions / variants come in the order of their attempt (the one open, else the next). A test with a `time_limit` lists its questions only while the student has an attempt open (`POST .../start/`); before, `questions` is empty.",
    example: {
      id: 7,
      name: "Arithmetic, week 1",
      creator: 1,
      questions: [
        {
          id: 11,
          text: "2 + 2 = ?",
          type: "radio",
          points: 1,
          number_in_test: 0,
          body: {
            variants: [
              { id: 21, text: "4" },
              { id: 22, text: "5" },
            ],
          },
        },
      ],
      public_uuid: "k3x9q2ab",
      ...settingsExample,
    },
  });

export const StartedAttemptSchema = z
  .object({
    attempt: z.number().int().openapi({ description: "The attempt's number, from 1" }),
    started_at: z.string().openapi({ format: "date-time" }),
    deadline: z.string().nullable().openapi({
      format: "date-time",
      description:
        "The earlier of start + time_limit and closes_at (null: neither). A submission up to 30 s later is scored; a later one is stored with `late: true` and score 0.",
    }),
    attempts_left: z.number().int().nullable().openapi({
      description: "Attempts still to start after this one; null: no limit",
    }),
  })
  .openapi("StartedAttempt", {
    example: {
      attempt: 1,
      started_at: "2026-12-01T09:00:00.000Z",
      deadline: "2026-12-01T09:30:00.000Z",
      attempts_left: 1,
    },
  });

export type StartedAttemptOutput = z.infer<typeof StartedAttemptSchema>;
export type TeacherTest = z.infer<typeof TeacherTestSchema>;
export type StudentTest = z.infer<typeof StudentTestSchema>;
