/** What the sheet needs of a completion: who, when, the score and each answer's points. */
export interface ExportCompletion {
  id: number;
  user: { id: number; email: string; firstName: string; lastName: string };
  score: number;
  createdAt: Date;
  answers: { questionId: number; points: number }[];
}

/** What the sheet needs of a question: its id, order and maximum. */
export interface ExportQuestion {
  id: number;
  text: string;
  points: number;
}

export type ExportCell = string | number | Date | null;

export const noGroupLabel = "Не в группе";
const fixedHeaders = ["Email", "ФИ", "Группа", "Оценка", "Дата и время"] as const;
const fixedWidths = [32, 32, 20, 10, 20];
const questionWidth = 16;
const headerTextLength = 40;

/** Text that a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function escapeCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A worksheet name: no []:*?/\ characters, at most 31 of them, never empty. */
export function sheetName(testName: string): string {
  const cleaned = testName
    .replace(/[[\]:*?/\\]/g, "_")
    .replace(/^'+|'+$/g, "")
    .trim();
  return Array.from(cleaned).slice(0, 31).join("") || "Test";
}

/** A short plain-text label for a question: tags and inline images dropped, whitespace folded. */
export function questionLabel(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = Array.from(plain);
  return chars.length > headerTextLength
    ? `${chars.slice(0, headerTextLength - 1).join("")}…`
    : plain;
}

export function exportHeaders(questions: ExportQuestion[]): string[] {
  return [
    ...fixedHeaders,
    ...questions.map((question, index) =>
      escapeCell(`${index + 1}. ${questionLabel(question.text)} (макс. ${question.points})`),
    ),
  ];
}

export const exportColumnWidths = (questions: ExportQuestion[]) => [
  ...fixedWidths,
  ...questions.map(() => questionWidth),
];

/**
 * The group shown for a student: one the test is open to, else their first group, else none.
 * `studentGroups` are the student's groups in id order.
 */
export function groupLabel(
  studentGroups: { id: number; name: string }[],
  openGroupIds: ReadonlySet<number>,
): string {
  const chosen = studentGroups.find((group) => openGroupIds.has(group.id)) ?? studentGroups[0];
  return chosen ? chosen.name : noGroupLabel;
}

/** One sheet row per completion: who, group, score, when (UTC), then points per question. */
export function exportRow(
  completion: ExportCompletion,
  group: string,
  questions: ExportQuestion[],
): ExportCell[] {
  const pointsByQuestion = new Map(
    completion.answers.map((answer) => [answer.questionId, answer.points]),
  );
  return [
    escapeCell(completion.user.email),
    escapeCell(`${completion.user.lastName} ${completion.user.firstName}`),
    escapeCell(group),
    completion.score,
    completion.createdAt,
    ...questions.map((question) => pointsByQuestion.get(question.id) ?? 0),
  ];
}

/** `Content-Disposition` for a download named after the test (RFC 6266 / 5987). */
export function attachmentDisposition(testName: string): string {
  const fileName = `${testName.replace(/[\r\n]/g, " ").trim() || "test"}.xlsx`;
  const asciiFallback = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback}"; filename*=UTF-8''${encoded}`;
}
