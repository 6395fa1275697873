// Requests go through the typed client (`client`), except through `call`: the Swagger UI page and
// its assets (not in the app's type).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNode } from "../dev/build-node";
import { call, servedApi } from "./helpers/api";
import { client, responseOf } from "./helpers/client";
import { createOpenTest, createWorld } from "./helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

/** What `npm start` runs: the compiled bundle (inside the project, where its packages resolve). */
const bundle = join("dist", `node-entry-test-${process.pid}`, "node.js");

/** The exit code and standard error of a start that is expected to fail. */
async function failedStart(env: Record<string, string>) {
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stderr };
}

beforeAll(() => buildNode("src/node.ts", bundle));
afterAll(() => rmSync(dirname(bundle), { recursive: true, force: true }));

/** Starts the compiled server on a free port; resolves with its URL once it logs "listening". */
function startServer(env: Record<string, string>, logLines: Record<string, unknown>[] = []) {
  const server = spawn(process.execPath, [bundle], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: server.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logLines.push(entry);
      if (entry.message === "listening") resolve(entry.url as string);
    });
    server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { server, url };
}

/** `npm start` as an operator runs it: a real process, a real port, a database file it creates. */
describe("the Node entry", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-entry-"));
  const databaseFile = join(folder, "nested", "folder", "testit.db");
  let server: ChildProcess;
  let baseUrl: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const started = startServer(
      { DATABASE_URL: `file:${databaseFile}`, GRADING_WAIT_MS: "15000" },
      logLines,
    );
    server = started.server;
    baseUrl = await started.url;
  });

  afterAll(() => {
    server.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  it("creates the database folder, migrates and serves the API on loopback", async () => {
    expect(new URL(baseUrl).hostname).toBe("127.0.0.1");
    expect(existsSync(databaseFile)).toBe(true);
    const response = await fetch(`${baseUrl}/api/organizations/`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it("warns that the JWT secret is random when none is configured", () => {
    expect(
      logLines.some((line) => line.level === "warn" && String(line.message).includes("JWT_SECRET")),
    ).toBe(true);
  });

  it("logs each request as JSON with its request id", async () => {
    const response = await fetch(`${baseUrl}/api/users/me`);
    expect(response.status).toBe(401);
    const requestId = response.headers.get("x-request-id");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logLines).toContainEqual(
      expect.objectContaining({
        message: "request",
        request_id: requestId,
        status: 401,
        path: "/api/users/me",
      }),
    );
  });

  it("grades a code answer with the harness it finds from the compiled bundle", async () => {
    const api = servedApi(baseUrl);
    const world = await createWorld(api);
    const { test } = await createOpenTest(api, world.teacher, [world.student]);
    const view = await teacherViewOf(api, world.teacher, test.id);
    const response = await submit(api, world.student, test.public_uuid, sampleAnswers(view, true));
    expect(response.status).toBe(201);
    // 1 + 4 + 2 for the radio, check and text answers, 3 for the code answer that passed its asserts.
    expect(response.body).toMatchObject({ status: "graded", score: 10 });
  });

  it("grades JavaScript answers with the harness it finds from the compiled bundle", async () => {
    const api = servedApi(baseUrl);
    const world = await createWorld(api);
    const question = {
      text: "Write add(a, b)",
      type: "code",
      points: 3,
      body: {
        language: "javascript",
        testing_code:
          "assert.strictEqual(add(2, 3), 5);\nassert.deepStrictEqual([add(0, 0)], [0]);",
      },
    };
    const { test } = await createOpenTest(api, world.teacher, [world.student], [question]);
    const [answered] = test.questions;
    const answers = [
      "const add = (a, b) => a + b;",
      "function add(a, b) { return a - b; }",
      "const add = (a, b) => a + b; process.exit(0);",
    ];
    const responses = await Promise.all(
      answers.map((code) =>
        submit(api, world.student, test.public_uuid, [{ question: answered?.id, body: { code } }]),
      ),
    );
    expect(responses.map(({ status, body }) => [status, body.status, body.score])).toEqual([
      [201, "graded", 3],
      [201, "graded", 0],
      [201, "graded", 0],
    ]);
  });

  it("answers the health probes, naming the sandbox its runners use", async () => {
    const live = await responseOf(client(servedApi(baseUrl)).healthz.$get());
    expect(live.body).toEqual({ status: "ok" });
    const ready = await responseOf(client(servedApi(baseUrl)).readyz.$get());
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ready", database: "ok" });
    expect(["bwrap", "pyodide"]).toContain(ready.body.grading.sandbox);
  });

  it("serves the docs page and its assets from node_modules", async () => {
    const page = await call(servedApi(baseUrl), "GET", "/docs");
    expect(page.status).toBe(200);
    const asset = await call(
      servedApi(baseUrl),
      "GET",
      "/api/schema/swagger-ui/assets/swagger-ui.css",
    );
    expect(asset.status).toBe(200);
    expect(asset.text.length).toBeGreaterThan(1000);
  });

  it("switches the database to WAL", async () => {
    expect(existsSync(`${databaseFile}-wal`)).toBe(true);
  });

  it("shuts down cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(logLines.some((line) => line.message === "stopped")).toBe(true);
  });
});

describe("the Node entry behind a reverse proxy (TRUST_PROXY=1)", () => {
  const folder = mkdtempSync(join(tmpdir(), "testit-proxy-"));
  let server: ChildProcess;
  let baseUrl: string;

  beforeAll(async () => {
    const started = startServer({
      DATABASE_URL: `file:${join(folder, "testit.db")}`,
      TRUST_PROXY: "1",
      LOGIN_MAX_FAILURES_PER_ADDRESS: "2",
    });
    server = started.server;
    baseUrl = await started.url;
  });

  afterAll(() => {
    server.kill("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  const obtain = (email: string, forwardedFor?: string) =>
    fetch(`${baseUrl}/api/users/token/obtain/`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor }),
      },
      body: JSON.stringify({ email, password: "a wrong password" }),
    }).then((response) => response.status);

  it("reads the client from X-Forwarded-For: clients behind the proxy are throttled apart", async () => {
    const email = "someone@example.com";
    expect(await obtain(email, "203.0.113.1")).toBe(401);
    expect(await obtain("someone.else@example.com", "203.0.113.1")).toBe(401);
    // 203.0.113.1 is noisy now: it gets no further guess at that email; other clients do.
    expect(await obtain(email, "203.0.113.1")).toBe(429);
    expect(await obtain(email, "198.51.100.1, 203.0.113.1")).toBe(429);
    expect(await obtain(email, "203.0.113.2")).toBe(401);
    expect(await obtain(email)).toBe(401);
  });
});

describe("invalid configuration", () => {
  it("stops at start-up with a message naming the variable", async () => {
    const { code, stderr } = await failedStart({ PORT: "not-a-port" });
    expect(code).toBe(1);
    expect(stderr).toContain("PORT");
  });

  it("refuses to start in production without a JWT secret", async () => {
    const { code, stderr } = await failedStart({ NODE_ENV: "production", JWT_SECRET: "" });
    expect(code).toBe(1);
    expect(stderr).toContain("JWT_SECRET");
  });
});
