import type { QuestionType } from "../db/schema";
import { type ExportCell, escapeCell, questionLabel } from "./export";
import type { AttemptsMode, QuestionStatistics, TestStatistics } from "./statistics";

/** The export's second sheet (CONTRACT §10): the question table, the score summary beside it. */
export const statisticsSheetName = "Статистика";

const tableHeaders = [
  "№",
  "Вопрос",
  "Тип",
  "Баллы",
  "Ответили",
  "Лёгкость",
  "Дискриминация",
  "Выбор вариантов",
  "Доля пройденных тестов",
];
const summaryHeaders = ["Показатель", "Значение"];

export const statisticsSheetHeaders = [...tableHeaders, "", ...summaryHeaders];
export const statisticsSheetWidths = [5, 40, 20, 8, 11, 10, 15, 48, 14, 3, 28, 28];
/** The auto-filter covers the question table, not the summary. */
export const statisticsFilterColumns = tableHeaders.length;

const typeLabels: Record<QuestionType, string> = {
  radio: "один вариант",
  check: "несколько вариантов",
  text: "текст",
  code: "код",
};

const countedLabels: Record<AttemptsMode, string> = {
  latest: "последняя каждого ученика",
  best: "лучшая каждого ученика",
  all: "все",
};

/** "✓ 4: 10; 5: 3": each variant with its picks, the correct ones marked. */
function variantPicks(question: QuestionStatistics): string | null {
  if (!question.variants) return null;
  const picks = question.variants.map(
    (variant) => `${variant.is_correct ? "✓ " : ""}${variant.text}: ${variant.picked}`,
  );
  return escapeCell(picks.join("; "));
}

function questionRow(question: QuestionStatistics, index: number, text: string): ExportCell[] {
  return [
    index + 1,
    escapeCell(questionLabel(text)),
    typeLabels[question.type],
    question.points,
    question.answered,
    question.facility,
    question.discrimination,
    variantPicks(question),
    question.cases_passed_rate ?? null,
  ];
}

function summaryRows(statistics: TestStatistics, attempts: AttemptsMode): ExportCell[][] {
  const { score } = statistics;
  return [
    ["Учтённые попытки", countedLabels[attempts]],
    ["Попыток", statistics.completions],
    ["Учеников", statistics.students],
    ["Максимум баллов", score.max_possible],
    ["Среднее", score.mean],
    ["Медиана", score.median],
    ["Стандартное отклонение", score.stdev],
    ["Минимум", score.min],
    ["Максимум", score.max],
    [null, null],
    ["Баллы", "Попыток"],
    ...score.histogram.map((bin, index) => [
      `${bin.from}–${bin.to}${index === score.histogram.length - 1 ? " (включительно)" : ""}`,
      bin.count,
    ]),
  ];
}

/** The sheet's rows under its header: a question per row on the left, the summary on the right. */
export function statisticsSheetRows(
  statistics: TestStatistics,
  questionTexts: Map<number, string>,
  attempts: AttemptsMode,
): ExportCell[][] {
  const questions = statistics.questions.map((question, index) =>
    questionRow(question, index, questionTexts.get(question.question) ?? ""),
  );
  const summary = summaryRows(statistics, attempts);
  const blankQuestion = tableHeaders.map(() => null);
  return Array.from({ length: Math.max(questions.length, summary.length) }, (_, index) => [
    ...(questions[index] ?? blankQuestion),
    null,
    ...(summary[index] ?? [null, null]),
  ]);
}
