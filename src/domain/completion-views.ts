import type { QuestionType } from "../db/schema";
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
  test: { id: number; publicUuid: string };
  score: number;
  status: "graded" | "grading";
  createdAt: Date;
  /** In the test's question order. */
  answers: AnswerRecord[];
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

function teacherBody(answer: AnswerRecord): TeacherBody {
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
        runtime_errors: answer.runtimeErrors,
        errors: answer.runtimeErrors,
        passed: answer.passed,
        total: answer.total,
      };
  }
}

/** What the student sees of their own completion: their answers and the score, no correctness. */
export function toStudentCompletion(completion: CompletionRecord): StudentCompletion {
  return {
    id: completion.id,
    user: completion.user.id,
    test: completion.test.publicUuid,
    answers: completion.answers.map((answer) => ({
      question: answer.questionId,
      body: studentBody(answer),
    })),
    score: completion.score,
    status: completion.status,
    created_at: completion.createdAt.toISOString(),
  };
}

/** The creator's view: who, and for every answer whether it was right and what it earned. */
export function toTeacherCompletion(completion: CompletionRecord): TeacherCompletion {
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
      body: teacherBody(answer),
    })),
    score: completion.score,
    status: completion.status,
    created_at: completion.createdAt.toISOString(),
  };
}
