import { createRoute, z } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import { handlerReadsCaller, signedIn } from "../../http/authentication";
import { errorResponses, IdParamsSchema, jsonContent, requestBody } from "../../http/openapi";
import { PageQuerySchema, pagedListContent } from "../../http/paging";
import {
  CreateTestBodySchema,
  StartedAttemptSchema,
  StudentTestSchema,
  TeacherTestSchema,
  TestGroupBodySchema,
  UpdateTestBodySchema,
} from "./tests.schemas";

const tags = ["tests"];

export const PublicUuidParamsSchema = z.object({
  public_uuid: z
    .string()
    .max(64)
    .openapi({ param: { name: "public_uuid", in: "path", required: true }, example: "k3x9q2ab" }),
});

export const listTests = createRoute({
  method: "get",
  path: "/api/tests/",
  operationId: "tests_list",
  summary: "List all tests created by current teacher.",
  tags,
  ...signedIn(),
  request: { query: PageQuerySchema },
  responses: {
    200: pagedListContent(StudentTestSchema, "The caller's tests, without answers"),
    ...errorResponses(400, 401, 403),
  },
});

export const createTest = createRoute({
  method: "post",
  path: "/api/tests/",
  operationId: "tests_create",
  summary: "Create new test.",
  description:
    "Questions and their variants are created in one transaction: one invalid question creates nothing.",
  tags,
  ...signedIn(acceptBody(CreateTestBodySchema)),
  request: { body: requestBody(CreateTestBodySchema, "CreateTestBody") },
  responses: {
    201: jsonContent(TeacherTestSchema, "The new test"),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const getTest = createRoute({
  method: "get",
  path: "/api/tests/{id}/",
  operationId: "tests_retrieve",
  summary: "Return test (teachers only!)",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: { 200: jsonContent(TeacherTestSchema, "The test"), ...errorResponses(401, 403, 404) },
});

export const updateTest = createRoute({
  method: "patch",
  path: "/api/tests/{id}/",
  operationId: "tests_partial_update",
  summary: "Rename a test or replace its questions (creator only)",
  description: "Replacing the questions of a test that has completions is refused with 409.",
  tags,
  ...signedIn(acceptBody(UpdateTestBodySchema)),
  request: { params: IdParamsSchema, body: requestBody(UpdateTestBodySchema, "UpdateTestBody") },
  responses: {
    200: jsonContent(TeacherTestSchema, "The updated test"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415),
  },
});

export const deleteTest = createRoute({
  method: "delete",
  path: "/api/tests/{id}/",
  operationId: "tests_destroy",
  summary: "Delete a test with its questions and completions (creator only)",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404) },
});

const groupAccessRoute = <A extends "allow_for_group" | "disallow_for_group">(
  action: A,
  summary: string,
) =>
  createRoute({
    method: "post",
    path: `/api/tests/{id}/${action}/`,
    operationId: `tests_${action}_create`,
    summary,
    tags,
    ...signedIn(acceptBody(TestGroupBodySchema)),
    request: { params: IdParamsSchema, body: requestBody(TestGroupBodySchema, "TestGroupBody") },
    responses: {
      200: jsonContent(TeacherTestSchema, "The test"),
      ...errorResponses(400, 401, 403, 404, 413, 415),
    },
  });

export const allowForGroup = groupAccessRoute(
  "allow_for_group",
  "Allow test completion for group.",
);
export const disallowForGroup = groupAccessRoute(
  "disallow_for_group",
  "Disallow test completion for group.",
);

export const regenerateUuid = createRoute({
  method: "post",
  path: "/api/tests/{id}/regenerate_uuid/",
  operationId: "tests_regenerate_uuid_create",
  summary: "Regenerate uuid, that used in link for test completion.",
  description: "The old link stops working at once.",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: {
    200: jsonContent(TeacherTestSchema, "The test with its new link"),
    ...errorResponses(401, 403, 404),
  },
});

export const getPublicTest = createRoute({
  method: "get",
  path: "/api/tests/p/{public_uuid}/",
  operationId: "tests_p_retrieve",
  summary: "Get test for completion (only students!)",
  tags,
  ...signedIn(handlerReadsCaller),
  request: { params: PublicUuidParamsSchema },
  responses: {
    200: jsonContent(StudentTestSchema, "The test, without answers"),
    ...errorResponses(401, 403, 404),
  },
});

export const startAttempt = createRoute({
  method: "post",
  path: "/api/tests/p/{public_uuid}/start/",
  operationId: "tests_p_start_create",
  summary: "Start an attempt at a test (students only), or get the one open",
  description:
    "Needed before submitting to a test with a `time_limit`; optional otherwise (a submission without it opens and submits an attempt at once). While an attempt is open (started, not submitted, its deadline not passed) this answers 200 with that same attempt, also to concurrent calls. Outside the test's window 403 naming the time; with `max_attempts` used up 403 `No attempts left.`",
  tags,
  ...signedIn(handlerReadsCaller),
  request: { params: PublicUuidParamsSchema },
  responses: {
    200: jsonContent(StartedAttemptSchema, "The attempt already open"),
    201: jsonContent(StartedAttemptSchema, "A new attempt"),
    ...errorResponses(401, 403, 404),
  },
});
