import { createRoute, z } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import { signedIn } from "../../http/authentication";
import { errorResponses, IdParamsSchema, jsonContent, requestBody } from "../../http/openapi";
import { CreateGroupBodySchema, GroupMemberBodySchema, GroupSchema } from "./groups.schemas";

const tags = ["groups"];

export const listGroups = createRoute({
  method: "get",
  path: "/api/groups/",
  operationId: "groups_list",
  summary: "List all groups in organization",
  tags,
  ...signedIn(),
  responses: {
    200: jsonContent(z.array(GroupSchema), "The groups of the caller's organization"),
    ...errorResponses(401),
  },
});

export const createGroup = createRoute({
  method: "post",
  path: "/api/groups/",
  operationId: "groups_create",
  summary: "Create a group in the caller's organization (teachers)",
  tags,
  ...signedIn(acceptBody(CreateGroupBodySchema)),
  request: { body: requestBody(CreateGroupBodySchema, "CreateGroupBody") },
  responses: {
    201: jsonContent(GroupSchema, "The new group"),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

export const getGroup = createRoute({
  method: "get",
  path: "/api/groups/{id}/",
  operationId: "groups_retrieve",
  summary: "Returns group.",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: { 200: jsonContent(GroupSchema, "The group"), ...errorResponses(401, 404) },
});

export const deleteGroup = createRoute({
  method: "delete",
  path: "/api/groups/{id}/",
  operationId: "groups_destroy",
  summary: "Deletes group.",
  tags,
  ...signedIn(),
  request: { params: IdParamsSchema },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404) },
});

const membershipRoute = <A extends "add_user" | "remove_user">(action: A, summary: string) =>
  createRoute({
    method: "post",
    path: `/api/groups/{id}/${action}/`,
    operationId: `groups_${action}_create`,
    summary,
    tags,
    ...signedIn(acceptBody(GroupMemberBodySchema)),
    request: {
      params: IdParamsSchema,
      body: requestBody(GroupMemberBodySchema, "GroupMemberBody"),
    },
    responses: {
      200: jsonContent(GroupSchema, "The group with its members"),
      ...errorResponses(400, 401, 403, 404, 413, 415),
    },
  });

export const addUser = membershipRoute("add_user", "Adds user to group.");
export const removeUser = membershipRoute("remove_user", "Removes user from group.");
