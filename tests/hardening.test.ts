// Requests go through the typed client (`client`), except through `call`: submissions of arbitrary
// bodies with extra headers, and a path outside the schema.
import { count } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { completions } from "../src/db/schema";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import {
  createOpenTest,
  createWorld,
  registerUser,
  uniqueEmail,
  type World,
} from "./helpers/fixtures";
import { sampleAnswers, teacherViewOf } from "./helpers/submit";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function openTestFor(env: Record<string, string> = {}) {
  t = await createTestApp({ env });
  const world = await createWorld(t);
  const { test } = await createOpenTest(t, world.teacher, [world.student]);
  const view = await teacherViewOf(t, world.teacher, test.id);
  return { world, view };
}

const submit = (world: World, body: unknown, headers: Record<string, string> = {}) =>
  call(t, "POST", "/api/completions/", { auth: world.student.auth, json: body, headers });

async function storedCompletions() {
  const [row] = await t.store.db.select({ total: count() }).from(completions);
  return row?.total ?? 0;
}

describe("Idempotency-Key on submissions", () => {
  it("returns the first result for a retried submission and creates nothing new", async () => {
    const { world, view } = await openTestFor();
    const body = { test: view.public_uuid, answers: sampleAnswers(view, true).slice(0, 3) };
    const first = await submit(world, body, { "idempotency-key": "attempt-1" });
    const again = await submit(world, body, { "idempotency-key": "attempt-1" });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await storedCompletions()).toBe(1);
  });

  it("answers 409 to the same key with a different body, leaving nothing behind", async () => {
    const { world, view } = await openTestFor();
    await submit(
      world,
      { test: view.public_uuid, answers: sampleAnswers(view, true).slice(0, 3) },
      { "idempotency-key": "k" },
    );
    const other = await submit(
      world,
      { test: view.public_uuid, answers: [] },
      { "idempotency-key": "k" },
    );
    expect(other.status).toBe(409);
    expect(typeof other.body.detail).toBe("string");
    expect(await storedCompletions()).toBe(1);
  });

  it("creates one completion when retries race each other", async () => {
    const { world, view } = await openTestFor();
    const body = { test: view.public_uuid, answers: sampleAnswers(view, true).slice(0, 3) };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => submit(world, body, { "idempotency-key": "racing" })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(await storedCompletions()).toBe(1);
  });

  it("keeps keys per student: another student's identical key is another submission", async () => {
    const { world, view } = await openTestFor();
    const other = await registerUser(t, { organization_id: world.orgA.id });
    const group = await responseOf(client(t, world.teacher.auth).api.groups.index.$get());
    await responseOf(
      client(t, world.teacher.auth).api.groups[":id"].add_user.index.$post({
        param: { id: String(group.body[0]?.id) },
        json: { user: other.id },
      }),
    );
    const body = { test: view.public_uuid, answers: [] };
    await submit(world, body, { "idempotency-key": "shared" });
    const second = await responseOf(
      client(t, other.auth, { "idempotency-key": "shared" }).api.completions.index.$post({
        json: body,
      }),
    );
    expect(second.status).toBe(201);
    expect(await storedCompletions()).toBe(2);
  });

  it("refuses a malformed key", async () => {
    const { world, view } = await openTestFor();
    const response = await submit(
      world,
      { test: view.public_uuid, answers: [] },
      { "idempotency-key": "x".repeat(300) },
    );
    expect(response.status).toBe(400);
    expect(await storedCompletions()).toBe(0);
  });
});

describe("rate limits", () => {
  it("limits submissions per student, with Retry-After and RateLimit headers", async () => {
    const { world, view } = await openTestFor({ SUBMISSION_RATE_PER_MINUTE: "3" });
    const body = { test: view.public_uuid, answers: [] };
    const allowed = [
      await submit(world, body),
      await submit(world, body),
      await submit(world, body),
    ];
    expect(allowed.map((response) => response.status)).toEqual([201, 201, 201]);
    expect(allowed[2]?.headers.get("ratelimit-limit")).toBe("3");
    expect(allowed[2]?.headers.get("ratelimit-remaining")).toBe("0");
    const refused = await submit(world, body);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(await storedCompletions()).toBe(3);
    t.clock.advanceSeconds(61);
    expect((await submit(world, body)).status).toBe(201);
  });

  it("limits registrations per client address", async () => {
    t = await createTestApp({ env: { REGISTER_RATE_PER_HOUR: "2" } });
    const register = (address: string) =>
      responseOf(
        client(t, undefined, { "x-test-client-address": address }).api.users.index.$post({
          json: {
            email: uniqueEmail(),
            password: "correct horse battery",
            first_name: "A",
            last_name: "B",
          },
        }),
      );
    expect((await register("10.1.0.1")).status).toBe(201);
    expect((await register("10.1.0.1")).status).toBe(201);
    const refused = await register("10.1.0.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect((await register("10.1.0.2")).status).toBe(201);
  });

  it("limits sign-in attempts per email, even with the right password", async () => {
    t = await createTestApp({ env: { LOGIN_RATE_PER_MINUTE: "2" } });
    const user = await registerUser(t);
    const login = () =>
      responseOf(
        client(t, undefined, {
          "x-test-client-address": `10.2.0.${Math.floor(Math.random() * 200)}`,
        }).api.users.token.obtain.index.$post({
          json: { email: user.email, password: user.password },
        }),
      );
    expect((await login()).status).toBe(200);
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
  });

  it("bounds the grading queue: 503 when full, 429 when one student has too much waiting", async () => {
    const { world, view } = await openTestFor({
      GRADING_QUEUE_CAPACITY: "2",
      GRADING_MAX_PENDING_PER_USER: "1",
    });
    const withCode = { test: view.public_uuid, answers: sampleAnswers(view, true) };
    expect((await submit(world, withCode)).body.status).toBe("grading");
    const tooMany = await submit(world, withCode);
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers.get("retry-after")).toBe("30");
    const other = await registerUser(t, { organization_id: world.orgA.id });
    const groups = await responseOf(client(t, world.teacher.auth).api.groups.index.$get());
    await responseOf(
      client(t, world.teacher.auth).api.groups[":id"].add_user.index.$post({
        param: { id: String(groups.body[0]?.id) },
        json: { user: other.id },
      }),
    );
    expect(
      (await responseOf(client(t, other.auth).api.completions.index.$post({ json: withCode })))
        .status,
    ).toBe(201);
    const third = await registerUser(t, { organization_id: world.orgA.id });
    await responseOf(
      client(t, world.teacher.auth).api.groups[":id"].add_user.index.$post({
        param: { id: String(groups.body[0]?.id) },
        json: { user: third.id },
      }),
    );
    const full = await responseOf(
      client(t, third.auth).api.completions.index.$post({ json: withCode }),
    );
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("30");
    expect(await storedCompletions()).toBe(2);
    // Answers without code never wait for the grader, so they are still taken.
    expect(
      (
        await responseOf(
          client(t, third.auth).api.completions.index.$post({
            json: { test: view.public_uuid, answers: [] },
          }),
        )
      ).status,
    ).toBe(201);
  });
});

describe("security headers", () => {
  it("are on every response; authenticated ones are not cacheable", async () => {
    t = await createTestApp();
    const user = await registerUser(t);
    for (const response of [
      await responseOf(client(t).api.organizations.index.$get()),
      await call(t, "GET", "/api/nothing/"),
      await responseOf(client(t, user.auth).api.users.me.$get()),
    ]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
    expect(
      (await responseOf(client(t, user.auth).api.users.me.$get())).headers.get("cache-control"),
    ).toBe("no-store");
  });
});
