import { z } from "@hono/zod-openapi";
import { schemaMessage } from "./validation-messages";

/*
 * CONTRACT §1 Text input, as zod checks that every string field of a request starts with (so
 * they see the raw input, before trimming). Both are documented as a `pattern`.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const withoutControlCharacters = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const withoutNul = /^[^\u0000]*$/;

/**
 * Names, e-mails, passwords, variant texts, typed answers, tokens: no C0 control character
 * (NUL, tab and line breaks included), no DEL or C1 control (U+0085 is a line break too), no
 * U+2028/U+2029.
 */
export const singleLineText = () =>
  z.regex(withoutControlCharacters, schemaMessage("control_characters"));

/** The single-line rule as a JSON Schema `pattern`, for schemas whose documentation is written out. */
export const singleLineTextPattern = withoutControlCharacters.source;

/** Question text, descriptions, code: anything but NUL (which libSQL would cut the text at). */
export const multiLineText = () => z.regex(withoutNul, schemaMessage("null_characters"));
