import type { RouteHandler } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { findOrganization } from "../../db/queries/organizations";
import {
  findUserWithOrganization,
  findVisibleUser,
  isEmailTaken,
  listVisibleUsers,
  type UserRow,
} from "../../db/queries/users";
import { users } from "../../db/schema";
import { isOrganizationOwner, organizationChangeProblem } from "../../domain/access";
import { currentUser } from "../../http/authentication";
import type { AppDeps, AppEnv } from "../../http/context";
import { notFound, permissionDenied, validationError } from "../../http/errors";
import { nextPageHeaders, toPage } from "../../http/paging";
import { message } from "../../i18n/messages";
import type * as routes from "./users.routes";
import { toUserOutput, type UpdateMeBody } from "./users.schemas";

const emailTaken = () => validationError("email", message("email_taken"));
const unknownOrganization = (id: number) =>
  validationError("organization_id", message("pk_does_not_exist", { pk: String(id) }));

async function loadUserOutput(tx: Tx, id: number) {
  const user = await findUserWithOrganization(tx, id);
  if (!user) throw notFound();
  return toUserOutput(user);
}

export const register: RouteHandler<typeof routes.register, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const { store, passwords } = c.var.deps;
  const passwordHash = await passwords.hash(body.password);
  const created = await store.transaction(async (tx) => {
    if (await isEmailTaken(tx, body.email)) throw emailTaken();
    const organizationId = body.organization_id ?? null;
    if (organizationId !== null && !(await findOrganization(tx, organizationId))) {
      throw unknownOrganization(organizationId);
    }
    const [user] = await tx
      .insert(users)
      .values({
        email: body.email,
        passwordHash,
        firstName: body.first_name,
        lastName: body.last_name,
        photo: body.photo ?? null,
        isTeacher: body.is_teacher,
        organizationId,
      })
      .returning({ id: users.id });
    return loadUserOutput(tx, (user as { id: number }).id);
  });
  return c.json(created, 201);
};

export const listUsers: RouteHandler<typeof routes.listUsers, AppEnv> = async (c) => {
  const page = toPage(c.req.valid("query"));
  const visible = await listVisibleUsers(c.var.deps.store.db, currentUser(c), page);
  return c.json(
    visible.items.map(toUserOutput),
    200,
    nextPageHeaders(c, page, visible.nextAfterId),
  );
};

export const getUser: RouteHandler<typeof routes.getUser, AppEnv> = async (c) => {
  const user = await findVisibleUser(c.var.deps.store.db, currentUser(c), c.req.valid("param").id);
  if (!user) throw notFound();
  return c.json(toUserOutput(user), 200);
};

export const getMe: RouteHandler<typeof routes.getMe, AppEnv> = async (c) =>
  c.json(toUserOutput(currentUser(c)), 200);

function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Applies a PUT or PATCH of `/api/users/me`; absent keys keep their values. */
async function updateMe({ store, passwords }: AppDeps, caller: UserRow, body: UpdateMeBody) {
  const passwordHash =
    body.password === undefined ? undefined : await passwords.hash(body.password);
  return store.transaction(async (tx) => {
    const me = (await tx.select().from(users).where(eq(users.id, caller.id)).get()) as UserRow;
    if (body.is_teacher !== undefined && body.is_teacher !== me.isTeacher) {
      throw validationError("is_teacher", message("role_unchangeable"));
    }
    if (body.email !== undefined && (await isEmailTaken(tx, body.email, me.id))) throw emailTaken();
    if (body.organization_id !== undefined) {
      const problem = organizationChangeProblem(me, body.organization_id);
      if (problem) throw validationError("organization_id", problem);
      if (body.organization_id !== null && !(await findOrganization(tx, body.organization_id))) {
        throw unknownOrganization(body.organization_id);
      }
    }
    const changes = withoutUndefined({
      email: body.email,
      firstName: body.first_name,
      lastName: body.last_name,
      photo: body.photo,
      organizationId: body.organization_id,
      ...(passwordHash === undefined
        ? {}
        : { passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` }),
    });
    if (Object.keys(changes).length > 0)
      await tx.update(users).set(changes).where(eq(users.id, me.id));
    return loadUserOutput(tx, me.id);
  });
}

export const putMe: RouteHandler<typeof routes.updateMe, AppEnv> = async (c) =>
  c.json(await updateMe(c.var.deps, currentUser(c), c.req.valid("json")), 200);

export const patchMe: RouteHandler<typeof routes.patchMe, AppEnv> = async (c) =>
  c.json(await updateMe(c.var.deps, currentUser(c), c.req.valid("json")), 200);

export const setRole: RouteHandler<typeof routes.setRole, AppEnv> = async (c) => {
  const caller = currentUser(c);
  const { id } = c.req.valid("param");
  const { is_teacher: isTeacher } = c.req.valid("json");
  const updated = await c.var.deps.store.transaction(async (tx) => {
    const target = await findVisibleUser(tx, caller, id);
    if (!target) throw notFound();
    const organization =
      caller.organizationId === null ? null : await findOrganization(tx, caller.organizationId);
    if (!isOrganizationOwner(caller, organization ?? null)) {
      throw permissionDenied(message("only_owner_changes_roles"));
    }
    if (target.id === caller.id && !isTeacher) {
      throw validationError("is_teacher", message("owner_stays_teacher"));
    }
    await tx.update(users).set({ isTeacher }).where(eq(users.id, target.id));
    return loadUserOutput(tx, target.id);
  });
  return c.json(updated, 200);
};
