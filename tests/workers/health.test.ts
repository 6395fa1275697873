import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { client, responseOf } from "../helpers/client";
import { uniqueEmail } from "../helpers/fixtures";
import { worker } from "./worker-app";

/** The proxy between the Worker and sqld (tests/workers/global-setup.ts), which can drop it. */
const proxy = env.DATABASE_URL;
const databaseOutage = (on: boolean) =>
  fetch(`${proxy}/__proxy/outage?on=${on ? 1 : 0}`, { method: "POST" });

afterEach(async () => {
  await databaseOutage(false);
});

describe("the Worker's health probes", () => {
  it("/healthz answers ok without credentials", async () => {
    const response = await responseOf(client(worker).healthz.$get());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it("/readyz reads the database and the Durable Object queue; its runners are remote", async () => {
    const response = await responseOf(
      client(worker, undefined, { authorization: "Bearer not-a-token" }).readyz.$get(),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: "ready",
      database: "ok",
      grading: { queued: expect.any(Number), sandbox: "remote" },
    });
  });

  it("/readyz answers 503 naming the database while it is unreachable, and recovers", async () => {
    await databaseOutage(true);
    const probes = await Promise.all(
      Array.from({ length: 20 }, () => responseOf(client(worker).readyz.$get())),
    );
    for (const probe of probes) {
      expect(probe.status).toBe(503);
      expect(probe.body).toMatchObject({
        status: "unavailable",
        database: "unavailable",
        detail: "Not ready: the database can't be read.",
      });
    }
    expect((await responseOf(client(worker).healthz.$get())).status).toBe(200);

    await databaseOutage(false);
    const ready = await responseOf(client(worker).readyz.$get());
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ready", database: "ok" });
  });

  it("an API request while the database is unreachable gets a 503 to retry, not a 500", async () => {
    const person = { first_name: "Ada", last_name: "L", password: "correct horse battery" };
    await databaseOutage(true);
    const attempts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        responseOf(
          client(worker).api.users.index.$post({
            json: { ...person, email: uniqueEmail(`outage-${i}`) },
          }),
        ),
      ),
    );
    for (const attempt of attempts) {
      expect(attempt.status, attempt.text).toBe(503);
      expect(attempt.headers.get("retry-after")).toBe("5");
      expect(attempt.body).toEqual({
        detail: "The service can't store data right now. Try again shortly.",
      });
    }
    await databaseOutage(false);
    const after = await responseOf(
      client(worker).api.users.index.$post({
        json: { ...person, email: uniqueEmail("after-outage") },
      }),
    );
    expect(after.status).toBe(201);
  });
});
