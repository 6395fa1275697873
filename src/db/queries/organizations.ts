import { asc, eq, sql } from "drizzle-orm";
import type { Queryable } from "../client";
import { organizations } from "../schema";
import type { OrganizationRow } from "./users";

export async function listOrganizations(db: Queryable): Promise<OrganizationRow[]> {
  return db.select().from(organizations).orderBy(asc(organizations.id));
}

export async function findOrganization(
  db: Queryable,
  id: number,
): Promise<OrganizationRow | undefined> {
  return db.select().from(organizations).where(eq(organizations.id, id)).get();
}

export async function isOrganizationNameTaken(db: Queryable, name: string): Promise<boolean> {
  const row = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(sql`lower(${organizations.name}) = lower(${name})`)
    .get();
  return row !== undefined;
}
