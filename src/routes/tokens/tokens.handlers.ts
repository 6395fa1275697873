import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import type * as routes from "./tokens.routes";

export const obtainToken: RouteHandler<typeof routes.obtainToken, AppEnv> = async (c) => {
  const { email, password } = c.req.valid("json");
  const user = await c.var.auth.login(email, password, c.var.deps.clientAddress(c));
  return c.json(await c.var.auth.issuePair(user), 200);
};

export const refreshToken: RouteHandler<typeof routes.refreshToken, AppEnv> = async (c) => {
  return c.json(await c.var.auth.refresh(c.req.valid("json").refresh), 200);
};
