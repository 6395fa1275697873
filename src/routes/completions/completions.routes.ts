import { createRoute, z } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import {
  acceptTokenQuery,
  callerId,
  handlerReadsCaller,
  requireUser,
  signedIn,
} from "../../http/authentication";
import {
  authenticated,
  errorResponses,
  IdParamsSchema,
  jsonContent,
  requestBody,
  TokenQuerySchema,
} from "../../http/openapi";
import { PageQuerySchema, pagedListContent } from "../../http/paging";
import { rateLimit } from "../../http/rate-limit";
import { AttemptsQuerySchema } from "../tests/statistics.schemas";
import { PublicUuidParamsSchema } from "../tests/tests.routes";
import {
  CreateCompletionBodySchema,
  StudentCompletionSchema,
  TeacherCompletionSchema,
} from "./completions.schemas";

export const createCompletion = createRoute({
  method: "post",
  path: "/api/completions/",
  operationId: "completions_create",
  summary: "Create new completion",
  description:
    "Submits a student's answers to a test open to them. Answers are scored at once; code answers wait for the grader (status `grading`).",
  tags: ["completions"],
  ...signedIn(
    handlerReadsCaller,
    rateLimit({
      refusal: "too_many_submissions",
      limiter: (l) => l.submissionsPerUser,
      key: (c) => String(callerId(c)),
    }),
    acceptBody(CreateCompletionBodySchema),
  ),
  request: { body: requestBody(CreateCompletionBodySchema, "CreateCompletionBody") },
  responses: {
    201: jsonContent(StudentCompletionSchema, "The scored completion"),
    ...errorResponses(400, 401, 403, 409, 413, 415, 429, 503),
  },
});

export const getCompletion = createRoute({
  method: "get",
  path: "/api/completions/{id}/",
  operationId: "completions_retrieve",
  summary: "Return completion",
  tags: ["completions"],
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: {
    200: jsonContent(StudentCompletionSchema, "The completion"),
    ...errorResponses(401, 404),
  },
});

export const getCompletionWithCorrectness = createRoute({
  method: "get",
  path: "/api/completions/{id}/with_correctness/",
  operationId: "completions_with_correctness_retrieve",
  summary: "Return completion with is_correct in answers.",
  tags: ["completions"],
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: {
    200: jsonContent(TeacherCompletionSchema, "The completion with correctness"),
    ...errorResponses(401, 403, 404),
  },
});

export const listTestCompletions = createRoute({
  method: "get",
  path: "/api/tests/{id}/completions/",
  operationId: "tests_completions_list",
  summary: "Get all completions of test.",
  tags: ["tests"],
  ...signedIn(),
  request: { params: IdParamsSchema, query: PageQuerySchema },
  responses: {
    200: pagedListContent(TeacherCompletionSchema, "Every completion of the test"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const exportTestCompletions = createRoute({
  method: "get",
  path: "/api/tests/{id}/completions/export/",
  operationId: "tests_completions_export_retrieve",
  summary: "Get completions of test in xlsx format.",
  description:
    "Also accepts `?token=<access token>` instead of the Authorization header, for plain download links. A second sheet, `Статистика`, holds the statistics of `tests_statistics_retrieve` over the completions `attempts` selects.",
  tags: ["tests"],
  security: [...authenticated, { tokenQuery: [] }],
  middleware: [acceptTokenQuery, requireUser] as const,
  request: {
    params: IdParamsSchema,
    query: TokenQuerySchema.extend(AttemptsQuerySchema.shape),
  },
  responses: {
    200: {
      description: "The completions as a spreadsheet",
      content: {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
          schema: z.string().openapi({ format: "binary" }),
        },
      },
    },
    ...errorResponses(401, 403, 404),
  },
});

export const listMyCompletionsOfTest = createRoute({
  method: "get",
  path: "/api/tests/p/{public_uuid}/completions/",
  operationId: "tests_p_completions_list",
  summary: "Get all completions of current student of current test.",
  tags: ["tests"],
  ...signedIn(handlerReadsCaller),
  request: { params: PublicUuidParamsSchema, query: PageQuerySchema },
  responses: {
    200: pagedListContent(StudentCompletionSchema, "The caller's completions of the test"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const listMyCompletions = createRoute({
  method: "get",
  path: "/api/users/me/completions/",
  operationId: "users_me_completions_list",
  summary: "Get all completions of current user.",
  tags: ["users"],
  ...signedIn(),
  request: { query: PageQuerySchema },
  responses: {
    200: pagedListContent(StudentCompletionSchema, "The caller's completions"),
    ...errorResponses(400, 401),
  },
});
