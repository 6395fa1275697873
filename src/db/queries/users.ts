import { and, asc, eq, ne, sql } from "drizzle-orm";
import type { Queryable } from "../client";
import { organizations, users } from "../schema";
import { type Page, type PageOf, pageOf, rowsToRead, startingAfter } from "./page";

export type UserRow = typeof users.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type UserWithOrganization = UserRow & { organization: OrganizationRow | null };

const emailMatches = (email: string) => sql`lower(${users.email}) = lower(${email.trim()})`;

export async function findUserById(db: Queryable, id: number): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export async function isEmailTaken(db: Queryable, email: string, exceptUserId?: number) {
  const row = await db
    .select({ id: users.id })
    .from(users)
    .where(
      exceptUserId === undefined
        ? emailMatches(email)
        : and(emailMatches(email), ne(users.id, exceptUserId)),
    )
    .get();
  return row !== undefined;
}

function withOrganization(rows: { user: UserRow; organization: OrganizationRow | null }[]) {
  return rows.map(({ user, organization }) => ({ ...user, organization }));
}

function selectUsersWithOrganization(db: Queryable) {
  return db
    .select({ user: users, organization: organizations })
    .from(users)
    .leftJoin(organizations, eq(users.organizationId, organizations.id));
}

/** The user of this id with their organization, as one query: who is calling. */
export function selectCaller(db: Queryable, id: number) {
  return selectUsersWithOrganization(db).where(eq(users.id, id));
}

/** A caller's row as `selectCaller` (in a batch or not) returns it. */
export function toCaller(
  rows: { user: UserRow; organization: OrganizationRow | null }[],
): UserWithOrganization | undefined {
  return withOrganization(rows)[0];
}

export async function findUserWithOrganization(
  db: Queryable,
  id: number,
): Promise<UserWithOrganization | undefined> {
  return toCaller(await selectCaller(db, id));
}

export async function findUserByEmail(
  db: Queryable,
  email: string,
): Promise<UserWithOrganization | undefined> {
  return toCaller(await selectUsersWithOrganization(db).where(emailMatches(email)));
}

/** The users a caller may see: its organization's members, or only itself without one. */
export async function listVisibleUsers(
  db: Queryable,
  viewer: UserRow,
  page: Page = {},
): Promise<PageOf<UserWithOrganization>> {
  const scope =
    viewer.organizationId === null
      ? eq(users.id, viewer.id)
      : eq(users.organizationId, viewer.organizationId);
  const rows = await selectUsersWithOrganization(db)
    .where(startingAfter(scope, users.id, page))
    .orderBy(asc(users.id))
    .limit(rowsToRead(page));
  return pageOf(withOrganization(rows), page);
}

export async function findVisibleUser(
  db: Queryable,
  viewer: UserRow,
  id: number,
): Promise<UserWithOrganization | undefined> {
  const scope =
    viewer.organizationId === null
      ? and(eq(users.id, id), eq(users.id, viewer.id))
      : and(eq(users.id, id), eq(users.organizationId, viewer.organizationId));
  return withOrganization(await selectUsersWithOrganization(db).where(scope))[0];
}
