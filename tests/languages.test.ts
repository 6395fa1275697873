// Requests go through the typed client (`client`), except through `call`: bodies the schema refuses
// (missing fields, an empty body), question and answer lists built as plain data, paths outside the
// schema, a method a path doesn't answer (405), a preflight (OPTIONS), the docs and the OpenAPI
// document; the test that opens the database as `client` keeps `call` too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNodeDatabase } from "../src/db/node-database";
import { preferredLanguage } from "../src/http/accept-language";
import type { Language } from "../src/i18n/catalogue";
import { en } from "../src/i18n/en";
import { codeEnd, codeStart } from "../src/i18n/grader-text";
import { renderMessage } from "../src/i18n/messages";
import { ru } from "../src/i18n/ru";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { createGroup, createOrganization, registerUser, type TestUser } from "./helpers/fixtures";

/** The Accept-Language values, and the language each one prefers. */
const negotiations: [header: string | undefined, language: Language][] = [
  ["ru", "ru"],
  ["en", "en"],
  ["ru-RU,en;q=0.5", "ru"],
  ["en;q=0.5, ru;q=0.9", "ru"],
  ["*", "en"],
  [undefined, "en"],
];

const languageHeaders = (header: string | undefined): Record<string, string> =>
  header === undefined ? {} : { "accept-language": header };

/** Parameters for any message: every one a short number-like text. */
const anyParams = new Proxy({}, { get: () => "7" });
const keys = Object.keys(en) as (keyof typeof en)[];
const cyrillic = /[\u0400-\u04ff]/;

describe("the catalogues", () => {
  it("have the same keys, and every Russian message is Russian", () => {
    expect(Object.keys(ru).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const russian = renderMessage("ru", key, anyParams as never);
      const english = renderMessage("en", key, anyParams as never);
      expect(russian, key).toMatch(cyrillic);
      expect(english, key).not.toMatch(cyrillic);
      expect(russian, key).not.toBe(english);
    }
  });

  it("take the same parameters in both languages", () => {
    for (const key of keys) expect(typeof ru[key], key).toBe(typeof en[key]);
  });
});

describe("Accept-Language", () => {
  it.each(negotiations)("%s prefers %s", (header, language) => {
    expect(preferredLanguage(header)).toBe(language);
  });

  it.each([
    ["ru;q=0", "en"],
    ["ru;q=abc, en", "en"],
    ["de, ru;q=0.1", "en"],
    ["de;q=0.2, ru;q=0.3", "ru"],
    ["RU-ru", "ru"],
    [",,,;;;q=,=", "en"],
    ["ru;q=0.3, ru-RU;q=0.2, en;q=0.4", "en"],
    [`${"x".repeat(5000)};q=0.1, ru;q=0.2`, "ru"],
  ])("%s prefers %s, and nothing malformed fails", (header, language) => {
    expect(preferredLanguage(header)).toBe(language);
  });
});

/** One request per status of the issue, each with the texts expected in either language. */
interface Probe {
  name: string;
  send(header: string | undefined): ReturnType<typeof call>;
  status: number;
  texts: Record<Language, unknown>;
}

