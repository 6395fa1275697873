import type { QuestionWithVariants, TestTree, VariantRow } from "../db/queries/tests";
import type { FieldIssue } from "../http/errors";
import { graderText } from "../i18n/grader-text";
import { type Message, message } from "../i18n/messages";
import type { AnswerInput } from "../routes/completions/completions.schemas";
import type { AnswerRecord, PickedVariant } from "./completion-views";
import { scoreCheck, scoreRadio, scoreText } from "./scoring";

export interface ScoredSubmission {
  answers: AnswerRecord[];
  score: number;
  needsGrading: boolean;
}

export type Submission = ({ ok: true } & ScoredSubmission) | { ok: false; issues: FieldIssue[] };

/** The answer body key each question type takes. */
const answerKeyByType = {
  radio: "picked_variant",
  check: "picked_variants",
  text: "picked_variant",
  code: "code",
} as const;

type Path = (string | number)[];

class IssueCollector {
  readonly issues: FieldIssue[] = [];
  add(path: Path, text: Message) {
    this.issues.push({ path, message: text });
  }
}

const toPicked = (variant: VariantRow): PickedVariant => ({
  id: variant.id,
  text: variant.text,
  isCorrect: variant.isCorrect,
});

/** A variant of this question by id (which wins) or by text; anything else is an input error. */
function findVariant(
  question: QuestionWithVariants,
  pick: { id?: number | undefined; text?: string | undefined },
  path: Path,
  issues: IssueCollector,
): VariantRow | undefined {
  const variant =
    pick.id !== undefined
      ? question.variants.find((candidate) => candidate.id === pick.id)
      : pick.text !== undefined
        ? question.variants.find((candidate) => candidate.text.trim() === pick.text?.trim())
        : undefined;
  if (variant) return variant;
  if (pick.id === undefined && pick.text === undefined)
    issues.add(path, message("variant_id_or_text"));
  else issues.add(path, message("variant_not_of_question"));
  return undefined;
}

const blankAnswer = (question: QuestionWithVariants): AnswerRecord => ({
  questionId: question.id,
  type: question.type,
  pickedVariant: null,
  pickedVariants: [],
  text: null,
  code: null,
  points: 0,
  isCorrect: false,
  runtimeErrors: null,
  passed: null,
  total: null,
});

/** Scores one answer; code answers that are not blank are left for the grader. */
function resolveAnswer(
  question: QuestionWithVariants,
  body: AnswerInput["body"],
  path: Path,
  issues: IssueCollector,
) {
  const record = blankAnswer(question);
  const allowedKey = answerKeyByType[question.type];
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && key !== allowedKey) {
      issues.add([...path, "body", key], message("field_not_allowed", { type: question.type }));
    }
  }
  switch (question.type) {
    case "radio": {
      const pick = body.picked_variant;
      const variant = pick
        ? findVariant(question, pick, [...path, "body", "picked_variant"], issues)
        : undefined;
      record.pickedVariant = variant ? toPicked(variant) : null;
      return { ...record, ...scoreRadio(question.points, variant) };
    }
    case "check": {
      const picks = (body.picked_variants ?? []).flatMap((pick, index) => {
        const variant = findVariant(
          question,
          pick,
          [...path, "body", "picked_variants", index],
          issues,
        );
        return variant ? [variant] : [];
      });
      const unique = [...new Map(picks.map((variant) => [variant.id, variant])).values()];
      record.pickedVariants = unique.map(toPicked);
      const ids = unique.map((variant) => variant.id);
      return {
        ...record,
        ...scoreCheck(question.points, question.strictScore ?? true, ids, question.variants),
      };
    }
    case "text": {
      const pick = body.picked_variant;
      // A text question's variants are its accepted answers: picking one by id would be a free pass.
      if (pick?.id !== undefined)
        issues.add([...path, "body", "picked_variant", "id"], message("type_answer_as_text"));
      record.text = pick?.text ?? null;
      const accepted = question.variants
        .filter((variant) => variant.isCorrect)
        .map((variant) => variant.text);
      return { ...record, ...scoreText(question.points, record.text ?? undefined, accepted) };
    }
    case "code": {
      const code = body.code ?? "";
      // Only an answer that waits for the grader has no verdict yet; a blank one is simply wrong.
      return { ...record, code, isCorrect: code.trim() === "" ? false : null };
    }
  }
}

export const needsGrading = (answer: AnswerRecord) =>
  answer.type === "code" && (answer.code ?? "").trim() !== "";

/**
 * Matches a student's answers to the test's questions (each at most once, only this test's) and
 * scores them. Left-out questions score 0 and get no answer; answers come back in question order.
 */
export function resolveSubmission(test: TestTree, inputs: AnswerInput[]): Submission {
  const issues = new IssueCollector();
  const questionsById = new Map(test.questions.map((question) => [question.id, question]));
  const answered = new Map<number, AnswerRecord>();
  for (const [index, input] of inputs.entries()) {
    const path: Path = ["answers", index];
    const question = questionsById.get(input.question);
    if (!question) {
      issues.add(
        [...path, "question"],
        message("pk_does_not_exist", { pk: String(input.question) }),
      );
    } else if (answered.has(question.id)) {
      issues.add([...path, "question"], message("question_answered_twice"));
    } else {
      answered.set(question.id, resolveAnswer(question, input.body, path, issues));
    }
  }
  if (issues.issues.length > 0) return { ok: false, issues: issues.issues };
  const answers = test.questions.flatMap((question) => answered.get(question.id) ?? []);
  return {
    ok: true,
    answers,
    score: answers.reduce((sum, answer) => sum + answer.points, 0),
    needsGrading: answers.some(needsGrading),
  };
}

/**
 * A submission that came too late: stored as sent, every answer worth 0 and no code graded
 * (whether the non-code answers were right stays on record for the teacher).
 */
export function asLate(answers: AnswerRecord[]): AnswerRecord[] {
  return answers.map((answer) =>
    answer.type === "code"
      ? {
          ...answer,
          points: 0,
          isCorrect: false,
          runtimeErrors: needsGrading(answer) ? graderText("grading_late") : null,
        }
      : { ...answer, points: 0 },
  );
}
