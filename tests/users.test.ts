// The typed client for every request but those it can't express: bodies of the wrong types or
// with unknown or missing fields, and form-encoded or multipart bodies; those go through `call`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createWorld, registerUser, signIn, uniqueEmail, type World } from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
});
afterAll(() => t.close());

const validRegistration = () => ({
  email: uniqueEmail(),
  password: "correct horse battery",
  first_name: "Anna",
  last_name: "Petrova",
});

const userKeys = ["email", "first_name", "id", "is_teacher", "last_name", "organization", "photo"];

describe("registration", () => {
  it("creates a student without organization and never returns the password", async () => {
    const input = validRegistration();
    const response = await responseOf(client(t).api.users.index.$post({ json: input }));
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual(userKeys);
    expect(response.body).toMatchObject({
      email: input.email,
      first_name: "Anna",
      last_name: "Petrova",
      photo: null,
      is_teacher: false,
      organization: null,
    });
    expect(response.text).not.toContain("argon2");
    expect(response.text).not.toContain(input.password);
  });

  it("lets a student join an organization at once", async () => {
    const response = await responseOf(
      client(t).api.users.index.$post({
        json: { ...validRegistration(), organization_id: world.orgA.id },
      }),
    );
    expect(response.status).toBe(201);
    expect(response.body.organization).toEqual(world.orgA);
  });

  it("stores the email trimmed and refuses it again in another case", async () => {
    const email = uniqueEmail();
    const first = await responseOf(
      client(t).api.users.index.$post({ json: { ...validRegistration(), email: `  ${email} ` } }),
    );
    expect(first.body.email).toBe(email);
    const again = await responseOf(
      client(t).api.users.index.$post({
        json: { ...validRegistration(), email: email.toUpperCase() },
      }),
    );
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ email: ["A user with this email already exists."] });
  });

  it.each([
    ["short", "This password is too short. It must contain at least 8 characters."],
    ["1234567890", "This password is entirely numeric."],
    ["x".repeat(257), "Ensure this field has no more than 256 characters."],
  ])("refuses the password %#", async (password, message) => {
    const response = await responseOf(
      client(t).api.users.index.$post({ json: { ...validRegistration(), password } }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ password: [message] });
  });

  it("refuses a password equal to the email", async () => {
    const input = validRegistration();
    const response = await responseOf(
      client(t).api.users.index.$post({ json: { ...input, password: input.email } }),
    );
    expect(response.body).toEqual({ password: ["The password is too similar to the email."] });
  });

  it("reports every invalid field at once in DRF's shape", async () => {
    const response = await responseOf(
      client(t).api.users.index.$post({
        json: {
          email: "not-an-email",
          password: "correct horse battery",
          first_name: "   ",
          last_name: "x".repeat(151),
          photo: "ftp://example.com/a.png",
        },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      email: ["Enter a valid email address."],
      first_name: ["This field may not be blank."],
      last_name: ["Ensure this field has no more than 150 characters."],
      photo: ["Enter a valid URL."],
    });
  });

  it("refuses wrong types with DRF's messages", async () => {
    const response = await call(t, "POST", "/api/users/", {
      json: { ...validRegistration(), is_teacher: "maybe", organization_id: "abc", first_name: 5 },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      first_name: ["Not a valid string."],
      is_teacher: ["Must be a valid boolean."],
      organization_id: ["A valid integer is required."],
    });
  });

  it("refuses an unknown organization and creates nothing", async () => {
    const input = { ...validRegistration(), organization_id: 987_654 };
    const response = await responseOf(client(t).api.users.index.$post({ json: input }));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      organization_id: ['Invalid pk "987654" - object does not exist.'],
    });
    const retry = await responseOf(
      client(t).api.users.index.$post({ json: { ...input, organization_id: null } }),
    );
    expect(retry.status).toBe(201);
  });

  it("refuses a teacher who asks to join an organization", async () => {
    const response = await responseOf(
      client(t).api.users.index.$post({
        json: { ...validRegistration(), is_teacher: true, organization_id: world.orgA.id },
      }),
    );
    expect(response.status).toBe(400);
    expect(Object.keys(response.body)).toEqual(["non_field_errors"]);
  });

  it("ignores read-only and unknown keys", async () => {
    const response = await call(t, "POST", "/api/users/", {
      json: {
        ...validRegistration(),
        id: 1,
        organization: { id: world.orgA.id },
        token_version: 7,
        admin: true,
      },
    });
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(1);
    expect(response.body.organization).toBeNull();
  });

  it("accepts form bodies, urlencoded and multipart", async () => {
    const urlencoded = await call(t, "POST", "/api/users/", {
      form: { ...validRegistration(), is_teacher: "true" },
    });
    expect(urlencoded.status).toBe(201);
    expect(urlencoded.body.is_teacher).toBe(true);
    const multipart = await call(t, "POST", "/api/users/", {
      multipart: { ...validRegistration(), organization_id: String(world.orgB.id) },
    });
    expect(multipart.status).toBe(201);
    expect(multipart.body.organization.id).toBe(world.orgB.id);
  });
});

