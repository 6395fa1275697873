import { createRoute } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import { signedIn } from "../../http/authentication";
import {
  errorResponses,
  IdParamsSchema,
  jsonContent,
  optionalAuthentication,
  requestBody,
} from "../../http/openapi";
import { PageQuerySchema, pagedListContent } from "../../http/paging";
import { rateLimit } from "../../http/rate-limit";
import {
  PatchMeBodySchema,
  RegisterBodySchema,
  SetRoleBodySchema,
  UpdateMeBodySchema,
  UserSchema,
} from "./users.schemas";

const tags = ["users"];

export const register = createRoute({
  method: "post",
  path: "/api/users/",
  operationId: "users_create",
  summary: "Create new user. (register)",
  tags,
  security: optionalAuthentication,
  middleware: [
    rateLimit({
      refusal: "too_many_registrations",
      limiter: (l) => l.registrationsPerAddress,
      key: (c) => c.var.deps.clientAddress(c),
    }),
    acceptBody(RegisterBodySchema),
  ] as const,
  request: { body: requestBody(RegisterBodySchema, "RegisterBody") },
  responses: {
    201: jsonContent(UserSchema, "The new user"),
    ...errorResponses(400, 413, 415, 429),
  },
});

export const listUsers = createRoute({
  method: "get",
  path: "/api/users/",
  operationId: "users_list",
  summary: "List the users of the caller's organization",
  tags,
  ...signedIn(),
  request: { query: PageQuerySchema },
  responses: {
    200: pagedListContent(
      UserSchema,
      "Members of the caller's organization (only the caller without one)",
    ),
    ...errorResponses(400, 401),
  },
});

export const getMe = createRoute({
  method: "get",
  path: "/api/users/me",
  operationId: "users_me_retrieve",
  summary: "Get info about current user.",
  tags,
  ...signedIn(),
  responses: { 200: jsonContent(UserSchema, "The caller"), ...errorResponses(401) },
});

export const updateMe = createRoute({
  method: "put",
  path: "/api/users/me",
  operationId: "users_me_update",
  summary: "Update current user.",
  tags,
  ...signedIn(acceptBody(UpdateMeBodySchema)),
  request: { body: requestBody(UpdateMeBodySchema, "UpdateMeBody") },
  responses: {
    200: jsonContent(UserSchema, "The updated caller"),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const patchMe = createRoute({
  method: "patch",
  path: "/api/users/me",
  operationId: "users_me_partial_update",
  summary: "Update some fields of the current user.",
  tags,
  ...signedIn(acceptBody(PatchMeBodySchema)),
  request: { body: requestBody(PatchMeBodySchema, "PatchMeBody") },
  responses: {
    200: jsonContent(UserSchema, "The updated caller"),
    ...errorResponses(400, 401, 413, 415),
  },
});

export const getUser = createRoute({
  method: "get",
  path: "/api/users/{id}/",
  operationId: "users_retrieve",
  summary: "Return user",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: { 200: jsonContent(UserSchema, "The user"), ...errorResponses(401, 404) },
});

export const setRole = createRoute({
  method: "patch",
  path: "/api/users/{id}/",
  operationId: "users_partial_update",
  summary: "Promote a member to teacher or demote them (organization owner only)",
  tags,
  ...signedIn(acceptBody(SetRoleBodySchema)),
  request: { params: IdParamsSchema, body: requestBody(SetRoleBodySchema, "SetRoleBody") },
  responses: {
    200: jsonContent(UserSchema, "The member with the new role"),
    ...errorResponses(400, 401, 403, 404, 413, 415),
  },
});
