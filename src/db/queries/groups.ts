import { and, asc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "../client";
import { completions, groupMembers, groups, users } from "../schema";
import { groupBy } from "./group-by";
import type { UserRow } from "./users";

export type GroupRow = typeof groups.$inferSelect;
export type GroupWithMembers = GroupRow & { members: UserRow[] };

/** Members of the given groups, in two queries whatever the number of groups. */
async function withMembers(db: Queryable, rows: GroupRow[]): Promise<GroupWithMembers[]> {
  if (rows.length === 0) return [];
  const memberships = await db
    .select({ groupId: groupMembers.groupId, user: users })
    .from(groupMembers)
    .innerJoin(users, eq(groupMembers.userId, users.id))
    .where(
      inArray(
        groupMembers.groupId,
        rows.map((group) => group.id),
      ),
    )
    .orderBy(asc(users.id));
  const membersByGroup = groupBy(memberships, (row) => row.groupId);
  return rows.map((group) => ({
    ...group,
    members: (membersByGroup.get(group.id) ?? []).map((row) => row.user),
  }));
}

export async function listGroupsOfOrganization(db: Queryable, organizationId: number) {
  const rows = await db
    .select()
    .from(groups)
    .where(eq(groups.organizationId, organizationId))
    .orderBy(asc(groups.id));
  return withMembers(db, rows);
}

/** The group if it belongs to the organization; other organizations' groups do not exist here. */
export async function findGroupInOrganization(
  db: Queryable,
  organizationId: number,
  groupId: number,
): Promise<GroupRow | undefined> {
  return db
    .select()
    .from(groups)
    .where(and(eq(groups.id, groupId), eq(groups.organizationId, organizationId)))
    .get();
}

export async function findGroupWithMembers(db: Queryable, organizationId: number, groupId: number) {
  const group = await findGroupInOrganization(db, organizationId, groupId);
  return group ? (await withMembers(db, [group]))[0] : undefined;
}

export async function isGroupNameTaken(db: Queryable, organizationId: number, name: string) {
  const row = await db
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.organizationId, organizationId), eq(groups.name, name)))
    .get();
  return row !== undefined;
}

/** The groups of every student who completed a test, in group id order, by student id. */
export async function groupsOfTestStudents(db: Queryable, testId: number, organizationId: number) {
  const rows = await db
    .select({ userId: groupMembers.userId, id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groupMembers.groupId, groups.id))
    .where(
      and(
        eq(groups.organizationId, organizationId),
        inArray(
          groupMembers.userId,
          db
            .selectDistinct({ userId: completions.userId })
            .from(completions)
            .where(eq(completions.testId, testId)),
        ),
      ),
    )
    .orderBy(asc(groups.id));
  return groupBy(rows, (row) => row.userId);
}
