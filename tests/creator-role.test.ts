// Requests go through the typed client (`client`), except through `call`: the role matrix's
// requests, sent by method and path, and download links carrying `?token=`.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testGroups, tests } from "../src/db/schema";
import { type Credentials, call, type RequestOptions } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createGroup, createTest, createWorld, type World } from "./helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

/** CONTRACT §3: creator powers last "while still a teacher", checked at every request. */
let t: TestApp;
let world: World;
let testId: number;
let groupId: number;
let completionId: number;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
  // The colleague (promoted by the owner) creates the test, so that the owner can demote them.
  const created = await createTest(t, world.colleague);
  testId = created.id;
  groupId = (await createGroup(t, world.colleague, [world.student])).id;
  const allowed = await responseOf(
    client(t, world.colleague.auth).api.tests[":id"].allow_for_group.index.$post({
      param: { id: String(testId) },
      json: { group: groupId },
    }),
  );
  expect(allowed.status).toBe(200);
  const view = await teacherViewOf(t, world.colleague, testId);
  const submitted = await submit(t, world.student, view.public_uuid, sampleAnswers(view, true));
  expect(submitted.status).toBe(201);
  completionId = submitted.body.id;
});
afterAll(() => t.close());

/** Every creator power, as a request; run in parallel, so one request can't prepare another. */
function creatorRequests(): [string, string, RequestOptions][] {
  const group = { json: { group: groupId } };
  return [
    ["GET", `/api/tests/${testId}/`, {}],
    ["PATCH", `/api/tests/${testId}/`, { json: { name: "renamed by a former teacher" } }],
    ["GET", `/api/tests/${testId}/completions/`, {}],
    ["GET", `/api/tests/${testId}/completions/?limit=1`, {}],
    ["GET", `/api/tests/${testId}/completions/export/`, {}],
    ["GET", `/api/tests/${testId}/statistics/`, {}],
    ["GET", `/api/tests/${testId}/statistics/histogram.svg`, {}],
    ["POST", `/api/tests/${testId}/allow_for_group/`, group],
    ["POST", `/api/tests/${testId}/disallow_for_group/`, group],
    ["POST", `/api/tests/${testId}/regenerate_uuid/`, {}],
    ["GET", `/api/completions/${completionId}/with_correctness/`, {}],
    ["GET", `/api/completions/${completionId}/`, {}],
  ];
}

async function asCreator(auth: Credentials) {
  return Promise.all(
    creatorRequests().map(([method, path, options]) => call(t, method, path, { ...options, auth })),
  );
}

const setTeacher = (isTeacher: boolean) =>
  responseOf(
    client(t, world.teacher.auth).api.users[":id"].index.$patch({
      param: { id: String(world.colleague.id) },
      json: { is_teacher: isTeacher },
    }),
  );

async function storedTest() {
  const test = await t.store.db.select().from(tests).where(eq(tests.id, testId)).get();
  const groups = await t.store.db.select().from(testGroups).where(eq(testGroups.testId, testId));
  return { name: test?.name, publicUuid: test?.publicUuid, groups: groups.length };
}

describe("a creator demoted by the owner", () => {
  it("loses every creator power at once, with a token issued before the demotion, Bearer, Basic and ?token= alike", async () => {
    const tokenBeforeDemotion = world.colleague.access;
    const before = await storedTest();
    expect((await setTeacher(false)).status).toBe(200);

    const basic = { basic: { email: world.colleague.email, password: world.colleague.password } };
    const [bearerResponses, basicResponses, download, histogram, deletion, ownTests] =
      await Promise.all([
        asCreator({ bearer: tokenBeforeDemotion }),
        asCreator(basic),
        call(t, "GET", `/api/tests/${testId}/completions/export/?token=${tokenBeforeDemotion}`),
        call(
          t,
          "GET",
          `/api/tests/${testId}/statistics/histogram.svg?token=${tokenBeforeDemotion}`,
        ),
        responseOf(
          client(t, { bearer: tokenBeforeDemotion }).api.tests[":id"].index.$delete({
            param: { id: String(testId) },
          }),
        ),
        responseOf(client(t, { bearer: tokenBeforeDemotion }).api.tests.index.$get({ query: {} })),
      ]);
    const requests = creatorRequests();
    for (const [index, response] of [...bearerResponses, ...basicResponses].entries()) {
      const [method, path] = requests[index % requests.length] ?? [];
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(typeof response.body.detail).toBe("string");
      expect(response.text).not.toContain("is_correct");
      expect(response.text).not.toContain("testing_code");
    }
    for (const response of [download, histogram, deletion, ownTests])
      expect(response.status).toBe(403);
    expect(await storedTest()).toEqual(before);
  });

  it("still reads their own completions as a student would", async () => {
    const mine = await responseOf(
      client(t, world.colleague.auth).api.users.me.completions.index.$get({ query: {} }),
    );
    expect(mine.status).toBe(200);
  });

  it("regains the creator powers once promoted again", async () => {
    expect((await setTeacher(true)).status).toBe(200);
    const responses = await asCreator(world.colleague.auth);
    const requests = creatorRequests();
    for (const [index, response] of responses.entries()) {
      const [method, path] = requests[index] ?? [];
      expect(response.status, `${method} ${path}`).toBe(200);
    }
  });
});
