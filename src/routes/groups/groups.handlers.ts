import type { RouteHandler } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Queryable } from "../../db/client";
import {
  findGroupInOrganization,
  findGroupWithMembers,
  isGroupNameTaken,
  listGroupsOfOrganization,
} from "../../db/queries/groups";
import type { UserRow } from "../../db/queries/users";
import { groupMembers, groups, users } from "../../db/schema";
import { isTeacherInOrganization } from "../../domain/access";
import { currentUser } from "../../http/authentication";
import type { AppContext, AppEnv } from "../../http/context";
import { notFound, permissionDenied, validationError } from "../../http/errors";
import { message } from "../../i18n/messages";
import type * as routes from "./groups.routes";
import { toGroupOutput } from "./groups.schemas";

const teachersOnly = () => permissionDenied(message("only_teachers_manage_groups"));

/** A group of the caller's organization that the caller may change; 404 before 403. */
async function groupToManage(db: Queryable, caller: UserRow, groupId: number) {
  const group =
    caller.organizationId === null
      ? undefined
      : await findGroupInOrganization(db, caller.organizationId, groupId);
  if (!group) throw notFound();
  if (!caller.isTeacher) throw teachersOnly();
  return group;
}

async function loadGroupOutput(db: Queryable, organizationId: number, groupId: number) {
  const group = await findGroupWithMembers(db, organizationId, groupId);
  if (!group) throw notFound();
  return toGroupOutput(group);
}

export const listGroups: RouteHandler<typeof routes.listGroups, AppEnv> = async (c) => {
  const caller = currentUser(c);
  if (caller.organizationId === null) return c.json([], 200);
  const all = await listGroupsOfOrganization(c.var.deps.store.db, caller.organizationId);
  return c.json(all.map(toGroupOutput), 200);
};

export const getGroup: RouteHandler<typeof routes.getGroup, AppEnv> = async (c) => {
  const caller = currentUser(c);
  if (caller.organizationId === null) throw notFound();
  return c.json(
    await loadGroupOutput(c.var.deps.store.db, caller.organizationId, c.req.valid("param").id),
    200,
  );
};

export const createGroup: RouteHandler<typeof routes.createGroup, AppEnv> = async (c) => {
  const caller = currentUser(c);
  if (!isTeacherInOrganization(caller)) throw teachersOnly();
  const body = c.req.valid("json");
  const created = await c.var.deps.store.transaction(async (tx) => {
    if (await isGroupNameTaken(tx, caller.organizationId, body.name)) {
      throw validationError("name", message("group_name_taken"));
    }
    const [group] = await tx
      .insert(groups)
      .values({
        organizationId: caller.organizationId,
        name: body.name,
        description: body.description,
      })
      .returning();
    if (!group) throw new Error("insert returned no group");
    return toGroupOutput({ ...group, members: [] });
  });
  return c.json(created, 201);
};

export const deleteGroup: RouteHandler<typeof routes.deleteGroup, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const { id } = c.req.valid("param");
  await c.var.deps.store.transaction(async (tx) => {
    const group = await groupToManage(tx, caller, id);
    await tx.delete(groups).where(eq(groups.id, group.id));
  });
  return c.body(null, 204);
};

/** The user to add or remove, who must belong to the group's organization. */
async function memberOfOrganization(db: Queryable, organizationId: number, userId: number) {
  const user = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.organizationId, organizationId)))
    .get();
  if (!user) throw validationError("user", message("not_in_organization", { pk: String(userId) }));
  return user;
}

/** Adds a member to a group or removes one; adding twice or removing a non-member changes nothing. */
async function changeMembership(
  c: AppContext,
  target: { id: number; userId: number },
  join: boolean,
) {
  const caller = currentUser(c);
  return c.var.deps.store.transaction(async (tx) => {
    const group = await groupToManage(tx, caller, target.id);
    const member = await memberOfOrganization(tx, group.organizationId, target.userId);
    const membership = and(eq(groupMembers.groupId, group.id), eq(groupMembers.userId, member.id));
    if (join) {
      await tx
        .insert(groupMembers)
        .values({ groupId: group.id, userId: member.id })
        .onConflictDoNothing();
    } else {
      await tx.delete(groupMembers).where(membership);
    }
    return loadGroupOutput(tx, group.organizationId, group.id);
  });
}

// Two handlers, each typed with its own route, so that the app's type keeps both routes.
export const addUser: RouteHandler<typeof routes.addUser, AppEnv> = async (c) => {
  const target = { id: c.req.valid("param").id, userId: c.req.valid("json").user };
  return c.json(await changeMembership(c, target, true), 200);
};

export const removeUser: RouteHandler<typeof routes.removeUser, AppEnv> = async (c) => {
  const target = { id: c.req.valid("param").id, userId: c.req.valid("json").user };
  return c.json(await changeMembership(c, target, false), 200);
};
