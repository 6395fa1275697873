import { z } from "@hono/zod-openapi";

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

function invalidTypeMessage(expected: string, input: unknown): string {
  if (input === undefined) return "This field is required.";
  if (input === null && expected !== "object") return "This field may not be null.";
  switch (expected) {
    case "string":
      return "Not a valid string.";
    case "number":
    case "int":
      return "A valid integer is required.";
    case "boolean":
      return "Must be a valid boolean.";
    case "array":
      return `Expected a list of items but got type "${pythonTypeName(input)}".`;
    case "object":
      return `Invalid data. Expected a dictionary, but got ${pythonTypeName(input)}.`;
    default:
      return "Invalid value.";
  }
}

/** Zod's messages in the words of Django REST Framework, which existing clients show to users. */
const drfErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return invalidTypeMessage(issue.expected, issue.input);
    case "too_small":
      if (issue.origin === "string") {
        return Number(issue.minimum) <= 1
          ? "This field may not be blank."
          : `Ensure this field has at least ${issue.minimum} characters.`;
      }
      if (issue.origin === "array") {
        return Number(issue.minimum) <= 1
          ? "This list may not be empty."
          : `Ensure this field has at least ${issue.minimum} elements.`;
      }
      return `Ensure this value is greater than or equal to ${issue.minimum}.`;
    case "too_big":
      if (issue.origin === "string") {
        return `Ensure this field has no more than ${issue.maximum} characters.`;
      }
      if (issue.origin === "array") {
        return `Ensure this field has no more than ${issue.maximum} elements.`;
      }
      return `Ensure this value is less than or equal to ${issue.maximum}.`;
    case "invalid_format":
      if (issue.format === "email") return "Enter a valid email address.";
      if (issue.format === "url") return "Enter a valid URL.";
      if (issue.format === "datetime")
        return "Datetime has wrong format. Use this format instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]](Z|+HH:MM|-HH:MM); the time zone is required.";
      return "Enter a valid value.";
    case "invalid_value":
      return `"${String(issue.input)}" is not a valid choice.`;
    case "invalid_union":
      return "Invalid value.";
    default:
      return undefined;
  }
};

z.config({ customError: drfErrorMap });
