import type { InferRequestType } from "hono/client";
import { expect } from "vitest";
import type { ApiTarget, Credentials } from "./api";
import { type ApiClient, client, responseOf } from "./client";

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
  const registered = await responseOf(
    client(t).api.users.index.$post({
      json: { first_name: "Test", last_name: "User", ...input, email, password },
    }),
  );
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return signIn(t, registered.body.id, email, password);
}

export async function signIn(
  t: ApiTarget,
  id: number,
  email: string,
  password: string,
): Promise<TestUser> {
  const tokens = await responseOf(
    client(t).api.users.token.obtain.index.$post({ json: { email, password } }),
  );
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
  const created = await responseOf(
    client(t, owner.auth).api.organizations.index.$post({ json: { name } }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export async function promote(t: ApiTarget, owner: TestUser, member: TestUser) {
  const promoted = await responseOf(
    client(t, owner.auth).api.users[":id"].index.$patch({
      param: { id: String(member.id) },
      json: { is_teacher: true },
    }),
  );
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
  const groups = client(t, teacher.auth).api.groups;
  const created = await responseOf(groups.index.$post({ json: { name } }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const member of members) {
    const added = await responseOf(
      groups[":id"].add_user.index.$post({
        param: { id: String(created.body.id) },
        json: { user: member.id },
      }),
    );
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  return created.body;
}

/** The questions of a test as a teacher sends them. */
export type QuestionInput = NonNullable<
  InferRequestType<ApiClient["api"]["tests"]["index"]["$post"]>["json"]["questions"]
>[number];

/** One question of each type, as a teacher would send them. */
export function sampleQuestions(): QuestionInput[] {
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
  const created = await responseOf(
    client(t, teacher.auth).api.tests.index.$post({
      // Tests build questions of their own shapes; the API validates them, and this expects 201.
      json: { name: `Test ${++sequence}`, questions: questions as QuestionInput[] },
    }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
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
  const allowed = await responseOf(
    client(t, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
      param: { id: String(test.id) },
      json: { group: group.id },
    }),
  );
  expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
  return { test, group };
}
