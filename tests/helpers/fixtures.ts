import { expect } from "vitest";
import { type ApiTarget, type Credentials, call } from "./api";

export interface TestUser {
  id: number;
  email: string;
  password: string;
  access: string;
  refresh: string;
  auth: Credentials;
}

let sequence = 0;
/** Unique across test files and runtimes that share a database (the Workers tests do). */
const uniqueSuffix = () => `${++sequence}.${crypto.randomUUID().slice(0, 8)}`;
export const uniqueEmail = (prefix = "user") => `${prefix}.${uniqueSuffix()}@example.com`;

export interface RegisterInput {
  email?: string;
  password?: string;
  first_name?: string;
  last_name?: string;
  is_teacher?: boolean;
  organization_id?: number | null;
}

/** Registers through the API and signs in; fails the test if either step fails. */
export async function registerUser(t: ApiTarget, input: RegisterInput = {}): Promise<TestUser> {
  const email = input.email ?? uniqueEmail(input.is_teacher ? "teacher" : "student");
  const password = input.password ?? "correct horse battery";
  const registered = await call(t, "POST", "/api/users/", {
    json: { first_name: "Test", last_name: "User", ...input, email, password },
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return signIn(t, registered.body.id, email, password);
}

export async function signIn(
  t: ApiTarget,
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

export async function createOrganization(
  t: ApiTarget,
  owner: TestUser,
  name = `Org ${uniqueSuffix()}`,
) {
  const created = await call(t, "POST", "/api/organizations/", {
    auth: owner.auth,
    json: { name },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; name: string; description: string; owner: number };
}

export async function promote(t: ApiTarget, owner: TestUser, member: TestUser) {
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
export async function createWorld(t: ApiTarget) {
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

export async function createGroup(
  t: ApiTarget,
  teacher: TestUser,
  members: TestUser[] = [],
  name = `Group ${uniqueSuffix()}`,
) {
  const created = await call(t, "POST", "/api/groups/", { auth: teacher.auth, json: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const member of members) {
    const added = await call(t, "POST", `/api/groups/${created.body.id}/add_user/`, {
      auth: teacher.auth,
      json: { user: member.id },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  return created.body as { id: number; name: string; description: string };
}

/** One question of each type, as a teacher would send them. */
export function sampleQuestions() {
  return [
    {
      text: "2 + 2 = ?",
      type: "radio",
      points: 1,
      number_in_test: 0,
      body: {
        variants: [
          { text: "4", is_correct: true },
          { text: "5", is_correct: false },
        ],
      },
    },
    {
      text: "Pick the primes",
      type: "check",
      points: 4,
      number_in_test: 1,
      body: {
        strict_score: false,
        variants: [
          { text: "2", is_correct: true },
          { text: "3", is_correct: true },
          { text: "4", is_correct: false },
        ],
      },
    },
    {
      text: "Capital of France?",
      type: "text",
      points: 2,
      number_in_test: 2,
      body: { variants: [{ text: "Paris", is_correct: true }] },
    },
    {
      text: "Write add(a, b)",
      type: "code",
      points: 3,
      number_in_test: 3,
      body: {
        testing_code: "assert add(1, 2) == 3\nassert add(-1, 1) == 0",
        strict_score: true,
        language: "python",
      },
    },
  ];
}

export async function createTest(
  t: ApiTarget,
  teacher: TestUser,
  questions: unknown[] = sampleQuestions(),
) {
  const created = await call(t, "POST", "/api/tests/", {
    auth: teacher.auth,
    json: { name: `Test ${++sequence}`, questions },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; public_uuid: string; questions: { id: number }[] };
}

/** A test of `teacher` open to a group holding `students`. */
export async function createOpenTest(
  t: ApiTarget,
  teacher: TestUser,
  students: TestUser[],
  questions: unknown[] = sampleQuestions(),
) {
  const test = await createTest(t, teacher, questions);
  const group = await createGroup(t, teacher, students);
  const allowed = await call(t, "POST", `/api/tests/${test.id}/allow_for_group/`, {
    auth: teacher.auth,
    json: { group: group.id },
  });
  expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
  return { test, group };
}
