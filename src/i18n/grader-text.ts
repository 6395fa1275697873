import type { MessageKey, ParamsArgument } from "./catalogue";

/** The messages the grader writes into `runtime_errors`. */
export type GraderMessageKey = Extract<MessageKey, `grading_${string}`>;

/**
 * Grader-written text is stored as codes inside `runtime_errors`: STX, the key, a space and the
 * parameters as JSON when there are any, ETX. Everything around them is the run's own text (the
 * student's traceback, the source of a test), shown as it is. See `renderRuntimeErrors`.
 */
export const codeStart = "\u0002";
export const codeEnd = "\u0003";

/** A grader message as stored: rendered in the reader's language when it is read. */
export function graderText<K extends GraderMessageKey>(
  key: K,
  ...[params]: ParamsArgument<K>
): string {
  const encoded = params === undefined ? "" : ` ${JSON.stringify(params)}`;
  return `${codeStart}${key}${encoded}${codeEnd}`;
}
