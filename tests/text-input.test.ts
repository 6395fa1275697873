// Requests go through the typed client (`client`), except through `call`: each text field's
// request, sent by method and path with every refused character, a form-encoded body, and the
// OpenAPI document.
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groups, organizations, tests, users } from "../src/db/schema";
import { type ApiResponse, type Credentials, call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import {
  createOpenTest,
  createWorld,
  registerUser,
  type TestUser,
  uniqueEmail,
  type World,
} from "./helpers/fixtures";
import { type CreatedTest, teacherViewOf } from "./helpers/submit";

/** CONTRACT §1 Text input: single-line strings refuse control characters, multi-line text NUL. */
let t: TestApp;
let world: World;
let loneTeacher: TestUser;
let openTest: CreatedTest;

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
  loneTeacher = await registerUser(t, { is_teacher: true });
  const { test } = await createOpenTest(t, world.teacher, [world.student]);
  openTest = await teacherViewOf(t, world.teacher, test.id);
});
afterAll(() => t.close());

type Line = "single" | "multi";
type Path = (string | number)[];

interface FieldCase {
  field: string;
  line: Line;
  /** The request with `value` in the field; everything else valid. */
  request: (value: string) => { method: string; path: string; json: unknown; auth?: Credentials };
  /** Where the error is reported in the DRF body. */
  errorPath: Path;
}

const question = (type: string) =>
  openTest.questions.find((q) => q.type === type) as CreatedTest["questions"][number];

const registration = (overrides: Record<string, unknown>) => ({
  method: "POST",
  path: "/api/users/",
  json: {
    email: uniqueEmail(),
    password: "correct horse battery",
    first_name: "Anna",
    last_name: "Petrova",
    ...overrides,
  },
});

const withQuestions = (questions: unknown[]) => ({
  method: "POST",
  path: "/api/tests/",
  auth: world.teacher.auth,
  json: { name: "Text input", questions },
});

function radioQuestion(text: string, variant: string) {
  return {
    text,
    type: "radio",
    body: { variants: [{ text: variant, is_correct: true }, { text: "no" }] },
  };
}

const submission = (answers: unknown[], test = openTest.public_uuid) => ({
  method: "POST",
  path: "/api/completions/",
  auth: world.student.auth,
  json: { test, answers },
});

/** A valid value of a user field with `value` inside it. */
const userField = (field: string, value: string) =>
  field === "email"
    ? `a${value}b@example.com`
    : field === "photo"
      ? `https://example.com/a${value}b.png`
      : `Anna ${value} long enough`;

const userFields = ["email", "password", "first_name", "last_name", "photo"];

