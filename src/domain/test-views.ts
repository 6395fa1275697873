import type { QuestionWithVariants, TestTree } from "../db/queries/tests";
import type { StudentTest, TeacherTest } from "../routes/tests/tests.schemas";

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
  };
}

/** The view for taking a test (and the reference's test list). */
export function toStudentTest(test: TestTree): StudentTest {
  return {
    id: test.id,
    name: test.name,
    creator: test.creatorId,
    questions: test.questions.map((question) => ({
      ...questionFields(question),
      body: studentBody(question),
    })),
    public_uuid: test.publicUuid,
  };
}
