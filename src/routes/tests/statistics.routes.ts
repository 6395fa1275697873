import { createRoute, z } from "@hono/zod-openapi";
import {
  acceptTokenQuery,
  handlerReadsCaller,
  requireUser,
  signedIn,
} from "../../http/authentication";
import {
  authenticated,
  errorResponses,
  IdParamsSchema,
  jsonContent,
  TokenQuerySchema,
} from "../../http/openapi";
import { AttemptsQuerySchema, TestStatisticsSchema } from "./statistics.schemas";

export const getTestStatistics = createRoute({
  method: "get",
  path: "/api/tests/{id}/statistics/",
  operationId: "tests_statistics_retrieve",
  summary: "Score summary and item analysis of a test (creator only)",
  description:
    "Over the completions `attempts` selects: the score's mean, median, spread and a 10-bin histogram; per question how many answered, its facility, its discrimination, the picks of each variant (radio, check) and the pass rate of test cases (code).",
  tags: ["tests"],
  ...signedIn(handlerReadsCaller),
  request: { params: IdParamsSchema, query: AttemptsQuerySchema },
  responses: {
    200: jsonContent(TestStatisticsSchema, "The test's statistics"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const getTestStatisticsHistogram = createRoute({
  method: "get",
  path: "/api/tests/{id}/statistics/histogram.svg",
  operationId: "tests_statistics_histogram_retrieve",
  summary: "The score histogram as an SVG image (creator only)",
  description:
    "The histogram of `tests_statistics_retrieve` drawn for a report: the test's name as the title, labelled axes and bins, counts on the bars; no scripts, links, fonts or images. Labels are in Russian when `Accept-Language` prefers it, else in English. Also accepts `?token=<access token>` instead of the Authorization header, for `<img>` tags.",
  tags: ["tests"],
  security: [...authenticated, { tokenQuery: [] }],
  middleware: [acceptTokenQuery, requireUser, handlerReadsCaller] as const,
  request: { params: IdParamsSchema, query: TokenQuerySchema.extend(AttemptsQuerySchema.shape) },
  responses: {
    200: {
      description: "The histogram",
      content: { "image/svg+xml": { schema: z.string().openapi({ format: "binary" }) } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});
