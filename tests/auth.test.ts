// Requests go through the typed client (`client`), except through `call`: a body the schema refuses
// (an empty sign-in), a form-encoded body, and a refresh token the response type leaves optional.
import { sign } from "hono/jwt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Credentials, call } from "./helpers/api";
import { createTestApp, type TestApp, testJwtSecret } from "./helpers/app";
import { client, type ErrorBody, responseOf } from "./helpers/client";
import { registerUser, type TestUser, uniqueEmail } from "./helpers/fixtures";

let t: TestApp;
let user: TestUser;

beforeEach(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterEach(() => t.close());

const me = (auth: Credentials) => responseOf(client(t, auth).api.users.me.$get());

/** Claims a real access token of `userId` would carry, valid for five minutes from now. */
function accessClaims(userId: number) {
  const now = Math.floor(Date.now() / 1000);
  return {
    token_type: "access",
    user_id: userId,
    jti: "x",
    iat: now,
    exp: now + 300,
    token_version: 0,
  };
}

function base64url(value: object) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("token obtain", () => {
  it("returns an access and a refresh token for the right credentials", async () => {
    const response = await responseOf(
      client(t).api.users.token.obtain.index.$post({
        json: { email: user.email, password: user.password },
      }),
    );
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["access", "refresh"]);
    expect((await me({ bearer: response.body.access })).body.id).toBe(user.id);
  });

  it("matches the email without regard to case or surrounding spaces", async () => {
    const response = await responseOf(
      client(t).api.users.token.obtain.index.$post({
        json: { email: `  ${user.email.toUpperCase()} `, password: user.password },
      }),
    );
    expect(response.status).toBe(200);
  });

  it("answers 401 with the same message for a wrong password and an unknown email", async () => {
    const wrongPassword = await responseOf(
      client(t).api.users.token.obtain.index.$post({
        json: { email: user.email, password: "not the password" },
      }),
    );
    const unknownEmail = await responseOf(
      client(t).api.users.token.obtain.index.$post({
        json: { email: uniqueEmail(), password: user.password },
      }),
    );
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        detail: "No active account found with the given credentials",
      });
    }
  });

  it("requires both fields", async () => {
    const response = await call(t, "POST", "/api/users/token/obtain/", { json: {} });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      email: ["This field is required."],
      password: ["This field is required."],
    });
  });

  it("accepts a form body", async () => {
    const response = await call(t, "POST", "/api/users/token/obtain/", {
      form: { email: user.email, password: user.password },
    });
    expect(response.status).toBe(200);
  });

  it("ignores a stale Authorization header", async () => {
    const response = await responseOf(
      client(t, { header: "Bearer not-a-token" }).api.users.token.obtain.index.$post({
        json: { email: user.email, password: user.password },
      }),
    );
    expect(response.status).toBe(200);
  });
});

describe("token refresh", () => {
  it("returns a new access token for a refresh token", async () => {
    const response = await responseOf(
      client(t).api.users.token.refresh.index.$post({ json: { refresh: user.refresh } }),
    );
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(["access"]);
    expect((await me({ bearer: response.body.access })).status).toBe(200);
  });

  it("refuses an access token, garbage and an expired refresh token with token_not_valid", async () => {
    const asAccess = await responseOf(
      client(t).api.users.token.refresh.index.$post({ json: { refresh: user.access } }),
    );
    const garbage = await responseOf(
      client(t).api.users.token.refresh.index.$post({ json: { refresh: "a.b.c" } }),
    );
    t.clock.advanceSeconds(86_400 + 1);
    const expired = await responseOf(
      client(t).api.users.token.refresh.index.$post({ json: { refresh: user.refresh } }),
    );
    for (const response of [asAccess, garbage, expired]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        detail: "Token is invalid or expired",
        code: "token_not_valid",
      });
    }
  });

  it("refuses a refresh token issued before a password change", async () => {
    await responseOf(
      client(t, user.auth).api.users.me.$patch({ json: { password: "a brand new password" } }),
    );
    const response = await responseOf(
      client(t).api.users.token.refresh.index.$post({ json: { refresh: user.refresh } }),
    );
    expect(response.status).toBe(401);
  });

  it("with rotation on, returns a new refresh token and refuses the old one", async () => {
    const rotating = await createTestApp({ env: { REFRESH_TOKEN_ROTATION: "true" } });
    try {
      const member = await registerUser(rotating);
      const first = await responseOf(
        client(rotating).api.users.token.refresh.index.$post({ json: { refresh: member.refresh } }),
      );
      expect(first.status).toBe(200);
      expect(Object.keys(first.body).sort()).toEqual(["access", "refresh"]);
      const reused = await responseOf(
        client(rotating).api.users.token.refresh.index.$post({ json: { refresh: member.refresh } }),
      );
      expect(reused.status).toBe(401);
      expect((reused.body as ErrorBody).code).toBe("token_not_valid");
      const next = await call(rotating, "POST", "/api/users/token/refresh/", {
        json: { refresh: first.body.refresh },
      });
      expect(next.status).toBe(200);
    } finally {
      await rotating.close();
    }
  });
});

