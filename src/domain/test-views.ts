import type { QuestionWithVariants, TestRow, TestTree } from "../db/queries/tests";
import type { StartedAttemptOutput, StudentTest, TeacherTest } from "../routes/tests/tests.schemas";
import { type AttemptSettings, attemptsLeft, deadlineOf } from "./attempts";
import { seededRandom, shuffled } from "./shuffle";

type TeacherQuestion = TeacherTest["questions"][number];
type StudentQuestion = StudentTest["questions"][number];

function teacherBody(question: QuestionWithVariants): TeacherQuestion["body"] {
  const variants = question.variants.map(({ id, text, isCorrect }) => ({
    id,
    text,
    is_correct: isCorrect,
  }));
  switch (question.type) {
    case "radio":
    case "text":
      return { variants };
    case "check":
      return { variants, strict_score: question.strictScore ?? true };
    case "code":
      return {
        testing_code: question.testingCode ?? "",
        strict_score: question.strictScore ?? true,
        language: question.language ?? "python",
      };
  }
}

/** Nothing here may reveal an answer: no is_correct, no testing code, no accepted texts. */
function studentBody(question: QuestionWithVariants): StudentQuestion["body"] {
  const variants = question.variants.map(({ id, text }) => ({ id, text }));
  switch (question.type) {
    case "radio":
      return { variants };
    case "check":
      return { variants, strict_score: question.strictScore ?? true };
    case "text":
      return {};
    case "code":
      return {
        strict_score: question.strictScore ?? true,
        language: question.language ?? "python",
      };
  }
}

const questionFields = (question: QuestionWithVariants) => ({
  id: question.id,
  text: question.text,
  type: question.type,
  points: question.points,
  number_in_test: question.numberInTest,
});

/** The settings of CONTRACT §9 as both views show them. */
function settingsOf(test: TestRow) {
  return {
    opens_at: test.opensAt?.toISOString() ?? null,
    closes_at: test.closesAt?.toISOString() ?? null,
    time_limit: test.timeLimit,
    max_attempts: test.maxAttempts,
    shuffle_questions: test.shuffleQuestions,
    shuffle_variants: test.shuffleVariants,
    show_results: test.showResults,
  };
}

/** Who takes the test, in which attempt: seeds the order they see. */
export interface Taker {
  studentId: number;
  attempt: number;
}

/** The test's questions (and their variants) in the order `taker` sees them; scoring never uses it. */
export function questionsInTakersOrder(test: TestTree, taker: Taker): QuestionWithVariants[] {
  const seed = [taker.studentId, test.id, taker.attempt];
  const ordered = test.shuffleQuestions
    ? shuffled(test.questions, seededRandom(...seed))
    : test.questions;
  if (!test.shuffleVariants) return ordered;
  return ordered.map((question) =>
    question.type === "radio" || question.type === "check"
      ? { ...question, variants: shuffled(question.variants, seededRandom(...seed, question.id)) }
      : question,
  );
}

/** The creator's view of a test. */
export function toTeacherTest(test: TestTree): TeacherTest {
  return {
    id: test.id,
    name: test.name,
    creator: test.creatorId,
    questions: test.questions.map((question) => ({
      ...questionFields(question),
      test: test.id,
      body: teacherBody(question),
    })),
    available_for: test.availableFor.map(({ id, name, description }) => ({
      id,
      name,
      description,
    })),
    public_uuid: test.publicUuid,
    ...settingsOf(test),
  };
}

/**
 * The view for taking a test, in the order `taker` sees it (and, without one, the reference's
 * test list in the canonical order).
 */
export function toStudentTest(test: TestTree, taker?: Taker): StudentTest {
  const questions = taker ? questionsInTakersOrder(test, taker) : test.questions;
  return {
    id: test.id,
    name: test.name,
    creator: test.creatorId,
    questions: questions.map((question) => ({
      ...questionFields(question),
      body: studentBody(question),
    })),
    public_uuid: test.publicUuid,
    ...settingsOf(test),
  };
}

/** What `start` answers about an attempt: its number, times and the attempts still to start. */
export function toStartedAttempt(
  settings: AttemptSettings,
  attempt: { number: number; startedAt: Date },
): StartedAttemptOutput {
  return {
    attempt: attempt.number,
    started_at: attempt.startedAt.toISOString(),
    deadline: deadlineOf(settings, attempt.startedAt)?.toISOString() ?? null,
    attempts_left: attemptsLeft(settings, attempt.number),
  };
}