describe("listing and reading users", () => {
  it("lists the members of the caller's organization, ordered by id", async () => {
    const response = await responseOf(
      client(t, world.student.auth).api.users.index.$get({ query: {} }),
    );
    expect(response.status).toBe(200);
    const ids = response.body.map((user: { id: number }) => user.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toEqual(
      expect.arrayContaining([world.teacher.id, world.colleague.id, world.student.id]),
    );
    expect(ids).not.toContain(world.otherStudent.id);
    for (const user of response.body) {
      expect(Object.keys(user).sort()).toEqual(userKeys);
      expect(user.organization?.id).toBe(world.orgA.id);
    }
  });

  it("shows a user without organization only themself", async () => {
    const response = await responseOf(
      client(t, world.noOrg.auth).api.users.index.$get({ query: {} }),
    );
    expect(response.body.map((user: { id: number }) => user.id)).toEqual([world.noOrg.id]);
  });

  it("hides users of another organization as not found", async () => {
    const response = await responseOf(
      client(t, world.teacher.auth).api.users[":id"].index.$get({
        param: { id: String(world.otherStudent.id) },
      }),
    );
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: "Not found." });
  });

  it("answers 404 for an id that is not a number", async () => {
    const response = await responseOf(
      client(t, world.teacher.auth).api.users[":id"].index.$get({ param: { id: "abc" } }),
    );
    expect(response.status).toBe(404);
  });
});

