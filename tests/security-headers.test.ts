// Requests go through the typed client (`client`), except through `call`: a path outside the
// schema, a method a path doesn't answer (405), a text/plain body (415) and the Swagger UI page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** What hono/secure-headers sends, as configured in src/app.ts. */
const expected = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "strict-transport-security": "max-age=15552000",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
};

describe("security headers (hono/secure-headers)", () => {
  it("are on answers of every kind: success, 401, 404, 405, 415, docs and probes", async () => {
    const responses = await Promise.all([
      responseOf(client(t).api.organizations.index.$get()),
      responseOf(client(t).api.users.me.$get()),
      call(t, "GET", "/api/nothing/"),
      call(t, "DELETE", "/api/organizations/"),
      call(t, "POST", "/api/users/", { raw: { body: "x", contentType: "text/plain" } }),
      call(t, "GET", "/docs"),
      responseOf(client(t).readyz.$get()),
    ]);
    expect(responses.map((response) => response.status)).toEqual([
      200, 401, 404, 405, 415, 200, 200,
    ]);
    for (const response of responses)
      for (const [name, value] of Object.entries(expected))
        expect(response.headers.get(name), `${name} on ${response.status}`).toBe(value);
  });

  it("leave a cross-origin client's CORS preflight and calls working", async () => {
    const preflight = await t.app.request("/api/schema/json/", {
      method: "OPTIONS",
      headers: { origin: "https://client.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(204);
    const schema = await t.app.request("/api/schema/json/", {
      headers: { origin: "https://client.example" },
    });
    expect(schema.status).toBe(200);
    expect(schema.headers.get("access-control-allow-origin")).toBe("*");
  });
});
