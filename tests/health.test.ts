// Requests go through the typed client (`client`), except through `call`: paths with the trailing
// slash toggled and a method the probes don't answer (405).
import { afterEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "../src/logger";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createOpenTest, createWorld } from "./helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close().catch(() => undefined);
  t = undefined;
});

describe("GET /healthz", () => {
  it("answers ok without credentials, whatever Authorization says", async () => {
    t = await createTestApp();
    for (const headers of [{}, { authorization: "Bearer forged.token.here" }] as Record<
      string,
      string
    >[]) {
      const response = await responseOf(client(t, undefined, headers).healthz.$get());
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: "ok" });
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    expect((await call(t, "GET", "/healthz/")).status).toBe(200);
  });

  it("answers 405 with Allow for other methods", async () => {
    t = await createTestApp();
    const response = await call(t, "POST", "/healthz", { json: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("GET /readyz", () => {
  it("reports the database, the grading queue's jobs and the sandbox kind", async () => {
    t = await createTestApp();
    const ready = await responseOf(client(t).readyz.$get());
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: "ready",
      database: "ok",
      grading: { queued: 0, sandbox: "remote" },
    });
    expect(ready.headers.get("cache-control")).toBe("no-store");

    // Without runners the submission's code answer waits in the queue.
    const world = await createWorld(t);
    const { test } = await createOpenTest(t, world.teacher, [world.student]);
    const view = await teacherViewOf(t, world.teacher, test.id);
    const submitted = await submit(t, world.student, test.public_uuid, sampleAnswers(view, true));
    expect(submitted.body.status).toBe("grading");
    expect((await responseOf(client(t).readyz.$get())).body.grading).toEqual({
      queued: 1,
      sandbox: "remote",
    });
  });

  it("names the sandbox of the in-process runners", async () => {
    t = await createTestApp({ runners: 1 });
    const ready = await responseOf(client(t).readyz.$get());
    expect(ready.status).toBe(200);
    expect(["bwrap", "pyodide"]).toContain(ready.body.grading.sandbox);
  });

  it("answers 150 probes in flight at once", async () => {
    t = await createTestApp();
    const app = t;
    const responses = await Promise.all(
      Array.from({ length: 150 }, () => responseOf(client(app).readyz.$get())),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(150).fill(200));
  });

  it("answers 503 naming the database while it can't be read; /healthz stays 200", async () => {
    t = await createTestApp();
    await t.store.close();
    const response = await responseOf(client(t).readyz.$get());
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: "unavailable",
      detail: "Not ready: the database can't be read.",
      database: "unavailable",
      grading: { queued: null, sandbox: "remote" },
    });
    expect(response.headers.get("retry-after")).toBe("5");
    // Nothing of the failure's cause (paths, SQL, driver messages) reaches the probe.
    expect(response.text).not.toMatch(/sqlite|select|\.db|closed/i);
    expect((await responseOf(client(t).healthz.$get())).status).toBe(200);
  });
});

describe("the request log", () => {
  it("keeps answered probes at debug level, and logs a failed one at info", async () => {
    const lines: string[] = [];
    t = await createTestApp({ logger: createJsonLogger("info", (line) => lines.push(line)) });
    await responseOf(client(t).healthz.$get());
    await call(t, "GET", "/readyz/");
    await responseOf(client(t).api.organizations.index.$get());
    await t.store.close();
    await responseOf(client(t).readyz.$get());
    const logged = lines.map((line) => JSON.parse(line) as { path: string; status: number });
    expect(logged.map(({ path, status }) => `${path} ${status}`)).toEqual([
      "/api/organizations/ 200",
      "/readyz 503",
    ]);
  });
});