describe("messages in the request's language", () => {
  let t: TestApp;
  let student: TestUser;
  let throttled: TestApp;
  const maxBodyBytes = 1024;
  let probes: Probe[];

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_BODY_BYTES: String(maxBodyBytes) } });
    throttled = await createTestApp({ env: { REGISTER_RATE_PER_HOUR: "1" } });
    const teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    student = await registerUser(t, { organization_id: organization.id });
    let address = 0;
    probes = [
      {
        name: "validation (400)",
        send: (header) =>
          call(t, "POST", "/api/users/", {
            json: { email: "not an email", password: "12345678", first_name: "" },
            headers: languageHeaders(header),
          }),
        status: 400,
        texts: {
          en: {
            email: ["Enter a valid email address."],
            password: ["This password is entirely numeric."],
            first_name: ["This field may not be blank."],
            last_name: ["This field is required."],
          },
          ru: {
            email: ["Введите корректный адрес электронной почты."],
            password: ["Пароль состоит только из цифр."],
            first_name: ["Это поле не может быть пустым."],
            last_name: ["Обязательное поле."],
          },
        },
      },
      {
        name: "401",
        send: (header) =>
          responseOf(client(t, undefined, languageHeaders(header)).api.users.me.$get()),
        status: 401,
        texts: {
          en: { detail: "Authentication credentials were not provided." },
          ru: { detail: "Учетные данные не были предоставлены." },
        },
      },
      {
        name: "401, a forged token",
        send: (header) =>
          responseOf(
            client(
              t,
              { bearer: "forged.token.value" },
              languageHeaders(header),
            ).api.users.me.$get(),
          ),
        status: 401,
        texts: {
          en: { detail: "Given token not valid for any token type", code: "token_not_valid" },
          ru: {
            detail: "Токен недействителен ни для одного типа токенов",
            code: "token_not_valid",
          },
        },
      },
      {
        name: "403",
        send: (header) =>
          responseOf(
            client(t, student.auth, languageHeaders(header)).api.tests.index.$post({
              json: { name: "Mine", questions: [] },
            }),
          ),
        status: 403,
        texts: {
          en: { detail: "Only teachers can manage tests." },
          ru: { detail: "Управлять тестами могут только учителя." },
        },
      },
      {
        name: "404",
        send: (header) => call(t, "GET", "/api/nowhere/", { headers: languageHeaders(header) }),
        status: 404,
        texts: { en: { detail: "Not found." }, ru: { detail: "Не найдено." } },
      },
      {
        name: "405",
        send: (header) => call(t, "DELETE", "/api/users/", { headers: languageHeaders(header) }),
        status: 405,
        texts: {
          en: { detail: 'Method "DELETE" not allowed.' },
          ru: { detail: 'Метод "DELETE" не разрешен.' },
        },
      },
      {
        name: "413",
        send: (header) =>
          call(t, "POST", "/api/users/", {
            json: { email: "x".repeat(maxBodyBytes * 2) },
            headers: languageHeaders(header),
          }),
        status: 413,
        texts: {
          en: { detail: `Request body is larger than ${maxBodyBytes} bytes.` },
          ru: { detail: `Тело запроса больше ${maxBodyBytes} байт.` },
        },
      },
      {
        name: "415",
        send: (header) =>
          call(t, "POST", "/api/users/", {
            raw: { body: "<user/>", contentType: "application/xml" },
            headers: languageHeaders(header),
          }),
        status: 415,
        texts: {
          en: { detail: 'Unsupported media type "application/xml" in request.' },
          ru: { detail: 'Неподдерживаемый тип данных "application/xml" в запросе.' },
        },
      },
      {
        name: "429",
        // Each request its own address: its first registration fails validation and counts,
        // its second is over the limit of one an hour.
        send: async (header) => {
          const from = { "x-test-client-address": `10.1.0.${++address}` };
          await call(throttled, "POST", "/api/users/", { json: {}, headers: from });
          return call(throttled, "POST", "/api/users/", {
            json: {},
            headers: { ...from, ...languageHeaders(header) },
          });
        },
        status: 429,
        texts: {
          en: {
            detail: expect.stringMatching(
              /^Too many registrations\. Expected available in \d+ seconds\.$/,
            ),
          },
          ru: {
            detail: expect.stringMatching(/^Слишком много регистраций\. Повторите через \d+ с\.$/),
          },
        },
      },
    ];
  });
  afterAll(async () => {
    await t?.close();
    await throttled?.close();
  });

  it("answers every status in the language asked for, many requests in flight at once", async () => {
    const rounds = 3;
    const requests = Array.from({ length: rounds }, () =>
      negotiations.flatMap(([header, language]) =>
        probes.map(async (probe) => ({
          probe,
          header,
          language,
          response: await probe.send(header),
        })),
      ),
    ).flat();
    const results = await Promise.all(requests);
    expect(results.length).toBe(rounds * negotiations.length * probes.length);
    for (const { probe, header, language, response } of results) {
      const where = `${probe.name} with Accept-Language ${header ?? "(none)"}`;
      expect(response.status, where).toBe(probe.status);
      expect(response.headers.get("content-language"), where).toBe(language);
      expect(response.body, where).toEqual(probe.texts[language]);
    }
  });

  it("never fails on a malformed Accept-Language", async () => {
    const headers = ["ru;q=", ";;;", "q=1", "ru;q=1e999", "ru;q=-1, en", "\u00e9", "ru;q=NaN"];
    const responses = await Promise.all(
      headers.map((header) =>
        call(t, "GET", "/api/nowhere/", { headers: { "accept-language": header } }),
      ),
    );
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.headers.get("content-language")).toMatch(/^(en|ru)$/);
    }
  });

  it("says Content-Language on probes, docs, CORS preflights, lists and the export", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    await createOrganization(t, teacher);
    const created = await responseOf(
      client(t, teacher.auth).api.tests.index.$post({ json: { name: "Empty", questions: [] } }),
    );
    expect(created.status).toBe(201);
    const ru = { "accept-language": "ru" };
    const responses = await Promise.all([
      responseOf(client(t, undefined, ru).healthz.$get()),
      responseOf(client(t, undefined, ru).readyz.$get()),
      call(t, "GET", "/docs", { headers: ru }),
      call(t, "GET", "/api/schema/", { headers: ru }),
      call(t, "OPTIONS", "/api/users/", {
        headers: {
          ...ru,
          origin: "https://school.example",
          "access-control-request-method": "POST",
        },
      }),
      responseOf(
        client(t, teacher.auth, ru).api.tests[":id"].completions.index.$get({
          param: { id: String(created.body.id) },
          query: {},
        }),
      ),
      responseOf(
        client(t, teacher.auth, ru).api.tests[":id"].completions.export.index.$get({
          param: { id: String(created.body.id) },
          query: {},
        }),
      ),
    ]);
    for (const response of responses) {
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get("content-language")).toBe("ru");
      expect(response.headers.get("vary")).toMatch(/Accept-Language/);
    }
  });
});

