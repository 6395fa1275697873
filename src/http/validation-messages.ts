import type { z } from "@hono/zod-openapi";
import zodRussian from "zod/v4/locales/ru.js";
import {
  isMessageKey,
  type Language,
  LocalizedText,
  Message,
  type MessageKey,
  message,
  type ParamsArgument,
} from "../i18n/messages";

/** The name DRF gives a JSON value's type in its messages ("got list", "got str"). */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "NoneType";
  switch (typeof value) {
    case "string":
      return "str";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "boolean":
      return "bool";
    default:
      return "dict";
  }
}

function invalidTypeMessage(expected: string, input: unknown): Message {
  if (input === undefined) return message("required");
  if (input === null && expected !== "object") return message("not_null");
  switch (expected) {
    case "string":
      return message("not_a_string");
    case "number":
    case "int":
      return message("not_an_integer");
    case "boolean":
      return message("not_a_boolean");
    case "array":
      return message("not_a_list", { type: pythonTypeName(input) });
    case "object":
      return message("not_a_dictionary", { type: pythonTypeName(input) });
    default:
      return message("invalid_value");
  }
}

/** Zod's issues in the words of Django REST Framework, which existing clients show to users. */
function drfMessage(issue: z.core.$ZodIssue, input: unknown): Message | undefined {
  switch (issue.code) {
    case "invalid_type":
      return invalidTypeMessage(issue.expected, input);
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return min <= 1 ? message("blank") : message("string_too_short", { min });
      if (issue.origin === "array")
        return min <= 1 ? message("list_empty") : message("list_too_short", { min });
      return message("number_too_small", { min });
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return message("string_too_long", { max });
      if (issue.origin === "array") return message("list_too_long", { max });
      return message("number_too_big", { max });
    }
    case "invalid_format":
      if (issue.format === "email") return message("invalid_email");
      if (issue.format === "url") return message("invalid_url");
      if (issue.format === "datetime") return message("invalid_datetime");
      return message("invalid_format");
    case "invalid_value":
      return message("invalid_choice", { input: String(input) });
    case "invalid_union":
      return message("invalid_value");
    default:
      return undefined;
  }
}

const russianZod = zodRussian().localeError;

/** An issue DRF has no words for: zod's own message, in zod's locale for the language. */
class ZodLocaleText extends LocalizedText {
  constructor(
    private readonly issue: z.core.$ZodIssue,
    private readonly input: unknown,
  ) {
    super();
  }

  in(language: Language): string {
    if (language === "en") return this.issue.message;
    const text = russianZod({ ...this.issue, input: this.input } as z.core.$ZodRawIssue);
    return (typeof text === "string" ? text : text?.message) ?? this.issue.message;
  }
}

/**
 * The parameters a schema's own message key is rendered with: what a refinement passed, and
 * what the issue says of the input.
 */
function schemaMessageParams(issue: z.core.$ZodIssue, input: unknown): Record<string, unknown> {
  const languages =
    issue.code === "invalid_value" ? issue.values.map((value) => `"${String(value)}"`) : [];
  return {
    input: String(input),
    languages: languages.join(", "),
    ...(issue.code === "custom" ? issue.params : {}),
  };
}

/**
 * A zod issue's message: a schema's own (a message key, see `schemaMessage`), else DRF's words,
 * else zod's. `input` is the value the issue is about (undefined when it is missing).
 */
export function zodIssueText(issue: z.core.$ZodIssue, input: unknown): LocalizedText {
  if (isMessageKey(issue.message))
    return new Message(issue.message, schemaMessageParams(issue, input) as never);
  return drfMessage(issue, input) ?? new ZodLocaleText(issue, input);
}

/**
 * A schema's own message (a refinement's, a check's): zod keeps it as the issue's message, and
 * `zodIssueText` renders it in the request's language.
 */
export const schemaMessage = (key: MessageKey): string => key;

/** A refinement's issue at `path` with a schema message and its parameters. */
export function addSchemaIssue<K extends MessageKey>(
  ctx: z.core.$RefinementCtx,
  path: PropertyKey[],
  key: K,
  ...[params]: ParamsArgument<K>
) {
  ctx.addIssue({
    code: "custom",
    path,
    message: schemaMessage(key),
    params: params as object | undefined,
  });
}