describe("JWT abuse", () => {
  const expectRefused = async (token: string) => {
    const response = await me({ bearer: token });
    expect(response.status).toBe(401);
    expect((response.body as ErrorBody).code).toBe("token_not_valid");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  };

  it("refuses an expired access token", async () => {
    t.clock.advanceSeconds(301);
    await expectRefused(user.access);
  });

  it("refuses a token signed with another secret", async () => {
    const forged = await sign(
      accessClaims(user.id),
      "some-other-secret-that-is-long-enough",
      "HS256",
    );
    await expectRefused(forged);
  });

  it("refuses alg none", async () => {
    const header = base64url({ alg: "none", typ: "JWT" });
    const payload = base64url(accessClaims(user.id));
    await expectRefused(`${header}.${payload}.`);
  });

  it("refuses another algorithm with the right secret (HS512)", async () => {
    const token = await sign(accessClaims(user.id), testJwtSecret, "HS512");
    await expectRefused(token);
  });

  it("refuses a refresh token used as an access token", async () => {
    await expectRefused(user.refresh);
  });

  it("refuses a token issued before a password change", async () => {
    const changed = await responseOf(
      client(t, user.auth).api.users.me.$patch({ json: { password: "a brand new password" } }),
    );
    expect(changed.status).toBe(200);
    await expectRefused(user.access);
  });

  it("refuses a well-signed token for a user that does not exist", async () => {
    const token = await sign(accessClaims(999_999), testJwtSecret, "HS256");
    await expectRefused(token);
  });

  it("answers 401 to a malformed Authorization header on every endpoint, even public ones", async () => {
    for (const header of ["Bearer", "Bearer a b", "Token abc", "Basic !!!"]) {
      const response = await responseOf(client(t, { header }).api.organizations.index.$get());
      expect(response.status, header).toBe(401);
      expect(typeof (response.body as ErrorBody).detail).toBe("string");
    }
  });
});

describe("Basic authentication", () => {
  it("works on authenticated endpoints", async () => {
    const response = await me({ basic: { email: user.email, password: user.password } });
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it("refuses a wrong password and a password that changed since it was cached", async () => {
    expect((await me({ basic: { email: user.email, password: "wrong password" } })).status).toBe(
      401,
    );
    expect((await me({ basic: { email: user.email, password: user.password } })).status).toBe(200);
    await responseOf(
      client(t, user.auth).api.users.me.$patch({ json: { password: "a brand new password" } }),
    );
    expect((await me({ basic: { email: user.email, password: user.password } })).status).toBe(401);
    expect(
      (await me({ basic: { email: user.email, password: "a brand new password" } })).status,
    ).toBe(200);
  });

  it("stops accepting the old email at once after an email change, and the new one works", async () => {
    const before = { email: user.email, password: user.password };
    expect((await me({ basic: before })).status).toBe(200);
    const email = uniqueEmail();
    const changed = await responseOf(client(t, user.auth).api.users.me.$patch({ json: { email } }));
    expect(changed.status).toBe(200);
    expect((await me({ basic: before })).status).toBe(401);
    expect((await me({ basic: { email, password: user.password } })).status).toBe(200);
  });

  it("refuses credentials without a colon", async () => {
    const response = await me({ header: `Basic ${Buffer.from("no-colon").toString("base64")}` });
    expect(response.status).toBe(401);
  });
});
