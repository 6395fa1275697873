import type { RouteHandler } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { isOrganizationNameTaken, listOrganizations } from "../../db/queries/organizations";
import { findUserById } from "../../db/queries/users";
import { organizations, users } from "../../db/schema";
import { canCreateOrganization } from "../../domain/access";
import { currentUser } from "../../http/authentication";
import type { AppEnv } from "../../http/context";
import { notAuthenticated, permissionDenied, validationError } from "../../http/errors";
import { message } from "../../i18n/messages";
import { toOrganizationOutput } from "../users/users.schemas";
import type * as routes from "./organizations.routes";

export const list: RouteHandler<typeof routes.listOrganizations, AppEnv> = async (c) => {
  const all = await listOrganizations(c.var.deps.store.db);
  return c.json(all.map(toOrganizationOutput), 200);
};

export const create: RouteHandler<typeof routes.createOrganization, AppEnv> = async (c) => {
  const callerId = currentUser(c).id;
  const body = c.req.valid("json");
  const created = await c.var.deps.store.transaction(async (tx) => {
    const caller = await findUserById(tx, callerId);
    if (!caller) throw notAuthenticated();
    if (!canCreateOrganization(caller)) {
      throw permissionDenied(message("only_unaffiliated_teacher_creates_organization"));
    }
    if (await isOrganizationNameTaken(tx, body.name)) {
      throw validationError("name", message("organization_name_taken"));
    }
    const [organization] = await tx
      .insert(organizations)
      .values({ name: body.name, description: body.description, ownerId: caller.id })
      .returning();
    if (!organization) throw new Error("insert returned no organization");
    await tx.update(users).set({ organizationId: organization.id }).where(eq(users.id, caller.id));
    return organization;
  });
  return c.json(toOrganizationOutput(created), 201);
};