const pythonTests = "assert add(1, 2) == 3\nassert add(-1, 1) == 0";
const javascriptTests = "assert.strictEqual(add(1, 2), 3);\nassert.strictEqual(add(-1, 1), 0);";

describe("runtime_errors in the reader's language, through the real sandbox", () => {
  let t: TestApp;
  let teacher: TestUser;
  let student: TestUser;
  let test: { id: number; public_uuid: string };
  let questionIds: number[];

  beforeAll(async () => {
    t = await createTestApp({
      runners: 2,
      env: { GRADING_WAIT_MS: "30000", SANDBOX_TIME_LIMIT_MS: "1000" },
    });
    teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    student = await registerUser(t, { organization_id: organization.id });
    const group = await createGroup(t, teacher, [student]);
    const question = (text: string, language: string, testing_code: string) => ({
      text,
      type: "code",
      points: 1,
      body: { testing_code, language },
    });
    const created = await call(t, "POST", "/api/tests/", {
      auth: teacher.auth,
      json: {
        name: "Languages",
        questions: [
          question("python, wrong", "python", pythonTests),
          question("python, raises", "python", pythonTests),
          question("python, loops", "python", pythonTests),
          question("javascript, wrong", "javascript", javascriptTests),
          question("javascript, loops", "javascript", javascriptTests),
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    test = created.body;
    questionIds = created.body.questions.map((q: { id: number }) => q.id);
    await responseOf(
      client(t, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(test.id) },
        json: { group: group.id },
      }),
    );
  });
  afterAll(() => t?.close());

  it("renders the grader's words, never the run's own text, in each reader's language", async () => {
    const codes = [
      "def add(a, b):\n    return a - b\n",
      "def add(a, b):\n    return a / 0\n",
      "def add(a, b):\n    while True:\n        pass\n",
      "function add(a, b) { return a - b; }",
      "function add(a, b) { for (;;) {} }",
    ];
    const submitted = await call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: codes.map((code, index) => ({ question: questionIds[index], body: { code } })),
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.status).toBe("graded");
    const id = submitted.body.id;

    const views = await Promise.all(
      [...negotiations, ...negotiations].map(async ([header, language]) => ({
        language,
        response: await responseOf(
          client(t, teacher.auth, languageHeaders(header)).api.completions[
            ":id"
          ].with_correctness.index.$get({ param: { id: String(id) } }),
        ),
      })),
    );
    const expected: Record<Language, string[]> = {
      en: [
        "Line 1: assert add(1, 2) == 3\nAssertionError",
        "Line 1: assert add(1, 2) == 3\nTraceback (most recent call last):",
        "Time limit exceeded (1 s)",
        "Line 1: assert.strictEqual(add(1, 2), 3);\nAssertionError",
        "Time limit exceeded (1 s)",
      ],
      ru: [
        "Строка 1: assert add(1, 2) == 3\nAssertionError",
        "Строка 1: assert add(1, 2) == 3\nTraceback (most recent call last):",
        "Превышено ограничение времени (1 с)",
        "Строка 1: assert.strictEqual(add(1, 2), 3);\nAssertionError",
        "Превышено ограничение времени (1 с)",
      ],
    };
    for (const { language, response } of views) {
      expect(response.status).toBe(200);
      expect(response.headers.get("content-language")).toBe(language);
      const errors = response.body.answers.map((answer) => answer.body.runtime_errors);
      errors.forEach((text, index) => {
        expect(text, `${language} ${index}`).toContain(expected[language][index]);
        expect([codeStart, codeEnd].some((mark) => text?.includes(mark))).toBe(false);
      });
      // The student's traceback stays as Python printed it, whatever the reader's language.
      expect(errors[1]).toMatch(/ZeroDivisionError: division by zero/);
    }
    const shapes = views.map(({ response }) =>
      JSON.stringify(response.body, (key, value) =>
        key.endsWith("errors") ? typeof value : value,
      ),
    );
    expect(new Set(shapes).size).toBe(1);
  });

  it("reads a row stored before the codes as it was written", async () => {
    const submitted = await call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [
          { question: questionIds[0], body: { code: "def add(a, b):\n    return a + b\n" } },
        ],
      },
    });
    expect(submitted.status).toBe(201);
    const legacy = "Line 2: assert add(-1, 1) == 0\nAssertionError";
    const client = await openNodeDatabase(t.databaseUrl);
    const updated = await client.execute({
      sql: "update answers set runtime_errors = ? where completion_id = ?",
      args: [legacy, submitted.body.id],
    });
    client.close();
    expect(updated.rowsAffected).toBe(1);
    const [inRussian, inEnglish] = await Promise.all(
      ["ru", "en"].map((language) =>
        call(t, "GET", `/api/completions/${submitted.body.id}/with_correctness/`, {
          auth: teacher.auth,
          headers: { "accept-language": language },
        }),
      ),
    );
    expect(inRussian?.body.answers[0].body.runtime_errors).toBe(legacy);
    expect(inEnglish?.body.answers[0].body.runtime_errors).toBe(legacy);
  });
});
