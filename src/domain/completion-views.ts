import type { QuestionType, ShowResults } from "../db/schema";
import type { Language } from "../i18n/catalogue";
import { renderRuntimeErrors } from "../i18n/runtime-errors";
import type {
  StudentCompletion,
  TeacherCompletion,
} from "../routes/completions/completions.schemas";

export interface PickedVariant {
  id: number;
  text: string;
  isCorrect: boolean;
}

/** One answer as stored: what was picked or typed, and what it earned. */
export interface AnswerRecord {
  questionId: number;
  type: QuestionType;
  pickedVariant: PickedVariant | null;
  pickedVariants: PickedVariant[];
  text: string | null;
  code: string | null;
  points: number;
  isCorrect: boolean | null;
  runtimeErrors: string | null;
  passed: number | null;
  total: number | null;
}

export interface CompletionRecord {
  id: number;
  user: {
    id: number;
    email: string;
    firstName: string;
    lastName: string;
    photo: string | null;
    isTeacher: boolean;
  };
  test: { id: number; publicUuid: string; showResults: ShowResults; closesAt: Date | null };
  score: number;
  status: "graded" | "grading";
  /** Null for completions stored before attempts were counted. */
  attempt: number | null;
  late: boolean;
  createdAt: Date;
  /** In the test's question order. */
  answers: AnswerRecord[];
  /**
   * The correct variants (for text questions: the accepted answers) of the answered questions,
   * by question id: what `full` results show. Loaded for the student's views only.
   */
  solutions?: Solutions;
}

export type Solutions = ReadonlyMap<number, { id: number; text: string }[]>;

/** The solutions of a test's questions, from its tree. */
export function solutionsOf(test: {
  questions: { id: number; variants: { id: number; text: string; isCorrect: boolean }[] }[];
}): Solutions {
  return new Map(
    test.questions.map((question) => [
      question.id,
      question.variants
        .filter((variant) => variant.isCorrect)
        .map(({ id, text }) => ({ id, text })),
    ]),
  );
}

/**
 * How much of a completion its student sees (CONTRACT §9): `full` reveals the answers only once
 * the test has closed (or at once when it never closes); before that it shows `points`.
 */
export function resultsShown(
  test: { showResults: ShowResults; closesAt: Date | null },
  now: Date,
): ShowResults {
  if (test.showResults !== "full") return test.showResults;
  return test.closesAt === null || now >= test.closesAt ? "full" : "points";
}

type StudentBody = StudentCompletion["answers"][number]["body"];
type TeacherBody = TeacherCompletion["answers"][number]["body"];

function studentBody(answer: AnswerRecord): StudentBody {
  switch (answer.type) {
    case "radio":
      return answer.pickedVariant
        ? { picked_variant: { id: answer.pickedVariant.id, text: answer.pickedVariant.text } }
        : {};
    case "check":
      return { picked_variants: answer.pickedVariants.map(({ id, text }) => ({ id, text })) };
    case "text":
      return answer.text === null ? {} : { picked_variant: { text: answer.text } };
    case "code":
      return { code: answer.code ?? "" };
  }
}

function teacherBody(answer: AnswerRecord, language: Language): TeacherBody {
  const withCorrectness = ({ id, text, isCorrect }: PickedVariant) => ({
    id,
    text,
    is_correct: isCorrect,
  });
  switch (answer.type) {
    case "radio":
      return answer.pickedVariant ? { picked_variant: withCorrectness(answer.pickedVariant) } : {};
    case "check":
      return { picked_variants: answer.pickedVariants.map(withCorrectness) };
    case "text":
      return answer.text === null
        ? {}
        : { picked_variant: { text: answer.text, is_correct: answer.isCorrect ?? false } };
    case "code":
      return {
        code: answer.code ?? "",
        is_correct: answer.isCorrect,
        runtime_errors: renderRuntimeErrors(answer.runtimeErrors, language),
        errors: renderRuntimeErrors(answer.runtimeErrors, language),
        passed: answer.passed,
        total: answer.total,
      };
  }
}

type StudentAnswer = StudentCompletion["answers"][number];

/** With `points`: what the answer earned, and for code the test cases passed. */
function withPoints(answer: AnswerRecord, shown: StudentAnswer): StudentAnswer {
  const cases = answer.type === "code" ? { passed: answer.passed, total: answer.total } : {};
  return { ...shown, points: answer.points, body: { ...shown.body, ...cases } };
}

/**
 * With `full`: whether each pick was right and the question's correct variants or accepted
 * texts. Never the testing code, nor `runtime_errors`, whose lines quote it.
 */
function withSolution(
  answer: AnswerRecord,
  shown: StudentAnswer,
  solutions: Solutions | undefined,
) {
  const correct = solutions?.get(answer.questionId) ?? [];
  const { body } = shown;
  switch (answer.type) {
    case "radio":
      return {
        ...shown,
        body: {
          ...(answer.pickedVariant && body.picked_variant
            ? {
                picked_variant: {
                  ...body.picked_variant,
                  is_correct: answer.pickedVariant.isCorrect,
                },
              }
            : {}),
          correct_variants: correct,
        },
      };
    case "check":
      return {
        ...shown,
        body: {
          picked_variants: answer.pickedVariants.map(({ id, text, isCorrect }) => ({
            id,
            text,
            is_correct: isCorrect,
          })),
          correct_variants: correct,
        },
      };
    case "text":
      return {
        ...shown,
        body: {
          ...(body.picked_variant
            ? { picked_variant: { ...body.picked_variant, is_correct: answer.isCorrect ?? false } }
            : {}),
          accepted: correct.map((variant) => variant.text),
        },
      };
    case "code":
      return { ...shown, body: { ...body, is_correct: answer.isCorrect } };
  }
}

function studentAnswer(
  answer: AnswerRecord,
  shown: ShowResults,
  solutions: Solutions | undefined,
): StudentAnswer {
  const plain = { question: answer.questionId, body: studentBody(answer) };
  if (shown === "score") return plain;
  const scored = withPoints(answer, plain);
  return shown === "full" ? withSolution(answer, scored, solutions) : scored;
}

/**
 * What the student sees of their own completion: their answers and the score, and as much more
 * as the test's `show_results` allows at `now`.
 */
export function toStudentCompletion(completion: CompletionRecord, now: Date): StudentCompletion {
  const shown = resultsShown(completion.test, now);
  return {
    id: completion.id,
    user: completion.user.id,
    test: completion.test.publicUuid,
    answers: completion.answers.map((answer) => studentAnswer(answer, shown, completion.solutions)),
    score: completion.score,
    status: completion.status,
    attempt: completion.attempt,
    late: completion.late,
    created_at: completion.createdAt.toISOString(),
  };
}

/**
 * The creator's view: who, and for every answer whether it was right and what it earned; the
 * grader's messages in `language`.
 */
export function toTeacherCompletion(
  completion: CompletionRecord,
  language: Language,
): TeacherCompletion {
  const { user } = completion;
  return {
    id: completion.id,
    user: {
      id: user.id,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      photo: user.photo,
      is_teacher: user.isTeacher,
    },
    test: completion.test.id,
    answers: completion.answers.map((answer) => ({
      question: answer.questionId,
      points: answer.points,
      body: teacherBody(answer, language),
    })),
    score: completion.score,
    status: completion.status,
    attempt: completion.attempt,
    late: completion.late,
    created_at: completion.createdAt.toISOString(),
  };
}
