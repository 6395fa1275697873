import { z } from "@hono/zod-openapi";
import type { Page } from "../db/queries/page";
import type { AppContext } from "./context";
import { schemaMessage } from "./validation-messages";

export const maxPageSize = 1000;

/** A query parameter holding a whole number: digits only (no sign, exponent or spaces). */
const wholeNumber = (minimum: number, maximum: number) =>
  z
    .string()
    .regex(/^\d+$/, schemaMessage("not_an_integer"))
    .transform(Number)
    // Digits only, so a whole number; too many of them fail the maximum.
    .pipe(z.number().min(minimum).max(maximum))
    .optional();

/** `?limit=&after=` of the lists that grow with use (CONTRACT §1 Lists). */
export const PageQuerySchema = z.object({
  limit: wholeNumber(1, maxPageSize).openapi({
    param: { name: "limit", in: "query" },
    type: "integer",
    minimum: 1,
    maximum: maxPageSize,
    description:
      'At most this many items; a `Link: <…>; rel="next"` header points to the rest. Without it, the whole list.',
  }),
  after: wholeNumber(0, Number.MAX_SAFE_INTEGER).openapi({
    param: { name: "after", in: "query" },
    type: "integer",
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "Only items whose id is greater than this (the `after` of a `Link` header)",
  }),
});

export type PageQuery = z.infer<typeof PageQuerySchema>;

export const toPage = (query: PageQuery): Page => ({ afterId: query.after, limit: query.limit });

/**
 * A 200 list response as documented: a bare JSON array, with a `Link` header when a page was
 * asked for and more items follow it.
 */
export function pagedListContent<T extends z.ZodType>(itemSchema: T, description: string) {
  return {
    description,
    headers: z.object({
      Link: z.string().optional().openapi({
        description:
          'When `limit` was given and more items follow: `<path?after=N&limit=M>; rel="next"` (other query parameters kept)',
        example: '</api/users/?after=120&limit=50>; rel="next"',
      }),
    }),
    content: { "application/json": { schema: z.array(itemSchema) } },
  };
}

/** The `Link` header pointing to the page after `nextAfterId`, or none when the list ended. */
export function nextPageHeaders(
  c: AppContext,
  page: Page,
  nextAfterId: number | undefined,
): Record<string, string> {
  if (nextAfterId === undefined || page.limit === undefined) return {};
  const url = new URL(c.req.url);
  url.searchParams.set("after", String(nextAfterId));
  url.searchParams.set("limit", String(page.limit));
  return { Link: `<${url.pathname}${url.search}>; rel="next"` };
}
