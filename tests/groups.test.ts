// Requests go through the typed client (`client`), except through `call`: bodies the schema refuses
// (unknown fields, a member id that is not a number) and form-encoded bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createGroup, createWorld, registerUser, type World } from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
});
afterAll(() => t.close());

const memberKeys = ["email", "first_name", "id", "is_teacher", "last_name", "photo"];

describe("groups", () => {
  it("creates a group with no members, ignoring members sent in the body", async () => {
    const response = await call(t, "POST", "/api/groups/", {
      auth: world.teacher.auth,
      json: {
        name: "11B",
        description: "Evening class",
        members: [{ id: world.student.id }],
        id: 5,
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      name: "11B",
      description: "Evening class",
      members: [],
    });
  });

  it("keeps names unique within an organization, not across organizations", async () => {
    await createGroup(t, world.teacher, [], "Shared name");
    const again = await responseOf(
      client(t, world.colleague.auth).api.groups.index.$post({ json: { name: "Shared name" } }),
    );
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      name: ["A group with this name already exists in your organization."],
    });
    const elsewhere = await call(t, "POST", "/api/groups/", {
      auth: world.otherTeacher.auth,
      form: { name: "Shared name" },
    });
    expect(elsewhere.status).toBe(201);
  });

  it("lists the organization's groups with their members, shown without organization", async () => {
    const group = await createGroup(t, world.teacher, [world.student, world.colleague]);
    const response = await responseOf(client(t, world.student.auth).api.groups.index.$get());
    expect(response.status).toBe(200);
    const listed = response.body.find((item: { id: number }) => item.id === group.id);
    expect(listed?.members.map((member: { id: number }) => member.id)).toEqual([
      world.colleague.id,
      world.student.id,
    ]);
    for (const member of listed?.members ?? [])
      expect(Object.keys(member).sort()).toEqual(memberKeys);
    const otherList = await responseOf(client(t, world.otherTeacher.auth).api.groups.index.$get());
    expect(otherList.body.map((item: { id: number }) => item.id)).not.toContain(group.id);
  });

  it("shows a user without organization an empty list", async () => {
    const response = await responseOf(client(t, world.noOrg.auth).api.groups.index.$get());
    expect(response.body).toEqual([]);
  });

  it("adds a member once, whatever the number of calls, and removes them", async () => {
    const group = await createGroup(t, world.teacher);
    for (let i = 0; i < 2; i++) {
      const added = await responseOf(
        client(t, world.teacher.auth).api.groups[":id"].add_user.index.$post({
          param: { id: String(group.id) },
          json: { user: world.student.id },
        }),
      );
      expect(added.status).toBe(200);
      expect(added.body.members.map((member: { id: number }) => member.id)).toEqual([
        world.student.id,
      ]);
    }
    for (let i = 0; i < 2; i++) {
      const removed = await call(t, "POST", `/api/groups/${group.id}/remove_user/`, {
        auth: world.teacher.auth,
        form: { user: String(world.student.id) },
      });
      expect(removed.status).toBe(200);
      expect(removed.body.members).toEqual([]);
    }
  });

  it("refuses to add a user of another organization, or one that does not exist", async () => {
    const group = await createGroup(t, world.teacher);
    for (const user of [world.otherStudent.id, world.noOrg.id, 987_654]) {
      const response = await responseOf(
        client(t, world.teacher.auth).api.groups[":id"].add_user.index.$post({
          param: { id: String(group.id) },
          json: { user },
        }),
      );
      expect(response.status).toBe(400);
      expect(Object.keys(response.body)).toEqual(["user"]);
    }
    expect(
      (
        await responseOf(
          client(t, world.teacher.auth).api.groups[":id"].index.$get({
            param: { id: String(group.id) },
          }),
        )
      ).body.members,
    ).toEqual([]);
  });

  it("validates the body of add_user", async () => {
    const group = await createGroup(t, world.teacher);
    const response = await call(t, "POST", `/api/groups/${group.id}/add_user/`, {
      auth: world.teacher.auth,
      json: { user: "someone" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ user: ["A valid integer is required."] });
  });

  it("deletes a group", async () => {
    const group = await createGroup(t, world.teacher);
    const deleted = await responseOf(
      client(t, world.colleague.auth).api.groups[":id"].index.$delete({
        param: { id: String(group.id) },
      }),
    );
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(
      (
        await responseOf(
          client(t, world.teacher.auth).api.groups[":id"].index.$get({
            param: { id: String(group.id) },
          }),
        )
      ).status,
    ).toBe(404);
  });

  it("lets a new teacher without organization create no group", async () => {
    const loner = await registerUser(t, { is_teacher: true });
    const response = await responseOf(
      client(t, loner.auth).api.groups.index.$post({ json: { name: "x" } }),
    );
    expect(response.status).toBe(403);
  });
});

const groupOfA = async (t: TestApp, world: World) => createGroup(t, world.teacher, [world.student]);

describeRoleMatrix("GET /api/groups/", {
  request: () => ({ method: "GET", path: "/api/groups/" }),
  expected: { anon: 401, noOrg: 200, student: 200, colleague: 200, teacher: 200, otherOrg: 200 },
});

describeRoleMatrix("POST /api/groups/", {
  request: () => ({
    method: "POST",
    path: "/api/groups/",
    options: { json: { name: `G ${Math.random()}` } },
  }),
  expected: { anon: 401, noOrg: 403, student: 403, colleague: 201, teacher: 201, otherOrg: 201 },
});

describeRoleMatrix("GET /api/groups/{id}/", {
  arrange: groupOfA,
  request: (group) => ({ method: "GET", path: `/api/groups/${group.id}/` }),
  expected: { anon: 401, noOrg: 404, student: 200, colleague: 200, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("DELETE /api/groups/{id}/", {
  arrange: groupOfA,
  request: (group) => ({ method: "DELETE", path: `/api/groups/${group.id}/` }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 204, teacher: 204, otherOrg: 404 },
});

describeRoleMatrix("POST /api/groups/{id}/add_user/", {
  arrange: groupOfA,
  request: (group, w) => ({
    method: "POST",
    path: `/api/groups/${group.id}/add_user/`,
    options: { json: { user: w.colleague.id } },
  }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 200, teacher: 200, otherOrg: 404 },
});

describeRoleMatrix("POST /api/groups/{id}/remove_user/", {
  arrange: groupOfA,
  request: (group, w) => ({
    method: "POST",
    path: `/api/groups/${group.id}/remove_user/`,
    options: { json: { user: w.student.id } },
  }),
  expected: { anon: 401, noOrg: 404, student: 403, colleague: 200, teacher: 200, otherOrg: 404 },
});
