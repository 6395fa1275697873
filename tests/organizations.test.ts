// Requests go through the typed client (`client`), except through `call`: a form-encoded body and a
// body the schema refuses (no name).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createWorld, registerUser, type World } from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
});
afterAll(() => t.close());

describe("organizations", () => {
  it("lists every organization to anyone, for the registration form", async () => {
    const response = await responseOf(client(t).api.organizations.index.$get());
    expect(response.status).toBe(200);
    expect(response.body).toEqual([world.orgA, world.orgB]);
    expect(Object.keys(response.body[0] ?? {}).sort()).toEqual([
      "description",
      "id",
      "name",
      "owner",
    ]);
  });

  it("lets a teacher without organization create one, becoming owner and member", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    const response = await call(t, "POST", "/api/organizations/", {
      auth: teacher.auth,
      form: { name: "  Lyceum 7 ", description: "Maths and physics", owner: "1", id: "99" },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: "Lyceum 7",
      description: "Maths and physics",
      owner: teacher.id,
    });
    const me = await responseOf(client(t, teacher.auth).api.users.me.$get());
    expect(me.body.organization).toEqual(response.body);
  });

  it("refuses a name that exists already, in any case", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    const response = await responseOf(
      client(t, teacher.auth).api.organizations.index.$post({
        json: { name: world.orgA.name.toUpperCase() },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ name: ["An organization with this name already exists."] });
    expect(
      (await responseOf(client(t, teacher.auth).api.users.me.$get())).body.organization,
    ).toBeNull();
  });

  it("requires a name", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    const response = await call(t, "POST", "/api/organizations/", {
      auth: teacher.auth,
      json: { description: "x" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ name: ["This field is required."] });
  });
});

describeRoleMatrix("POST /api/organizations/", {
  request: () => ({
    method: "POST",
    path: "/api/organizations/",
    options: { json: { name: `New ${Math.random()}` } },
  }),
  expected: { anon: 401, noOrg: 403, student: 403, colleague: 403, teacher: 403, otherOrg: 403 },
});

describeRoleMatrix("GET /api/organizations/", {
  request: () => ({ method: "GET", path: "/api/organizations/" }),
  expected: { anon: 200, noOrg: 200, student: 200, colleague: 200, teacher: 200, otherOrg: 200 },
});
