import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config";

describe("configuration", () => {
  it("has the documented defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: "127.0.0.1",
      databaseUrl: "file:data/testit.db",
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86_400,
      refreshTokenRotation: false,
      gradingWaitMs: 10_000,
      sandbox: "auto",
      sandboxTimeLimitMs: 2000,
      sandboxMemoryMb: 256,
      maxBodyBytes: 5 * 1024 * 1024,
      corsOrigins: "*",
      logLevel: "info",
    });
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ PORT: "" }).port).toBe(8000);
  });

  it("splits CORS_ORIGINS into a list", () => {
    expect(
      parseConfig({ CORS_ORIGINS: "https://a.example, https://b.example" }).corsOrigins,
    ).toEqual(["https://a.example", "https://b.example"]);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ SANDBOX: "docker" }, "SANDBOX"],
    [{ SANDBOX_TIME_LIMIT_MS: "60000" }, "SANDBOX_TIME_LIMIT_MS"],
    [{ REFRESH_TOKEN_ROTATION: "sometimes" }, "REFRESH_TOKEN_ROTATION"],
    [{ JWT_SECRET: "short" }, "JWT_SECRET"],
    [{ NODE_ENV: "production" }, "JWT_SECRET"],
  ])("refuses %o, naming %s", (env, variable) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(variable);
  });
});
