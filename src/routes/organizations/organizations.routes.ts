import { createRoute, z } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import { signedIn } from "../../http/authentication";
import {
  errorResponses,
  jsonContent,
  optionalAuthentication,
  requestBody,
} from "../../http/openapi";
import { multiLineText, singleLineText } from "../../http/text-input";
import { OrganizationSchema } from "../users/users.schemas";

const tags = ["organizations"];

export const CreateOrganizationBodySchema = z.object({
  name: z.string().check(singleLineText()).trim().min(1).max(150),
  description: z.string().check(multiLineText()).trim().max(2000).default(""),
});

export const listOrganizations = createRoute({
  method: "get",
  path: "/api/organizations/",
  operationId: "organizations_list",
  summary: "List all organizations (the registration form offers them)",
  tags,
  security: optionalAuthentication,
  responses: {
    200: jsonContent(z.array(OrganizationSchema), "All organizations"),
    ...errorResponses(401),
  },
});

export const createOrganization = createRoute({
  method: "post",
  path: "/api/organizations/",
  operationId: "organizations_create",
  summary: "Create an organization; the calling teacher becomes its owner and first member",
  tags,
  ...signedIn(acceptBody(CreateOrganizationBodySchema)),
  request: { body: requestBody(CreateOrganizationBodySchema, "CreateOrganizationBody") },
  responses: {
    201: jsonContent(OrganizationSchema, "The new organization"),
    ...errorResponses(400, 401, 403, 413, 415),
  },
});
