import { renderRuntimeErrors } from "../../src/i18n/runtime-errors";

/**
 * A grader's report as an English reader of `runtime_errors` sees it: the grader writes its own
 * words as codes (rendered in the reader's language), so tests of the grader read them in English.
 */
export const inEnglish = <Report extends { errors: string | null }>(report: Report): Report => ({
  ...report,
  errors: renderRuntimeErrors(report.errors, "en"),
});