const fields: FieldCase[] = [
  ...userFields.map(
    (field): FieldCase => ({
      field: `register ${field}`,
      line: "single",
      request: (value) => registration({ [field]: userField(field, value) }),
      errorPath: [field],
    }),
  ),
  ...userFields.map(
    (field): FieldCase => ({
      field: `users/me ${field}`,
      line: "single",
      request: (value) => ({
        method: "PATCH",
        path: "/api/users/me",
        auth: world.noOrg.auth,
        json: { [field]: userField(field, value) },
      }),
      errorPath: [field],
    }),
  ),
  {
    field: "token obtain email",
    line: "single",
    request: (value) => ({
      method: "POST",
      path: "/api/users/token/obtain/",
      json: { email: `${world.noOrg.email}${value}`, password: world.noOrg.password },
    }),
    errorPath: ["email"],
  },
  {
    field: "token obtain password",
    line: "single",
    request: (value) => ({
      method: "POST",
      path: "/api/users/token/obtain/",
      json: { email: world.noOrg.email, password: `${world.noOrg.password}${value}` },
    }),
    errorPath: ["password"],
  },
  {
    field: "token refresh",
    line: "single",
    request: (value) => ({
      method: "POST",
      path: "/api/users/token/refresh/",
      json: { refresh: `${world.noOrg.refresh}${value}` },
    }),
    errorPath: ["refresh"],
  },
  {
    field: "organization name",
    line: "single",
    request: (value) => ({
      method: "POST",
      path: "/api/organizations/",
      auth: loneTeacher.auth,
      json: { name: `School ${value} 42` },
    }),
    errorPath: ["name"],
  },
  {
    field: "organization description",
    line: "multi",
    request: (value) => ({
      method: "POST",
      path: "/api/organizations/",
      auth: loneTeacher.auth,
      json: { name: `School ${crypto.randomUUID()}`, description: `Maths ${value} physics` },
    }),
    errorPath: ["description"],
  },
  {
    field: "group name",
    line: "single",
    request: (value) => ({
      method: "POST",
      path: "/api/groups/",
      auth: world.teacher.auth,
      json: { name: `11${value}A ${crypto.randomUUID()}` },
    }),
    errorPath: ["name"],
  },
  {
    field: "group description",
    line: "multi",
    request: (value) => ({
      method: "POST",
      path: "/api/groups/",
      auth: world.teacher.auth,
      json: { name: `11A ${crypto.randomUUID()}`, description: `Class ${value} of 2027` },
    }),
    errorPath: ["description"],
  },
  {
    field: "test name",
    line: "single",
    request: (value) => ({
      ...withQuestions([]),
      json: { name: `Week ${value} 1`, questions: [] },
    }),
    errorPath: ["name"],
  },
  {
    field: "test name on PATCH",
    line: "single",
    request: (value) => ({
      method: "PATCH",
      path: `/api/tests/${openTest.id}/`,
      auth: world.teacher.auth,
      json: { name: `Week ${value} 1` },
    }),
    errorPath: ["name"],
  },
  {
    field: "question text",
    line: "multi",
    request: (value) => withQuestions([radioQuestion(`2 + 2 = ${value} ?`, "4")]),
    errorPath: ["questions", 0, "text"],
  },
  {
    field: "variant text",
    line: "single",
    request: (value) => withQuestions([radioQuestion("2 + 2 = ?", `4${value}`)]),
    errorPath: ["questions", 0, "body", "variants", 0, "text"],
  },
  {
    field: "testing_code",
    line: "multi",
    request: (value) =>
      withQuestions([
        {
          text: "add",
          type: "code",
          body: { testing_code: `assert add(1, 2) == 3 ${value}` },
        },
      ]),
    errorPath: ["questions", 0, "body", "testing_code"],
  },
  {
    field: "completion test",
    line: "single",
    request: (value) => submission([], `${openTest.public_uuid}${value}`),
    errorPath: ["test"],
  },
  {
    field: "typed text answer",
    line: "single",
    request: (value) =>
      submission([
        { question: question("text").id, body: { picked_variant: { text: `Par${value}is` } } },
      ]),
    errorPath: ["answers", 0, "body", "picked_variant", "text"],
  },
  {
    field: "picked variant by text",
    line: "single",
    request: (value) =>
      submission([
        { question: question("check").id, body: { picked_variants: [{ text: `2${value}` }] } },
      ]),
    errorPath: ["answers", 0, "body", "picked_variants", 0, "text"],
  },
  {
    field: "code answer",
    line: "multi",
    request: (value) =>
      submission([
        {
          question: question("code").id,
          body: { code: `def add(a, b):\n    return a + b ${value}` },
        },
      ]),
    errorPath: ["answers", 0, "body", "code"],
  },
];

const singleLineRefused = {
  NUL: "\u0000",
  "line feed": "\n",
  "carriage return": "\r",
  tab: "\t",
  escape: "\u001b",
  "unit separator": "\u001f",
  delete: "\u007f",
  "next line (C1)": "\u0085",
  "C1 control": "\u009b",
  "line separator": "\u2028",
  "paragraph separator": "\u2029",
};

function messagesAt(body: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    body,
  );
}

function send(request: ReturnType<FieldCase["request"]>): Promise<ApiResponse> {
  const { method, path, json, auth } = request;
  return call(t, method, path, { json, ...(auth ? { auth } : {}) });
}

async function storedCounts() {
  const counted = async (
    table: typeof users | typeof organizations | typeof groups | typeof tests,
  ) => (await t.store.db.select({ n: count() }).from(table))[0]?.n;
  return Promise.all([counted(users), counted(organizations), counted(groups), counted(tests)]);
}

describe("every string field of a request", () => {
  for (const field of fields) {
    const refused = field.line === "single" ? singleLineRefused : { NUL: "\u0000" };
    it(`${field.field} (${field.line}-line) refuses ${Object.keys(refused).join(", ")} with a DRF 400 naming it`, async () => {
      const before = await storedCounts();
      const responses = await Promise.all(
        Object.values(refused).map((character) => send(field.request(character))),
      );
      for (const [index, response] of responses.entries()) {
        const name = Object.keys(refused)[index];
        expect(response.status, `${name}: ${response.text}`).toBe(400);
        const messages = messagesAt(response.body, field.errorPath);
        expect(Array.isArray(messages), `${name}: ${response.text}`).toBe(true);
        expect((messages as string[]).join(" ")).toMatch(/not allowed/);
      }
      expect(await storedCounts()).toEqual(before);
    });
  }

  for (const field of fields.filter((f) => f.line === "multi")) {
    it(`${field.field} keeps line breaks and tabs`, async () => {
      const response = await send(field.request("\n\tline two\r\n"));
      expect(response.status, response.text).toBeLessThan(300);
    });
  }
});

