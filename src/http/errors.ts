import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type Language, LocalizedText, Message, message } from "../i18n/messages";

/** A DRF validation body: field → messages, nested the way the input was. */
export type ValidationErrorBody = { [field: string]: ValidationErrorNode };
export type ValidationErrorNode = LocalizedText[] | ValidationErrorBody | ValidationErrorNode[];

/**
 * An error the client caused or may see; mapped to the contract's shapes by the app's onError,
 * which renders the Messages in its body in the request's language.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.detail instanceof Message ? body.detail.in("en") : `HTTP ${status}`);
  }
}

/** The body `{ detail }` with the detail in `language`. */
export const detailIn = (language: Language, detail: Message) => ({ detail: detail.in(language) });

export const authenticateHeader = { "WWW-Authenticate": 'Bearer realm="api"' };

export const notAuthenticated = (
  detail: Message = message("not_authenticated"),
  extra: Record<string, unknown> = {},
) => new ApiError(401, { detail, ...extra }, authenticateHeader);

export const invalidToken = (detail: Message = message("token_not_valid")) =>
  notAuthenticated(detail, { code: "token_not_valid" });

export const permissionDenied = (detail: Message = message("permission_denied")) =>
  new ApiError(403, { detail });

export const notFound = (detail: Message = message("not_found")) => new ApiError(404, { detail });

export const conflict = (detail: Message) => new ApiError(409, { detail });

export const badRequest = (detail: Message) => new ApiError(400, { detail });

export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    { detail: message("throttled", { seconds: retryAfterSeconds }) },
    { "Retry-After": String(retryAfterSeconds) },
  );

/** 400 with messages for one field, e.g. `validationError("email", message("email_taken"))`. */
export const validationError = (field: string, ...messages: Message[]) =>
  new ApiError(400, { [field]: messages });

type Path = ReadonlyArray<PropertyKey>;

/** A message about one place in the input, from a domain check. */
export interface FieldIssue {
  path: Path;
  message: LocalizedText;
}

function childOf(input: unknown, key: PropertyKey): unknown {
  if (input !== null && typeof input === "object") {
    return (input as Record<PropertyKey, unknown>)[key];
  }
  return undefined;
}

/** The part of `input` at `path` (undefined where it is missing). */
export const valueAt = (input: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => childOf(node, key), input);

/** Puts `message` at `path` inside `node`, building objects for keys and lists for indexes. */
function insertMessage(
  node: ValidationErrorBody | ValidationErrorNode[],
  path: Path,
  message: LocalizedText,
  input: unknown,
): void {
  const [head, ...rest] = path;
  const key = typeof head === "number" ? head : String(head);
  const container = node as Record<PropertyKey, ValidationErrorNode | undefined>;
  if (rest.length === 0) {
    const existing = container[key];
    container[key] = Array.isArray(existing)
      ? [...(existing as LocalizedText[]), message]
      : [message];
    return;
  }
  const childInput = childOf(input, key);
  let child = container[key];
  if (
    child === undefined ||
    (Array.isArray(child) && typeof rest[0] !== "number" && isMessageList(child))
  ) {
    child = typeof rest[0] === "number" ? emptyItems(childInput) : {};
    container[key] = child;
  }
  insertMessage(child as ValidationErrorBody, rest, message, childInput);
}

function isMessageList(node: ValidationErrorNode): boolean {
  return Array.isArray(node) && node.every((item) => item instanceof LocalizedText);
}

/** DRF answers list errors with one entry per item, `{}` for the items without errors. */
function emptyItems(input: unknown): ValidationErrorBody[] {
  const length = Array.isArray(input) ? input.length : 0;
  return Array.from({ length }, () => ({}));
}

/** Turns issues into DRF's nested shape; issues about the whole body go to non_field_errors. */
export function toValidationErrorBody(
  issues: readonly FieldIssue[],
  input: unknown,
): ValidationErrorBody {
  const body: ValidationErrorBody = {};
  for (const issue of issues) {
    const path = issue.path.length === 0 ? ["non_field_errors"] : issue.path;
    insertMessage(body, path, issue.message, input);
  }
  return body;
}
