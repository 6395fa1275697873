// Requests go through the typed client (`client`), except through `call`: paths outside the schema,
// methods a path doesn't answer (405), bodies without or with the wrong Content-Type (415), raw,
// form-encoded and multipart bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJsonLogger } from "../src/logger";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { registerUser, type TestUser, uniqueEmail } from "./helpers/fixtures";

let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  t = await createTestApp({ env: { MAX_BODY_BYTES: "4096" } });
  user = await registerUser(t);
});
afterAll(() => t.close());

describe("paths", () => {
  it("accepts every path with its trailing slash toggled, without redirecting", async () => {
    for (const path of [
      "/api/users/",
      "/api/users",
      "/api/users/me",
      "/api/users/me/",
      `/api/users/${user.id}`,
    ]) {
      const response = await call(t, "GET", path, { auth: user.auth });
      expect(response.status, path).toBe(200);
    }
  });

  it("answers an unknown path with a JSON 404", async () => {
    const response = await call(t, "GET", "/api/nothing-here/");
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: "Not found." });
  });

  it("answers a known path with the wrong method with 405 and Allow", async () => {
    const response = await call(t, "DELETE", "/api/organizations/", { auth: user.auth });
    expect(response.status).toBe(405);
    expect(response.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
    expect(response.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
  });
});

describe("bodies", () => {
  const register = (options: Parameters<typeof call>[3]) => call(t, "POST", "/api/users/", options);

  it("answers 415 to a body without Content-Type", async () => {
    const response = await register({ raw: { body: JSON.stringify({ email: uniqueEmail() }) } });
    expect(response.status).toBe(415);
    expect(typeof response.body.detail).toBe("string");
  });

  it("answers 415 to an unsupported Content-Type", async () => {
    const response = await register({ raw: { body: "<user/>", contentType: "application/xml" } });
    expect(response.status).toBe(415);
  });

  it("answers 400 with a detail to malformed JSON", async () => {
    const response = await register({
      raw: { body: '{"email": ', contentType: "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: "JSON parse error." });
  });

  it.each([
    ["[]", "list"],
    ['"text"', "str"],
    ["null", "NoneType"],
    ["42", "int"],
  ])("answers 400 under non_field_errors to a JSON body that is %s", async (body, type) => {
    const response = await register({ raw: { body, contentType: "application/json" } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`],
    });
  });

  it("answers 413 to a body over the limit, and creates nothing", async () => {
    const email = uniqueEmail();
    const response = await register({
      json: {
        email,
        password: "correct horse battery",
        first_name: "A",
        last_name: "x".repeat(5000),
      },
    });
    expect(response.status).toBe(413);
    expect(typeof response.body.detail).toBe("string");
    const login = await responseOf(
      client(t).api.users.token.obtain.index.$post({
        json: { email, password: "correct horse battery" },
      }),
    );
    expect(login.status).toBe(401);
  });

  it("answers 401 before looking at the body of an authenticated endpoint", async () => {
    const response = await call(t, "PATCH", "/api/users/me", { raw: { body: "nonsense" } });
    expect(response.status).toBe(401);
  });
});

describe("headers", () => {
  it("gives every response a request id, and echoes a sane one from the client", async () => {
    const generated = await responseOf(client(t).api.organizations.index.$get());
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await call(t, "GET", "/api/nothing/", {
      headers: { "x-request-id": "client-abc-123" },
    });
    expect(echoed.headers.get("x-request-id")).toBe("client-abc-123");
  });

  it("answers a CORS preflight from any origin by default", async () => {
    const response = await t.app.request("/api/users/me", {
      method: "OPTIONS",
      headers: {
        origin: "https://client.example",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
      "authorization",
    );
  });

  it("narrows CORS to CORS_ORIGINS when set", async () => {
    const narrow = await createTestApp({
      env: { CORS_ORIGINS: "https://a.example, https://b.example" },
    });
    try {
      const allowed = await narrow.app.request("/api/organizations/", {
        headers: { origin: "https://b.example" },
      });
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://b.example");
      const refused = await narrow.app.request("/api/organizations/", {
        headers: { origin: "https://evil.example" },
      });
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await narrow.close();
    }
  });

  it("marks authenticated responses as not cacheable", async () => {
    const response = await responseOf(client(t, user.auth).api.users.me.$get());
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("unexpected failures", () => {
  it("answer 500 with a request id and no internals, and are logged with the cause", async () => {
    const logged: string[] = [];
    const broken = await createTestApp({
      logger: createJsonLogger("error", (line) => logged.push(line)),
    });
    await broken.store.close();
    try {
      const response = await responseOf(client(broken).api.organizations.index.$get());
      expect(response.status).toBe(500);
      const requestId = response.headers.get("x-request-id");
      expect(response.body).toEqual({ detail: "Internal server error", request_id: requestId });
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0] as string)).toMatchObject({
        level: "error",
        request_id: requestId,
      });
    } finally {
      await broken.close();
    }
  });
});

describe("found by fuzzing", () => {
  it("treats form fields named __proto__ or constructor as ordinary unknown fields", async () => {
    for (const field of ["__proto__", "constructor", "toString"]) {
      const patched = await call(t, "PATCH", "/api/users/me", {
        auth: user.auth,
        multipart: { [field]: "", last_name: "Same" },
      });
      expect(patched.status, field).toBe(200);
    }
    const response = await call(t, "POST", "/api/organizations/", {
      auth: user.auth,
      form: { __proto__: "", name: "X" },
    });
    expect(response.status).toBe(403);
    const registered = await call(t, "POST", "/api/users/", {
      form: {
        __proto__: "x",
        email: uniqueEmail(),
        password: "correct horse battery",
        first_name: "A",
        last_name: "B",
      },
    });
    expect(registered.status).toBe(201);
  });
});