describe("characters that only look like control characters", () => {
  it.each([
    ["the symbol for NUL", "\u2400"],
    ["a written escape", "\\u0000"],
    ["a no-break space", "\u00a0"],
    ["a fullwidth letter", "\uff21"],
    ["a zero-width joiner (Persian, emoji)", "\u200d"],
  ])("are accepted in single-line fields: %s", async (_, value) => {
    const responses = await Promise.all([
      send(registration({ first_name: `Anna${value}` })),
      send({
        method: "POST",
        path: "/api/groups/",
        auth: world.teacher.auth,
        json: { name: `Group${value}${crypto.randomUUID()}` },
      }),
    ]);
    for (const response of responses) expect(response.status, response.text).toBe(201);
  });
});

describe("the duplicate that only differs by an invisible character", () => {
  it("can't be created: an organization named like an existing one plus NUL is refused and not listed", async () => {
    const owner = await registerUser(t, { is_teacher: true });
    const existing = await responseOf(
      client(t, owner.auth).api.organizations.index.$post({ json: { name: "Lyceum 1" } }),
    );
    expect(existing.status).toBe(201);
    const before = (await responseOf(client(t).api.organizations.index.$get())).body.length;
    const impostor = await registerUser(t, { is_teacher: true });
    for (const name of ["Lyceum 1\u0000", "Lyceum 1\n", "\u0000", " Lyceum 1 "]) {
      const response = await responseOf(
        client(t, impostor.auth).api.organizations.index.$post({ json: { name } }),
      );
      expect(response.status, JSON.stringify(name)).toBe(400);
      expect(response.body.name).toBeDefined();
    }
    expect((await responseOf(client(t).api.organizations.index.$get())).body.length).toBe(before);
  });

  it("refuses group names that are empty or duplicate once stored", async () => {
    const name = `Group ${crypto.randomUUID()}`;
    const first = await responseOf(
      client(t, world.teacher.auth).api.groups.index.$post({ json: { name } }),
    );
    expect(first.status).toBe(201);
    const responses = await Promise.all(
      ["\u0000", `${name}\u0000`, ` ${name} `].map((candidate) =>
        responseOf(
          client(t, world.teacher.auth).api.groups.index.$post({ json: { name: candidate } }),
        ),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual([400, 400, 400]);
  });
});

describe("form bodies", () => {
  it("are held to the same rules", async () => {
    const response = await call(t, "POST", "/api/users/", {
      form: {
        email: uniqueEmail(),
        password: "correct horse battery",
        first_name: "An\u0000na",
        last_name: "Petrova",
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.first_name).toBeDefined();
  });
});

describe("the OpenAPI document", () => {
  type Schema = Record<string, unknown>;
  const singleLinePattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$";
  const multiLinePattern = "^[^\\u0000]*$";

  it("gives every string of every request body one of the two patterns", async () => {
    const document = (await call(t, "GET", "/api/schema/json/")).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>
      >;
      components: { schemas: Record<string, Schema> };
    };
    const resolve = (schema: Schema): Schema =>
      typeof schema.$ref === "string"
        ? resolve(document.components.schemas[schema.$ref.split("/").at(-1) as string] as Schema)
        : schema;
    const strings: { where: string; pattern: unknown }[] = [];
    const walk = (node: Schema, where: string) => {
      const schema = resolve(node);
      const types = ([] as unknown[]).concat(schema.type);
      if (types.includes("string") && !schema.enum)
        strings.push({ where, pattern: schema.pattern });
      for (const [key, child] of Object.entries(
        (schema.properties ?? {}) as Record<string, Schema>,
      ))
        walk(child, `${where}.${key}`);
      if (schema.items) walk(schema.items as Schema, `${where}[]`);
      for (const variant of [
        ...((schema.anyOf ?? []) as Schema[]),
        ...((schema.oneOf ?? []) as Schema[]),
        ...((schema.allOf ?? []) as Schema[]),
      ])
        walk(variant, where);
    };
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const schema = operation.requestBody?.content["application/json"]?.schema;
        if (schema) walk(schema, `${method.toUpperCase()} ${path}`);
      }
    expect(strings.length).toBeGreaterThan(20);
    const unclassified = strings.filter(
      ({ pattern }) => pattern !== singleLinePattern && pattern !== multiLinePattern,
    );
    expect(unclassified.map(({ where }) => where)).toEqual([]);
  });
});
