import type { OrganizationRow, UserRow } from "../db/queries/users";
import { type Message, message } from "../i18n/messages";

/** Who may do what (CONTRACT §3); pure rules over rows, no I/O. */

export const canCreateOrganization = (user: UserRow) =>
  user.isTeacher && user.organizationId === null;

export const isOrganizationOwner = (user: UserRow, organization: OrganizationRow | null) =>
  organization !== null &&
  organization.ownerId === user.id &&
  user.organizationId === organization.id;

/** Students may join an organization once, by themselves; teachers come in by creating or promotion. */
export function organizationChangeProblem(
  user: UserRow,
  requested: number | null,
): Message | undefined {
  if (requested === user.organizationId) return undefined;
  if (user.organizationId !== null) return message("organization_unchangeable");
  if (user.isTeacher) return message("teacher_cannot_join");
  return undefined;
}

/** Teachers of an organization manage its groups and author its tests. */
export const isTeacherInOrganization = (
  user: UserRow,
): user is UserRow & { organizationId: number } => user.isTeacher && user.organizationId !== null;

/**
 * How a caller relates to a test: its creator, someone else in its organization, or an outsider.
 * Creator powers last only while the creator is a teacher: `user` is the caller as stored now
 * (re-read on every request), so a demoted creator is a "former creator" at once, whatever
 * token they hold, and a creator again once promoted.
 */
export function relationToTest(
  user: UserRow,
  test: { creatorId: number; organizationId: number },
): "creator" | "former creator" | "member" | "outsider" {
  if (user.organizationId !== test.organizationId) return "outsider";
  if (test.creatorId !== user.id) return "member";
  return user.isTeacher ? "creator" : "former creator";
}

/**
 * Whether a caller may take a test reached by its link: only students of a group it is open to.
 * Callers outside its organization don't learn it exists ("unknown", like a missing test).
 */
export function linkAccess(
  user: UserRow,
  test: { creatorId: number; organizationId: number } | undefined,
  openToUser: boolean,
): "unknown" | "denied" | "allowed" {
  if (!test || relationToTest(user, test) === "outsider") return "unknown";
  return user.isTeacher || !openToUser ? "denied" : "allowed";
}