describeRoleMatrix("GET /api/users/{id}/ of a student of organization A", {
  request: (_, w) => ({ method: "GET", path: `/api/users/${w.student.id}/` }),
  expected: { anon: 401, noOrg: 404, student: 200, colleague: 200, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("GET /api/users/", {
  request: () => ({ method: "GET", path: "/api/users/" }),
  expected: { anon: 401, noOrg: 200, student: 200, colleague: 200, teacher: 200, otherOrg: 200 },
});

describe("the current user", () => {
  it("reads, then replaces with PUT (password optional)", async () => {
    const member = await registerUser(t, { organization_id: world.orgA.id });
    const put = await responseOf(
      client(t, member.auth).api.users.me.$put({
        json: {
          email: member.email,
          first_name: "Ivan",
          last_name: "Ivanov",
          photo: "https://example.com/a.png",
        },
      }),
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      first_name: "Ivan",
      last_name: "Ivanov",
      photo: "https://example.com/a.png",
    });
    expect((await responseOf(client(t, member.auth).api.users.me.$get())).body).toEqual(put.body);
  });

  it("requires email and names on PUT", async () => {
    const response = await call(t, "PUT", "/api/users/me", {
      auth: world.student.auth,
      json: { first_name: "A" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      email: ["This field is required."],
      last_name: ["This field is required."],
    });
  });

  it("changes only the sent fields on PATCH, also from a form", async () => {
    const member = await registerUser(t);
    const response = await call(t, "PATCH", "/api/users/me", {
      auth: member.auth,
      form: { last_name: "Sidorova" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      first_name: "Test",
      last_name: "Sidorova",
      email: member.email,
    });
  });

  it("changes the password: old tokens stop working, the new password signs in", async () => {
    const member = await registerUser(t);
    const changed = await responseOf(
      client(t, member.auth).api.users.me.$patch({ json: { password: "another good one" } }),
    );
    expect(changed.status).toBe(200);
    expect((await responseOf(client(t, member.auth).api.users.me.$get())).status).toBe(401);
    const again = await signIn(t, member.id, member.email, "another good one");
    expect((await responseOf(client(t, again.auth).api.users.me.$get())).status).toBe(200);
  });

  it("refuses an email that another user has", async () => {
    const response = await responseOf(
      client(t, world.student.auth).api.users.me.$patch({
        json: { email: world.teacher.email.toUpperCase() },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ email: ["A user with this email already exists."] });
  });

  it("does not let a student make themself a teacher", async () => {
    const viaMe = await responseOf(
      client(t, world.student.auth).api.users.me.$patch({ json: { is_teacher: true } }),
    );
    expect(viaMe.status).toBe(400);
    expect(viaMe.body).toEqual({ is_teacher: ["You can't change your role."] });
    const viaId = await responseOf(
      client(t, world.student.auth).api.users[":id"].index.$patch({
        param: { id: String(world.student.id) },
        json: { is_teacher: true },
      }),
    );
    expect(viaId.status).toBe(403);
    const after = await responseOf(client(t, world.student.auth).api.users.me.$get());
    expect(after.body.is_teacher).toBe(false);
  });

  it("accepts the same is_teacher value", async () => {
    const response = await responseOf(
      client(t, world.student.auth).api.users.me.$patch({ json: { is_teacher: false } }),
    );
    expect(response.status).toBe(200);
  });

  it("lets a student without organization join one, once", async () => {
    const member = await registerUser(t);
    const joined = await responseOf(
      client(t, member.auth).api.users.me.$patch({ json: { organization_id: world.orgA.id } }),
    );
    expect(joined.status).toBe(200);
    expect(joined.body.organization?.id).toBe(world.orgA.id);
    const same = await responseOf(
      client(t, member.auth).api.users.me.$patch({ json: { organization_id: world.orgA.id } }),
    );
    expect(same.status).toBe(200);
    const moved = await responseOf(
      client(t, member.auth).api.users.me.$patch({ json: { organization_id: world.orgB.id } }),
    );
    expect(moved.status).toBe(400);
    expect(moved.body).toEqual({ organization_id: ["You can't change your organization."] });
    const left = await responseOf(
      client(t, member.auth).api.users.me.$patch({ json: { organization_id: null } }),
    );
    expect(left.status).toBe(400);
  });

  it("does not let a teacher join an existing organization by id", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    const response = await responseOf(
      client(t, teacher.auth).api.users.me.$patch({ json: { organization_id: world.orgA.id } }),
    );
    expect(response.status).toBe(400);
    expect(Object.keys(response.body)).toEqual(["organization_id"]);
  });

  it("leaves everything unchanged when one field of the update is refused", async () => {
    const member = await registerUser(t);
    const response = await responseOf(
      client(t, member.auth).api.users.me.$patch({
        json: { first_name: "Changed", organization_id: 424_242 },
      }),
    );
    expect(response.status).toBe(400);
    expect((await responseOf(client(t, member.auth).api.users.me.$get())).body.first_name).toBe(
      "Test",
    );
  });
});

describe("promotion by the organization's owner", () => {
  it("promotes and demotes a member", async () => {
    const member = await registerUser(t, { organization_id: world.orgA.id });
    const promoted = await responseOf(
      client(t, world.teacher.auth).api.users[":id"].index.$patch({
        param: { id: String(member.id) },
        json: { is_teacher: true },
      }),
    );
    expect(promoted.status).toBe(200);
    expect(promoted.body.is_teacher).toBe(true);
    const demoted = await call(t, "PATCH", `/api/users/${member.id}/`, {
      auth: world.teacher.auth,
      form: { is_teacher: "false" },
    });
    expect(demoted.body.is_teacher).toBe(false);
  });

  it("refuses a teacher who is not the owner", async () => {
    const response = await responseOf(
      client(t, world.colleague.auth).api.users[":id"].index.$patch({
        param: { id: String(world.student.id) },
        json: { is_teacher: true },
      }),
    );
    expect(response.status).toBe(403);
  });

  it("does not let the owner demote themself", async () => {
    const response = await responseOf(
      client(t, world.teacher.auth).api.users[":id"].index.$patch({
        param: { id: String(world.teacher.id) },
        json: { is_teacher: false },
      }),
    );
    expect(response.status).toBe(400);
  });
});

describeRoleMatrix("PATCH /api/users/{id}/ promoting a student of organization A", {
  arrange: async (t) =>
    registerUser(t, {
      organization_id: (await responseOf(client(t).api.organizations.index.$get())).body[0]?.id,
    }),
  request: (member) => ({
    method: "PATCH",
    path: `/api/users/${member.id}/`,
    options: { json: { is_teacher: true } },
  }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 403, teacher: 200, otherOrg: 404 },
});
