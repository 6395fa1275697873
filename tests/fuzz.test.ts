// Requests go through the typed client (`client`), except through `call`: the OpenAPI document (not
// in the app's type) and the fuzzer's generated requests, sent by method and path.
/**
 * Property-based fuzzing of every documented operation: random and mutated bodies, path
 * parameters, content types and credentials, as anonymous, student and teacher callers.
 * `npm test` runs a bounded number of cases; `npm run fuzz` (FUZZ_RUNS=…) runs many more.
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Credentials, call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createOpenTest, createWorld, sampleQuestions, type World } from "./helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

const runs = Number(process.env.FUZZ_RUNS ?? 15);

interface Operation {
  operationId: string;
  method: string;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

let t: TestApp;
let world: World;
let document: { paths: Record<string, Record<string, Operation>>; components: object };
let fixtures: { testId: number; publicUuid: string; groupId: number; completionId: number };
const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);

beforeAll(async () => {
  t = await createTestApp({ env: { MAX_BODY_BYTES: "65536" } });
  world = await createWorld(t);
  const { test, group } = await createOpenTest(t, world.teacher, [world.student]);
  const view = await teacherViewOf(t, world.teacher, test.id);
  const completion = await submit(
    t,
    world.student,
    view.public_uuid,
    sampleAnswers(view, true).slice(0, 3),
  );
  fixtures = {
    testId: test.id,
    publicUuid: test.public_uuid,
    groupId: group.id,
    completionId: completion.body.id,
  };
  document = (await call(t, "GET", "/api/schema/json/")).body;
});
afterAll(() => t.close());

function operations(): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      ...operation,
      method: method.toUpperCase(),
      path,
    })),
  );
}

/** A plausible valid body for each operation, the seed that mutations start from. */
function validBody(operationId: string): Record<string, unknown> {
  const bodies: Record<string, Record<string, unknown>> = {
    users_create: {
      email: "fuzz@example.com",
      password: "correct horse battery",
      first_name: "F",
      last_name: "Z",
    },
    users_token_obtain_create: { email: world.student.email, password: world.student.password },
    users_token_refresh_create: { refresh: world.student.refresh },
    users_me_update: { email: world.student.email, first_name: "F", last_name: "Z" },
    users_me_partial_update: { first_name: "F" },
    users_partial_update: { is_teacher: true },
    organizations_create: { name: "Fuzz school", description: "" },
    groups_create: { name: "Fuzz group", description: "" },
    groups_add_user_create: { user: world.student.id },
    groups_remove_user_create: { user: world.student.id },
    tests_create: { name: "Fuzz test", questions: sampleQuestions() },
    tests_partial_update: { name: "Renamed" },
    tests_allow_for_group_create: { group: fixtures.groupId },
    tests_disallow_for_group_create: { group: fixtures.groupId },
    completions_create: { test: fixtures.publicUuid, answers: [] },
  };
  return bodies[operationId] ?? {};
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** The valid body, with keys dropped, replaced by random JSON, or unknown keys added. */
const mutatedBody = (seed: Record<string, unknown>) =>
  fc
    .record({
      drop: fc.subarray(Object.keys(seed)),
      replace: fc.dictionary(fc.constantFrom(...Object.keys(seed), "id"), jsonValue, {
        maxKeys: 3,
      }),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 2 }),
    })
    .map(({ drop, replace, extra }) => {
      const body: Record<string, unknown> = { ...seed, ...extra, ...replace };
      for (const key of drop) delete body[key];
      return body;
    });

const pathValue = (name: string) =>
  name === "public_uuid"
    ? fc.oneof(fc.constant(fixtures.publicUuid), fc.string({ maxLength: 20 }), fc.constant("%00"))
    : fc.oneof(
        fc.constantFrom(fixtures.testId, fixtures.groupId, fixtures.completionId, world.student.id),
        fc.integer({ min: -5, max: 2 ** 53 }),
        fc.constantFrom("abc", "1.5", "1e3", "-1", "0", "99999999999999999999"),
      );

type Caller = "anon" | "student" | "teacher" | "garbage";
const credentials = (caller: Caller): Credentials | undefined =>
  caller === "anon"
    ? undefined
    : caller === "student"
      ? world.student.auth
      : caller === "teacher"
        ? world.teacher.auth
        : { header: "Bearer x.y.z" };

const contentTypes = ["json", "form", "multipart", "text/xml", "none"] as const;

function encodeFormValue(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

function isErrorShape(body: unknown): boolean {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  const record = body as Record<string, unknown>;
  if (typeof record.detail === "string") return true;
  return Object.values(record).every((value) => typeof value === "object" && value !== null);
}

function responseSchema(operation: Operation, status: number): object | undefined {
  const schema = operation.responses[String(status)]?.content?.["application/json"]?.schema;
  return schema ? { ...schema, components: document.components } : undefined;
}

describe("fuzzing every operation", () => {
  it("never answers 5xx; errors have the contract's shape; 2xx bodies match the document; nothing leaks", async () => {
    for (const operation of operations()) {
      const parameterNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map(
        (match) => match[1] as string,
      );
      const hasBody = ["POST", "PUT", "PATCH"].includes(operation.method);
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(...parameterNames.map(pathValue)),
          hasBody
            ? fc.oneof(mutatedBody(validBody(operation.operationId)), jsonValue)
            : fc.constant(undefined),
          fc.constantFrom<Caller>("anon", "student", "teacher", "garbage"),
          fc.constantFrom(...contentTypes),
          async (parameters, body, caller, contentType) => {
            let path = operation.path;
            parameterNames.forEach((name, index) => {
              path = path.replace(`{${name}}`, encodeURIComponent(String(parameters[index])));
            });
            const flat =
              body !== null && typeof body === "object" && !Array.isArray(body)
                ? (body as Record<string, unknown>)
                : {};
            const options =
              !hasBody || contentType === "none"
                ? { raw: { body: hasBody ? JSON.stringify(body) : "" } }
                : contentType === "json"
                  ? { json: body }
                  : contentType === "form"
                    ? {
                        form: Object.fromEntries(
                          Object.entries(flat).map(([k, v]) => [k, encodeFormValue(v)]),
                        ),
                      }
                    : contentType === "multipart"
                      ? {
                          multipart: Object.fromEntries(
                            Object.entries(flat).map(([k, v]) => [k, encodeFormValue(v)]),
                          ),
                        }
                      : { raw: { body: "<x/>", contentType } };
            const auth = credentials(caller);
            const response = await call(t, operation.method, path, {
              ...(hasBody ? options : {}),
              ...(auth ? { auth } : {}),
            });
            const context = `${operation.method} ${path} as ${caller} (${contentType}): ${response.status} ${response.text.slice(0, 300)}`;
            expect(response.status, context).toBeLessThan(500);
            if (response.status >= 400) expect(isErrorShape(response.body), context).toBe(true);
            const schema =
              response.status < 300 ? responseSchema(operation, response.status) : undefined;
            if (schema)
              expect(ajv.validate(schema, response.body), `${context}\n${ajv.errorsText()}`).toBe(
                true,
              );
            expect(response.text, context).not.toMatch(/argon2|password_hash|passwordHash/);
            const revealsAnswers = /testing_code|is_correct/.test(response.text);
            if (caller === "student" && revealsAnswers) {
              // Only possible if an earlier case had the owner promote this student to teacher.
              const me = await responseOf(client(t, world.student.auth).api.users.me.$get());
              expect(me.body.is_teacher, context).toBe(true);
            }
          },
        ),
        { numRuns: runs },
      );
    }
  }, 600_000);
});
