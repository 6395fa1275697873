import { expect } from "vitest";
import { type Credentials, call } from "./api";
import type { TestApp } from "./app";

export interface TestUser {
  id: number;
  email: string;
  password: string;
  access: string;
  refresh: string;
  auth: Credentials;
}

let sequence = 0;
export const uniqueEmail = (prefix = "user") =>
  `${prefix}.${++sequence}.${process.pid}@example.com`;

export interface RegisterInput {
  email?: string;
  password?: string;
  first_name?: string;
  last_name?: string;
  is_teacher?: boolean;
  organization_id?: number | null;
}

/** Registers through the API and signs in; fails the test if either step fails. */
export async function registerUser(t: TestApp, input: RegisterInput = {}): Promise<TestUser> {
  const email = input.email ?? uniqueEmail(input.is_teacher ? "teacher" : "student");
  const password = input.password ?? "correct horse battery";
  const registered = await call(t, "POST", "/api/users/", {
    json: { first_name: "Test", last_name: "User", ...input, email, password },
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return signIn(t, registered.body.id, email, password);
}

export async function signIn(
  t: TestApp,
  id: number,
  email: string,
  password: string,
): Promise<TestUser> {
  const tokens = await call(t, "POST", "/api/users/token/obtain/", { json: { email, password } });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return {
    id,
    email,
    password,
    access: tokens.body.access,
    refresh: tokens.body.refresh,
    auth: { bearer: tokens.body.access },
  };
}

export async function createOrganization(t: TestApp, owner: TestUser, name = `Org ${++sequence}`) {
  const created = await call(t, "POST", "/api/organizations/", {
    auth: owner.auth,
    json: { name },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; name: string; description: string; owner: number };
}

export async function promote(t: TestApp, owner: TestUser, member: TestUser) {
  const promoted = await call(t, "PATCH", `/api/users/${member.id}/`, {
    auth: owner.auth,
    json: { is_teacher: true },
  });
  expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
}

/**
 * Two organizations and one loner: the roles of CONTRACT §3.
 * `teacher` owns organization A; `colleague` is another teacher there; `student` studies there.
 * `otherTeacher` owns organization B, where `otherStudent` studies; `noOrg` belongs nowhere.
 */
export async function createWorld(t: TestApp) {
  const teacher = await registerUser(t, { is_teacher: true });
  const orgA = await createOrganization(t, teacher);
  const colleague = await registerUser(t, { organization_id: orgA.id });
  await promote(t, teacher, colleague);
  const student = await registerUser(t, { organization_id: orgA.id });
  const otherTeacher = await registerUser(t, { is_teacher: true });
  const orgB = await createOrganization(t, otherTeacher);
  const otherStudent = await registerUser(t, { organization_id: orgB.id });
  const noOrg = await registerUser(t);
  return { teacher, colleague, student, otherTeacher, otherStudent, noOrg, orgA, orgB };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
