// Requests go through the typed client (`client`), except through `call`: each list's path with
// `?limit=&after=` spelled as a client would (invalid values included) and `Link` headers followed
// as given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, type Credentials, call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import {
  createOpenTest,
  createTest,
  createWorld,
  registerUser,
  type TestUser,
  type World,
} from "./helpers/fixtures";
import { type CreatedTest, sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

/** CONTRACT §1 Lists: `?limit=&after=` and `Link: <…>; rel="next"` on the lists that grow. */
let t: TestApp;
let world: World;
let test: CreatedTest;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
  const open = await createOpenTest(t, world.teacher, [world.student]);
  test = await teacherViewOf(t, world.teacher, open.test.id);
  for (let i = 0; i < 6; i++) {
    await registerUser(t, { organization_id: world.orgA.id });
    await createTest(t, world.teacher, []);
    expect(
      (await submit(t, world.student, test.public_uuid, sampleAnswers(test, i % 2 === 0))).status,
    ).toBe(201);
  }
});
afterAll(() => t.close());

interface PagedList {
  name: string;
  path: () => string;
  auth: () => Credentials;
  /** Adds one item to the list (it gets a larger id than every item so far). */
  grow: () => Promise<void>;
}

const submitOnce = async () => {
  expect((await submit(t, world.student, test.public_uuid, sampleAnswers(test, true))).status).toBe(
    201,
  );
};

const lists: PagedList[] = [
  {
    name: "GET /api/users/",
    path: () => "/api/users/",
    auth: () => world.teacher.auth,
    grow: async () => {
      await registerUser(t, { organization_id: world.orgA.id });
    },
  },
  {
    name: "GET /api/tests/",
    path: () => "/api/tests/",
    auth: () => world.teacher.auth,
    grow: async () => {
      await createTest(t, world.teacher, []);
    },
  },
  {
    name: "GET /api/users/me/completions/",
    path: () => "/api/users/me/completions/",
    auth: () => world.student.auth,
    grow: submitOnce,
  },
  {
    name: "GET /api/tests/{id}/completions/",
    path: () => `/api/tests/${test.id}/completions/`,
    auth: () => world.teacher.auth,
    grow: submitOnce,
  },
  {
    name: "GET /api/tests/p/{public_uuid}/completions/",
    path: () => `/api/tests/p/${test.public_uuid}/completions/`,
    auth: () => world.student.auth,
    grow: submitOnce,
  },
];

/** The path of a `Link: <path>; rel="next"` header, or undefined. */
function nextLink(response: ApiResponse): string | undefined {
  const header = response.headers.get("link");
  if (header === null) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(header);
  expect(match, header).not.toBeNull();
  return match?.[1];
}

const ids = (response: ApiResponse) => (response.body as { id: number }[]).map((item) => item.id);

describe.each(lists)("$name", (list) => {
  const get = (path: string) => call(t, "GET", path, { auth: list.auth() });

  it("without limit or after, returns the whole list as a bare array, in id order, without Link", async () => {
    const whole = await get(list.path());
    expect(whole.status).toBe(200);
    expect(Array.isArray(whole.body)).toBe(true);
    expect(whole.body.length).toBeGreaterThanOrEqual(6);
    expect(ids(whole)).toEqual([...ids(whole)].sort((a, b) => a - b));
    expect(whole.headers.get("link")).toBeNull();
    expect(whole.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("yields every item exactly once, in order, following Link, while items are added between pages", async () => {
    const before = ids(await get(list.path()));
    const seen: number[] = [];
    let next: string | undefined = `${list.path()}?limit=2`;
    let grown = 0;
    while (next) {
      const page = await get(next);
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      next = nextLink(page);
      if (next) expect(next).toMatch(/[?&]limit=2(&|$)/);
      if (grown < 2) {
        await list.grow();
        grown += 1;
      }
    }
    const after = ids(await get(list.path()));
    expect(after.length).toBe(before.length + grown);
    expect(seen).toEqual(after);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("keeps other query parameters in the Link, and ends without one on an exactly full last page", async () => {
    const all = ids(await get(list.path()));
    const first = await get(`${list.path()}?limit=1&lang=ru`);
    const link = nextLink(first) as string;
    const query = new URL(link, "http://x").searchParams;
    expect(query.get("lang")).toBe("ru");
    expect(query.get("after")).toBe(String(all[0]));
    expect(query.get("limit")).toBe("1");
    const last = await get(`${list.path()}?after=${all.at(-3)}&limit=2`);
    expect(ids(last)).toEqual(all.slice(-2));
    expect(last.headers.get("link")).toBeNull();
  });

  it("takes after without limit (the rest of the list) and after past the end (an empty list)", async () => {
    const all = ids(await get(list.path()));
    expect(ids(await get(`${list.path()}?after=${all[1]}`))).toEqual(all.slice(2));
    const past = await get(`${list.path()}?after=9007199254740991&limit=1000`);
    expect(past.status).toBe(200);
    expect(past.body).toEqual([]);
    expect(past.headers.get("link")).toBeNull();
  });

  it.each([
    ["limit", "0"],
    ["limit", "1001"],
    ["limit", "-1"],
    ["limit", "abc"],
    ["limit", "1.5"],
    ["limit", "1e3"],
    ["limit", ""],
    ["limit", "%205"],
    ["limit", "0x10"],
    ["limit", "99999999999999999999999"],
    ["after", "-1"],
    ["after", "1e3"],
    ["after", "9007199254740992"],
    ["after", "99999999999999999999999999999999999"],
  ])("answers 400 in DRF's shape to %s=%s", async (name, value) => {
    const response = await get(`${list.path()}?${name}=${value}`);
    expect(response.status).toBe(400);
    expect(Object.keys(response.body)).toEqual([name]);
    expect(response.body[name]).toEqual([expect.any(String)]);
  });

  it("answers 400 to a repeated limit", async () => {
    const response = await get(`${list.path()}?limit=1&limit=2`);
    expect(response.status).toBe(400);
  });

  it("still answers 401 first to an anonymous caller", async () => {
    expect((await call(t, "GET", `${list.path()}?limit=abc`)).status).toBe(401);
  });
});

describe("paging keeps who may see what", () => {
  it("gives another teacher of the organization 403 on a test's completions, paged or not", async () => {
    for (const query of ["", "?limit=1", "?limit=abc"]) {
      const response = await call(t, "GET", `/api/tests/${test.id}/completions/${query}`, {
        auth: world.colleague.auth,
      });
      expect([403, 400]).toContain(response.status);
      if (query !== "?limit=abc") expect(response.status).toBe(403);
    }
  });

  it("never pages into another organization's users", async () => {
    const outsider: TestUser = world.otherTeacher;
    const mine = ids(await call(t, "GET", "/api/users/?limit=1000", { auth: outsider.auth }));
    const orgA = ids(await call(t, "GET", "/api/users/?limit=1000", { auth: world.teacher.auth }));
    expect(mine.filter((id) => orgA.includes(id))).toEqual([]);
    expect(
      ids(await call(t, "GET", "/api/users/?after=0&limit=1000", { auth: world.noOrg.auth })),
    ).toEqual([world.noOrg.id]);
  });
});
