// Requests go through the typed client (`client`), except through `call`: the OpenAPI document and
// Swagger UI pages and assets (not in the app's type).
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** CONTRACT §8: every operation of the reference, as the existing client calls it. */
const referenceOperationIds = [
  "completions_create",
  "completions_retrieve",
  "completions_with_correctness_retrieve",
  "groups_list",
  "groups_create",
  "groups_retrieve",
  "groups_destroy",
  "groups_add_user_create",
  "groups_remove_user_create",
  "organizations_list",
  "organizations_create",
  "tests_list",
  "tests_create",
  "tests_retrieve",
  "tests_allow_for_group_create",
  "tests_disallow_for_group_create",
  "tests_regenerate_uuid_create",
  "tests_completions_list",
  "tests_completions_export_retrieve",
  "tests_p_retrieve",
  "tests_p_completions_list",
  "users_list",
  "users_create",
  "users_retrieve",
  "users_me_retrieve",
  "users_me_update",
  "users_me_partial_update",
  "users_me_completions_list",
  "users_token_obtain_create",
  "users_token_refresh_create",
];
/** Ours, beyond the reference: edit and delete a test, promote a member, a test's statistics, start an attempt. */
const extensionOperationIds = [
  "tests_partial_update",
  "tests_destroy",
  "users_partial_update",
  "tests_statistics_retrieve",
  "tests_statistics_histogram_retrieve",
  "tests_p_start_create",
];

/** Bodies with nested lists travel as JSON only; every flat body may also be a form. */
const nestedBodies = ["tests_create", "tests_partial_update", "completions_create"];

type Operation = {
  operationId: string;
  security?: Record<string, string[]>[];
  requestBody?: { required?: boolean; content: Record<string, unknown> };
  parameters?: { name: string; in: string; required?: boolean }[];
};

async function schemaDocument() {
  const response = await call(t, "GET", "/api/schema/json/");
  expect(response.status).toBe(200);
  return response.body as {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: unknown };
  };
}

const operations = (document: Awaited<ReturnType<typeof schemaDocument>>) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = await schemaDocument();
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("is served at /api/schema/ too", async () => {
    expect((await call(t, "GET", "/api/schema/")).body).toEqual(await schemaDocument());
  });

  it("lists the operationIds the existing client calls", async () => {
    const ids = operations(await schemaDocument()).map(({ operation }) => operation.operationId);
    expect(referenceOperationIds).toHaveLength(30);
    expect(ids.sort()).toEqual([...referenceOperationIds, ...extensionOperationIds].sort());
  });

  it("declares basicAuth and jwtAuth and uses them on authenticated operations", async () => {
    const document = await schemaDocument();
    expect(document.components.securitySchemes).toEqual({
      basicAuth: { type: "http", scheme: "basic" },
      jwtAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
      tokenQuery: expect.objectContaining({ type: "apiKey", in: "query", name: "token" }),
    });
    const me = document.paths["/api/users/me"]?.get;
    expect(me?.security).toEqual([{ jwtAuth: [] }, { basicAuth: [] }]);
  });

  it("documents required request bodies, form media types on flat bodies, and required path ids", async () => {
    for (const { path, operation } of operations(await schemaDocument())) {
      if (operation.requestBody) {
        expect(operation.requestBody.required, operation.operationId).toBe(true);
        const mediaTypes = nestedBodies.includes(operation.operationId)
          ? ["application/json"]
          : ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];
        expect(Object.keys(operation.requestBody.content).sort(), operation.operationId).toEqual(
          mediaTypes,
        );
      }
      if (path.includes("{id}")) {
        expect(operation.parameters).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ name: "id", in: "path", required: true }),
          ]),
        );
      }
    }
  });

  it("lists the languages a code question may be written in", async () => {
    const document = (await schemaDocument()) as unknown as {
      components: {
        schemas: Record<
          string,
          { properties: Record<string, { properties: Record<string, { enum: string[] }> }> }
        >;
      };
    };
    const language =
      document.components.schemas.QuestionInput?.properties.body?.properties.language;
    expect(language?.enum).toEqual(["python", "javascript"]);
  });

  it("keeps the reference's paths, trailing slashes included", async () => {
    const paths = Object.keys((await schemaDocument()).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/api/users/",
        "/api/users/me",
        "/api/users/{id}/",
        "/api/organizations/",
      ]),
    );
  });
});

describe("interactive docs", () => {
  it.each(["/api/schema/swagger-ui/", "/docs"])(
    "serves the page at %s with local assets only",
    async (path) => {
      const page = await call(t, "GET", path);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map(
        (match) => match[1] as string,
      );
      expect(sources.length).toBeGreaterThan(2);
      for (const source of sources) {
        expect(source.startsWith("/")).toBe(true);
        const asset = await t.app.request(source);
        expect(asset.status, source).toBe(200);
        expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
    },
  );

  it("does not serve other files from the assets folder", async () => {
    expect((await call(t, "GET", "/api/schema/swagger-ui/assets/package.json")).status).toBe(404);
    expect(
      (await call(t, "GET", "/api/schema/swagger-ui/assets/..%2F..%2Fpackage.json")).status,
    ).toBe(404);
  });
});

describe("OpenAPI document: test settings and attempts (CONTRACT §9)", () => {
  type Schema = {
    properties: Record<string, { description?: string; example?: unknown }>;
    example?: Record<string, unknown>;
  };
  async function components() {
    const response = await call(t, "GET", "/api/schema/json/");
    return response.body.components.schemas as Record<string, Schema>;
  }
  const settings = [
    "opens_at",
    "closes_at",
    "time_limit",
    "max_attempts",
    "shuffle_questions",
    "shuffle_variants",
    "show_results",
  ];

  it("describes every setting on both test views and both bodies, with examples", async () => {
    const schemas = await components();
    for (const name of ["TeacherTest", "StudentTest"]) {
      const schema = schemas[name] as Schema;
      for (const field of settings) {
        expect(schema.properties[field], `${name}.${field}`).toBeDefined();
        expect(schema.example?.[field], `${name} example ${field}`).toBeDefined();
      }
    }
    for (const name of ["CreateTestBody", "UpdateTestBody"]) {
      const schema = schemas[name] as Schema;
      for (const field of settings)
        expect(schema.properties[field]?.description, `${name}.${field}`).toBeTruthy();
    }
  });

  it("documents start with its answer, and attempt and late on every completion shape", async () => {
    const response = await call(t, "GET", "/api/schema/json/");
    const start = response.body.paths["/api/tests/p/{public_uuid}/start/"].post;
    expect(start.operationId).toBe("tests_p_start_create");
    expect(Object.keys(start.responses)).toEqual(
      expect.arrayContaining(["200", "201", "401", "403", "404"]),
    );
    const schemas = await components();
    expect(schemas.StartedAttempt?.example).toMatchObject({ attempt: 1, attempts_left: 1 });
    for (const name of ["StudentCompletion", "TeacherCompletion"]) {
      expect(schemas[name]?.properties.attempt?.description).toBeTruthy();
      expect(schemas[name]?.properties.late?.description).toBeTruthy();
      expect(schemas[name]?.example).toMatchObject({ attempt: 1, late: false });
    }
  });
});
