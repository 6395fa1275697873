// The runner endpoints are called raw (`app.request`): their bodies are parsed by the handlers, not
// declared to the typed client, and these tests send malformed Authorization headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers/app";
import { registerUser } from "./helpers/fixtures";

const runnerToken = "runner-token-for-auth-tests-0123456789";
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RUNNER_TOKEN: runnerToken } });
});
afterAll(() => t.close());

const lease = (authorization?: string) =>
  t.app.request("/internal/grading/lease", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ max: 1, wait_ms: 0 }),
  });

describe("the runner endpoints' bearer check (hono/bearer-auth)", () => {
  it("answers every refusal with the contract's 401, detail and WWW-Authenticate", async () => {
    const student = await registerUser(t);
    const refusals = await Promise.all(
      [
        undefined,
        "",
        `Bearer ${runnerToken.slice(0, -1)}`,
        `Bearer ${runnerToken}x`,
        `Bearer ${student.access}`,
        `Basic ${btoa(`runner:${runnerToken}`)}`,
        `Bearer ${runnerToken} extra`,
        "Bearer ünïcode",
        `Token ${runnerToken}`,
        "Bearer",
      ].map(lease),
    );
    for (const response of refusals) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = (await response.json()) as { detail: string };
      expect(Object.keys(body)).toEqual(["detail"]);
      expect(body.detail).not.toContain(runnerToken);
      // The refusal passes through the app's middleware like any response.
      expect(response.headers.get("x-request-id")).toBeTruthy();
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("lets the runner in, whatever the case of the scheme", async () => {
    for (const scheme of ["Bearer", "bearer"]) {
      const response = await lease(`${scheme} ${runnerToken}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jobs: [] });
    }
  });
});
