import type { InferRequestType } from "hono/client";
import { expect } from "vitest";
import type { ApiTarget } from "./api";
import { type ApiClient, client, responseOf } from "./client";
import type { TestUser } from "./fixtures";

export interface CreatedTest {
  id: number;
  public_uuid: string;
  questions: {
    id: number;
    type: string;
    body: { variants?: { id: number; text: string; is_correct: boolean }[] };
  }[];
}

/** Reads the creator's view of a test, with variant ids and correctness, to build answers from. */
export async function teacherViewOf(
  t: ApiTarget,
  teacher: TestUser,
  testId: number,
): Promise<CreatedTest> {
  const response = await responseOf(
    client(t, teacher.auth).api.tests[":id"].index.$get({ param: { id: String(testId) } }),
  );
  expect(response.status).toBe(200);
  return response.body as CreatedTest;
}

type Question = CreatedTest["questions"][number];

const variantsWhere = (question: Question, correct: boolean) =>
  (question.body.variants ?? []).filter((variant) => variant.is_correct === correct);

/** A right (or wrong) answer to any question of the creator's view. */
export function answerFor(question: Question, right: boolean): AnswerInput {
  switch (question.type) {
    case "radio":
      return {
        question: question.id,
        body: { picked_variant: { id: variantsWhere(question, right)[0]?.id } },
      };
    case "check":
      return {
        question: question.id,
        body: { picked_variants: variantsWhere(question, right).map(({ id }) => ({ id })) },
      };
    case "text":
      return {
        question: question.id,
        body: {
          picked_variant: {
            text: right ? `  ${variantsWhere(question, true)[0]?.text.toLowerCase()} ` : "London",
          },
        },
      };
    default:
      return {
        question: question.id,
        body: { code: right ? "def add(a, b):\n    return a + b\n" : "" },
      };
  }
}

/** An answer as a student sends it. */
export type AnswerInput = NonNullable<
  InferRequestType<ApiClient["api"]["completions"]["index"]["$post"]>["json"]["answers"]
>[number];

/** Answers to every question of a test: all right, or all wrong. */
export function sampleAnswers(test: CreatedTest, right: boolean) {
  return test.questions.map((question) => answerFor(question, right));
}

export async function submit(
  t: ApiTarget,
  student: TestUser,
  publicUuid: string,
  answers: unknown[],
) {
  // Tests send malformed answers through here too: the API's own validation is what they test.
  const json = { test: publicUuid, answers: answers as AnswerInput[] };
  return responseOf(client(t, student.auth).api.completions.index.$post({ json }));
}
