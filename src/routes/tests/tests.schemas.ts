import { z } from "@hono/zod-openapi";
import { type QuestionType, questionTypes } from "../../db/schema";
import { codeLanguages } from "../../grading/languages";
import { multiLineText, singleLineText } from "../../http/text-input";
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
  text: z
    .string()
    .check(singleLineText())
    .max(10_000)
    .refine(nonBlank, "This field may not be blank."),
  is_correct: z.boolean().optional(),
});

const QuestionBodyInputSchema = z.object({
  variants: z.array(VariantInputSchema).max(200).optional(),
  testing_code: z.string().check(multiLineText()).max(65_536).optional(),
  strict_score: z.boolean().optional(),
  language: z
    .enum(codeLanguages, {
      error: (issue) =>
        `"${String(issue.input)}" is not a valid choice: the languages are ${codeLanguages.map((language) => `"${language}"`).join(", ")}.`,
    })
    .optional()
    .openapi({
      description: "The language of a code question's tests and answers (default python).",
    }),
});

const QuestionFieldsSchema = z.object({
  text: z
    .string()
    .check(multiLineText())
    .max(1_000_000)
    .refine(nonBlank, "This field may not be blank."),
  type: z.enum(questionTypes),
  points: z.number().int().min(0).max(32_767).default(1),
  number_in_test: z.number().int().min(0).max(32_767).optional(),
  body: QuestionBodyInputSchema,
});

type QuestionInput = z.infer<typeof QuestionFieldsSchema>;

function addBodyIssue(ctx: z.core.$RefinementCtx, path: PropertyKey[], message: string) {
  ctx.addIssue({ code: "custom", path: ["body", ...path], message });
}

/** CONTRACT §5: what each question type needs in its body. */
function checkQuestionBody(question: QuestionInput, ctx: z.core.$RefinementCtx) {
  const { type, body } = question;
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && !bodyKeysByType[type].includes(key)) {
      addBodyIssue(ctx, [key], `This field is not allowed for ${type} questions.`);
    }
  }
  if (type === "code") {
    if (body.testing_code === undefined)
      addBodyIssue(ctx, ["testing_code"], "This field is required.");
    else if (!nonBlank(body.testing_code))
      addBodyIssue(ctx, ["testing_code"], "This field may not be blank.");
    return;
  }
  const variants = body.variants;
  if (variants === undefined) return addBodyIssue(ctx, ["variants"], "This field is required.");
  const correct = variants.filter((variant) => variant.is_correct ?? type === "text").length;
  if (type === "radio" && variants.length < 2) {
    addBodyIssue(ctx, ["variants"], "A radio question needs at least 2 variants.");
  } else if (type === "radio" && correct !== 1) {
    addBodyIssue(ctx, ["variants"], "A radio question needs exactly one correct variant.");
  } else if (variants.length < 1) {
    addBodyIssue(ctx, ["variants"], `A ${type} question needs at least 1 variant.`);
  } else if (correct < 1) {
    addBodyIssue(ctx, ["variants"], `A ${type} question needs at least one correct variant.`);
  }
  const seen = new Set<string>();
  variants.forEach((variant, index) => {
    const key = variant.text.trim();
    if (seen.has(key))
      addBodyIssue(
        ctx,
        ["variants", index, "text"],
        "Variant texts must be unique within a question.",
      );
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
      ctx.addIssue({
        code: "custom",
        path: ["questions", index, "number_in_test"],
        message: "Each question of a test needs its own number_in_test.",
      });
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

export const CreateTestBodySchema = z
  .object({ ...testFields, questions: testFields.questions.default([]) })
  .superRefine((body, ctx) => checkUniqueNumbers(body.questions, ctx));

export const UpdateTestBodySchema = z
  .object(testFields)
  .partial()
  .superRefine((body, ctx) => checkUniqueNumbers(body.questions, ctx));

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

export const TeacherTestSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    creator: z.number().int(),
    questions: z.array(TeacherQuestionSchema),
    available_for: z.array(GroupSummarySchema),
    public_uuid: z.string(),
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
    },
  });

export const StudentTestSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    creator: z.number().int(),
    questions: z.array(StudentQuestionSchema),
    public_uuid: z.string(),
  })
  .openapi("StudentTest", {
    description: "The view for taking the test: nothing that reveals an answer.",
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
    },
  });

export type TeacherTest = z.infer<typeof TeacherTestSchema>;
export type StudentTest = z.infer<typeof StudentTestSchema>;
