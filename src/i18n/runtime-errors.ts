import { codeEnd, codeStart } from "./grader-text";
import { isMessageKey, type Language, type MessageKey, renderMessage } from "./messages";

const storedCode = new RegExp(
  `${codeStart}(grading_[a-z_]+)(?: (\\{[^${codeStart}${codeEnd}]*\\}))?${codeEnd}`,
  "g",
);

/**
 * A code answer's `runtime_errors` for a reader: the grader's codes (see `graderText`) in the
 * reader's language, the run's own text as it was printed. Rows stored before the codes are plain
 * English text and read as they are.
 */
export function renderRuntimeErrors(stored: string | null, language: Language): string | null {
  if (stored === null) return null;
  return stored.replace(storedCode, (whole, key: string, json: string | undefined) => {
    if (!isMessageKey(key)) return whole;
    const params = json === undefined ? undefined : parseParams(json);
    if (params === null) return whole;
    return renderMessage(language, key as MessageKey, params as never);
  });
}

function parseParams(json: string): object | null {
  try {
    const params: unknown = JSON.parse(json);
    return params !== null && typeof params === "object" ? params : null;
  } catch {
    return null;
  }
}
