import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { message } from "../i18n/messages";
import type { AppEnv } from "./context";
import { ApiError, badRequest } from "./errors";

const unsupportedMediaType = (contentType: string | undefined) =>
  new ApiError(415, {
    detail: contentType
      ? message("unsupported_media_type", { type: contentType })
      : message("missing_content_type"),
  });

const trueValues = new Set(["t", "true", "y", "yes", "on", "1"]);
const falseValues = new Set(["f", "false", "n", "no", "off", "0"]);
const scalarTypes = new Set(["string", "number", "boolean", "null", "enum", "literal"]);

/** The base type of a (possibly optional, nullable, defaulted or piped) zod field. */
function baseType(field: z.core.$ZodType): { type: string; nullable: boolean } {
  let current = field;
  let nullable = false;
  for (;;) {
    const def = current._zod.def as {
      type: string;
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
    };
    if (def.type === "nullable") nullable = true;
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!inner) return { type: def.type, nullable };
    current = inner;
  }
}

/** A body whose fields are all scalars can also travel as an HTML form. */
export function isFlatSchema(schema: z.ZodObject): boolean {
  return Object.values(schema.shape).every((field) => scalarTypes.has(baseType(field).type));
}

/** Form fields are strings: turn them into the JSON types the schema expects, as DRF does. */
function coerceFormField(field: z.core.$ZodType | undefined, value: unknown): unknown {
  if (typeof value !== "string" || !field) return value;
  const { type, nullable } = baseType(field);
  if (value === "" && nullable) return null;
  if (type === "number" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (type === "boolean") {
    const lowered = value.trim().toLowerCase();
    if (trueValues.has(lowered)) return true;
    if (falseValues.has(lowered)) return false;
  }
  return value;
}

async function readForm(c: Context<AppEnv>) {
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    throw badRequest(message("form_parse_error"));
  }
}

/**
 * Runs before validation on every route with a body: refuses a missing or foreign Content-Type
 * with 415 and, for flat bodies, turns an HTML form into the equivalent JSON request.
 */
export function acceptBody(schema: z.ZodObject) {
  const acceptsForms = isFlatSchema(schema);
  const shape = schema.shape as Record<string, z.core.$ZodType>;
  return createMiddleware<AppEnv>(async (c, next) => {
    const contentType = c.req.header("content-type");
    const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
    if (mediaType === "application/json" || mediaType?.match(/^application\/[\w.-]+\+json$/))
      return next();
    const isForm =
      mediaType === "application/x-www-form-urlencoded" || mediaType === "multipart/form-data";
    if (!isForm || !acceptsForms) throw unsupportedMediaType(contentType);

    const form = await readForm(c);
    // No prototype: a form field named "__proto__" must stay a field.
    const body: Record<string, unknown> = Object.create(null);
    for (const [key, value] of Object.entries(form)) {
      body[key] = coerceFormField(
        Object.hasOwn(shape, key) ? shape[key] : undefined,
        Array.isArray(value) ? value.at(-1) : value,
      );
    }
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.url, {
      method: c.req.method,
      headers,
      body: JSON.stringify(body),
    });
    c.req.bodyCache = {};
    return next();
  });
}
