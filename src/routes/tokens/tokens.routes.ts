import { createRoute, z } from "@hono/zod-openapi";
import { acceptBody } from "../../http/accept-body";
import { errorResponses, jsonContent, requestBody } from "../../http/openapi";
import { singleLineText } from "../../http/text-input";

const tags = ["users"];

export const ObtainTokenBodySchema = z.object({
  email: z.string().check(singleLineText()).max(254),
  password: z.string().check(singleLineText()).max(256),
});

export const RefreshTokenBodySchema = z.object({
  refresh: z.string().check(singleLineText()).max(4096),
});

const TokenPairSchema = z.object({ access: z.string(), refresh: z.string() }).openapi("TokenPair", {
  example: { access: "eyJhbGciOiJIUzI1NiIs...", refresh: "eyJhbGciOiJIUzI1NiIs..." },
});

const RefreshedTokenSchema = z
  .object({
    access: z.string(),
    refresh: z
      .string()
      .optional()
      .openapi({ description: "Only when refresh-token rotation is on" }),
  })
  .openapi("RefreshedToken");

const TokenErrorSchema = z
  .object({ detail: z.string(), code: z.literal("token_not_valid") })
  .openapi("TokenError", {
    example: { detail: "Token is invalid or expired", code: "token_not_valid" },
  });

export const obtainToken = createRoute({
  method: "post",
  path: "/api/users/token/obtain/",
  operationId: "users_token_obtain_create",
  summary: "Takes a set of user credentials and returns an access and refresh JSON web token pair.",
  tags,
  security: [],
  middleware: [acceptBody(ObtainTokenBodySchema)] as const,
  request: { body: requestBody(ObtainTokenBodySchema, "ObtainTokenBody") },
  responses: {
    200: jsonContent(TokenPairSchema, "A token pair"),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

export const refreshToken = createRoute({
  method: "post",
  path: "/api/users/token/refresh/",
  operationId: "users_token_refresh_create",
  summary: "Takes a refresh type JSON web token and returns an access type JSON web token.",
  tags,
  security: [],
  middleware: [acceptBody(RefreshTokenBodySchema)] as const,
  request: { body: requestBody(RefreshTokenBodySchema, "RefreshTokenBody") },
  responses: {
    200: jsonContent(RefreshedTokenSchema, "A new access token"),
    401: jsonContent(TokenErrorSchema, "The refresh token is invalid, expired or revoked"),
    ...errorResponses(400, 413, 415),
  },
});
