import { z } from "@hono/zod-openapi";

type SecurityRequirement = Record<string, string[]>;

/** Operations that need a signed-in caller. */
export const authenticated: SecurityRequirement[] = [{ jwtAuth: [] }, { basicAuth: [] }];
/** Operations anyone may call; credentials are still read when sent. */
export const optionalAuthentication: SecurityRequirement[] = [
  { jwtAuth: [] },
  { basicAuth: [] },
  {},
];

export const DetailSchema = z
  .object({ detail: z.string() })
  .openapi("Detail", { example: { detail: "Not found." } });

export const ValidationErrorSchema = z.record(z.string(), z.unknown()).openapi("ValidationError", {
  description:
    "Field name → list of messages, nested like the request body; errors about the whole body are under `non_field_errors`.",
  example: { email: ["Enter a valid email address."], non_field_errors: ["..."] },
});

const errorDescriptions = {
  400: "Invalid input",
  401: "Missing or invalid credentials",
  403: "Not allowed for the caller",
  404: "Not found (or belongs to another organization)",
  409: "Conflicts with the current state",
  413: "Request body too large",
  415: "Unsupported media type",
  429: "Too many requests (see Retry-After and RateLimit-* headers)",
  503: "Busy: try again after Retry-After",
} as const;

type ErrorStatus = keyof typeof errorDescriptions;

/** A 400 carries field errors; every other error a `detail`. Typed per status for `AppType`. */
type ErrorSchema<S extends ErrorStatus> = S extends 400
  ? typeof ValidationErrorSchema
  : typeof DetailSchema;

type ErrorResponses<S extends ErrorStatus> = {
  [K in S]: { description: string; content: { "application/json": { schema: ErrorSchema<K> } } };
};

/** The documented error responses of an operation, in the contract's shapes. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): ErrorResponses<S> {
  const responses: Partial<Record<ErrorStatus, unknown>> = {};
  for (const status of statuses) {
    const schema = status === 400 ? ValidationErrorSchema : DetailSchema;
    responses[status] = {
      description: errorDescriptions[status],
      content: { "application/json": { schema } },
    };
  }
  return responses as ErrorResponses<S>;
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/**
 * A required JSON body. Flat bodies are also accepted as HTML forms (see `acceptBody`); the
 * OpenAPI document lists those media types too (see `documentFormBodies`).
 */
export function requestBody<T extends z.ZodType>(schema: T, componentName: string) {
  return {
    required: true,
    content: { "application/json": { schema: schema.openapi(componentName) } },
  };
}

/** Path parameter `id`: a positive integer; anything else answers 404 (see validationHook). */
export const IdParamsSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: "id", in: "path", required: true }, type: "integer", example: 1 }),
});

/** `?token=<access token>`: the download links' stand-in for an Authorization header. */
export const TokenQuerySchema = z.object({
  token: z
    .string()
    .max(4096)
    .optional()
    .openapi({ description: "An access token, for download links" }),
});
