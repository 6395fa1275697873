import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A DRF validation body: field → messages, nested the way the input was. */
export type ValidationErrorBody = { [field: string]: ValidationErrorNode };
export type ValidationErrorNode = string[] | ValidationErrorBody | ValidationErrorNode[];

/** An error the client caused or may see; mapped to the contract's shapes by the app's onError. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.detail === "string" ? body.detail : `HTTP ${status}`);
  }
}

export const authenticateHeader = { "WWW-Authenticate": 'Bearer realm="api"' };

export const notAuthenticated = (
  detail = "Authentication credentials were not provided.",
  extra: Record<string, unknown> = {},
) => new ApiError(401, { detail, ...extra }, authenticateHeader);

export const invalidToken = (detail = "Given token not valid for any token type") =>
  notAuthenticated(detail, { code: "token_not_valid" });

export const permissionDenied = (detail = "You do not have permission to perform this action.") =>
  new ApiError(403, { detail });

export const notFound = (detail = "Not found.") => new ApiError(404, { detail });

export const conflict = (detail: string) => new ApiError(409, { detail });

export const tooManyRequests = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    { detail: `Request was throttled. Expected available in ${retryAfterSeconds} seconds.` },
    { "Retry-After": String(retryAfterSeconds) },
  );

/** 400 with messages for one field, e.g. `validationError("email", "Enter a valid email address.")`. */
export const validationError = (field: string, ...messages: string[]) =>
  new ApiError(400, { [field]: messages });

export const nonFieldError = (...messages: string[]) =>
  new ApiError(400, { non_field_errors: messages });

type Path = ReadonlyArray<PropertyKey>;

/** A message about one place in the input: zod issues have this shape, and so do domain checks. */
export interface FieldIssue {
  path: Path;
  message: string;
}

function childOf(input: unknown, key: PropertyKey): unknown {
  if (input !== null && typeof input === "object") {
    return (input as Record<PropertyKey, unknown>)[key];
  }
  return undefined;
}

/** Puts `message` at `path` inside `node`, building objects for keys and lists for indexes. */
function insertMessage(
  node: ValidationErrorBody | ValidationErrorNode[],
  path: Path,
  message: string,
  input: unknown,
): void {
  const [head, ...rest] = path;
  const key = typeof head === "number" ? head : String(head);
  const container = node as Record<PropertyKey, ValidationErrorNode | undefined>;
  if (rest.length === 0) {
    const existing = container[key];
    container[key] = Array.isArray(existing) ? [...(existing as string[]), message] : [message];
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
  return Array.isArray(node) && node.every((item) => typeof item === "string");
}

/** DRF answers list errors with one entry per item, `{}` for the items without errors. */
function emptyItems(input: unknown): ValidationErrorBody[] {
  const length = Array.isArray(input) ? input.length : 0;
  return Array.from({ length }, () => ({}));
}

/** Turns zod issues into DRF's nested shape; issues about the whole body go to non_field_errors. */
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
