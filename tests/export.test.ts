// Requests go through the typed client (`client`), except through `call`: a test built from another
// test's questions, whose `type` the types read as any string.
import { serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertCompletion } from "../src/db/queries/completions";
import { findTest, loadTestTree } from "../src/db/queries/tests";
import { resolveSubmission } from "../src/domain/submission";
import { CreateCompletionBodySchema } from "../src/routes/completions/completions.schemas";
import { call } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import {
  createGroup,
  createTest,
  createWorld,
  registerUser,
  type TestUser,
  type World,
} from "./helpers/fixtures";
import { type CreatedTest, sampleAnswers, submit, teacherViewOf } from "./helpers/submit";

let t: TestApp;
let world: World;
let test: CreatedTest;
let formulaStudent: TestUser;
let twoGroupStudent: TestUser;
let leaver: TestUser;
const testName = 'Контрольная: "дроби" / 5 класс';

beforeAll(async () => {
  t = await createTestApp();
  world = await createWorld(t);
  formulaStudent = await registerUser(t, {
    organization_id: world.orgA.id,
    first_name: "@SUM(A1)",
    last_name: '=HYPERLINK("http://evil.example")',
  });
  twoGroupStudent = await registerUser(t, { organization_id: world.orgA.id, last_name: "Zeta" });
  leaver = await registerUser(t, { organization_id: world.orgA.id, last_name: "Leaver" });
  await createGroup(t, world.teacher, [twoGroupStudent], "Chess club");
  const open = await createGroup(
    t,
    world.teacher,
    [world.student, formulaStudent, twoGroupStudent, leaver],
    "7Б",
  );
  const created = await call(t, "POST", "/api/tests/", {
    auth: world.teacher.auth,
    json: {
      name: testName,
      questions: (
        await teacherViewOf(t, world.teacher, (await createTest(t, world.teacher)).id)
      ).questions.map(({ id: _id, ...question }) => question),
    },
  });
  expect(created.status).toBe(201);
  await responseOf(
    client(t, world.teacher.auth).api.tests[":id"].allow_for_group.index.$post({
      param: { id: String(created.body.id) },
      json: { group: open.id },
    }),
  );
  test = await teacherViewOf(t, world.teacher, created.body.id);
  for (const [student, right] of [
    [world.student, true],
    [formulaStudent, false],
    [twoGroupStudent, true],
    [leaver, true],
  ] as const) {
    expect(
      (await submit(t, student, test.public_uuid, sampleAnswers(test, right).slice(0, 3))).status,
    ).toBe(201);
  }
  await responseOf(
    client(t, world.teacher.auth).api.groups[":id"].remove_user.index.$post({
      param: { id: String(open.id) },
      json: { user: leaver.id },
    }),
  );
});
afterAll(() => t.close());

async function download(query = "", auth = world.teacher.auth) {
  const response = await t.app.request(`/api/tests/${test.id}/completions/export/${query}`, {
    headers: query ? {} : { authorization: `Bearer ${"bearer" in auth ? auth.bearer : ""}` },
  });
  return response;
}

async function workbookOf(response: Response) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await response.arrayBuffer());
  return workbook;
}

describe("xlsx export", () => {
  it("is an xlsx attachment named after the test", async () => {
    const response = await download();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    const disposition = response.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.xlsx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? "")).toBe(`${testName}.xlsx`);
  });

  it("has a sheet named after the test, with a bold frozen header and an auto-filter, then the statistics", async () => {
    const workbook = await workbookOf(await download());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'Контрольная_ "дроби" _ 5 класс',
      "Статистика",
    ]);
    const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.name).toBe('Контрольная_ "дроби" _ 5 класс');
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
  });

  it("has the contract's columns, then one per question with its maximum", async () => {
    const sheet = (await workbookOf(await download())).worksheets[0] as ExcelJS.Worksheet;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers.slice(0, 5)).toEqual(["Email", "ФИ", "Группа", "Оценка", "Дата и время"]);
    expect(headers.slice(5)).toEqual([
      "1. 2 + 2 = ? (макс. 1)",
      "2. Pick the primes (макс. 4)",
      "3. Capital of France? (макс. 2)",
      "4. Write add(a, b) (макс. 3)",
    ]);
  });

  it("writes one row per completion with names, groups, scores, UTC dates and points", async () => {
    const sheet = (await workbookOf(await download())).worksheets[0] as ExcelJS.Worksheet;
    const rows = sheet.getSheetValues().slice(2) as unknown[][];
    expect(rows).toHaveLength(4);
    const byEmail = new Map(rows.map((row) => [row[1], row]));
    const own = byEmail.get(world.student.email) as unknown[];
    expect(own.slice(2, 5)).toEqual(["User Test", "7Б", 7]);
    expect(own.slice(6)).toEqual([1, 4, 2, 0]);
    const date = own[5] as Date;
    expect(date).toBeInstanceOf(Date);
    expect(Math.abs(date.getTime() - t.clock.now())).toBeLessThan(60_000);
    expect(byEmail.get(twoGroupStudent.email)?.[3]).toBe("7Б");
    expect(byEmail.get(leaver.email)?.[3]).toBe("Не в группе");
  });

  it("escapes text that a spreadsheet would run as a formula", async () => {
    const sheet = (await workbookOf(await download())).worksheets[0] as ExcelJS.Worksheet;
    const row = (sheet.getSheetValues().slice(2) as unknown[][]).find(
      (values) => values[1] === formulaStudent.email,
    );
    expect(row?.[2]).toBe(`'=HYPERLINK("http://evil.example") @SUM(A1)`);
    sheet.eachRow((excelRow) =>
      excelRow.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)),
    );
  });

  it("is reachable with ?token=<access token> for plain download links", async () => {
    const response = await download(`?token=${world.teacher.access}`);
    expect(response.status).toBe(200);
    expect((await workbookOf(response)).worksheets).toHaveLength(2);
  });

  it("refuses a bad, a refresh or another teacher's token in the query", async () => {
    expect((await download("?token=not-a-token")).status).toBe(401);
    expect((await download(`?token=${world.teacher.refresh}`)).status).toBe(401);
    expect((await download(`?token=${world.colleague.access}`)).status).toBe(403);
    expect((await download(`?token=${world.otherTeacher.access}`)).status).toBe(404);
  });

  it("exports a test without completions as a header row", async () => {
    const empty = await createTest(t, world.teacher);
    const response = await t.app.request(
      `/api/tests/${empty.id}/completions/export/?token=${world.teacher.access}`,
    );
    const sheet = (await workbookOf(response)).worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.rowCount).toBe(1);
  });
});

describe("a large export", () => {
  it("exports 5,000 completions, one row each", async () => {
    const big = await createTestApp();
    try {
      const bigWorld = await createWorld(big);
      const created = await createTest(big, bigWorld.teacher);
      const view = await teacherViewOf(big, bigWorld.teacher, created.id);
      // Arrange quickly: what a submission stores, then 4,999 copies of it.
      const testRow = await findTest(big.store.db, view.id);
      if (!testRow) throw new Error("the test was just created");
      const { answers } = CreateCompletionBodySchema.parse({
        test: view.public_uuid,
        answers: sampleAnswers(view, true).slice(0, 3),
      });
      const scored = resolveSubmission(await loadTestTree(big.store.db, testRow), answers);
      if (!scored.ok) throw new Error("sample answers must be valid");
      const startMs = Date.UTC(2026, 0, 1, 8, 0, 0);
      const first = await insertCompletion(
        big.store,
        {
          userId: bigWorld.student.id,
          testId: view.id,
          score: scored.score,
          status: "graded",
          createdAt: new Date(startMs),
        },
        scored.answers,
      );
      // Writes go through the store's writer; `store.db` reads (and refuses writes).
      await big.store.batch([
        big.store.db.run(sql`
        with recursive n(i) as (select 1 union all select i + 1 from n where i + 1 < 5000)
        insert into completions (user_id, test_id, score, status, created_at)
        select ${bigWorld.student.id}, ${view.id}, ${scored.score}, 'graded', ${startMs} + (i % 60) * 1000
        from n`),
        big.store.db.run(sql`
        insert into answers (completion_id, question_id, picked_variant_id, text, code, points, is_correct)
        select c.id, a.question_id, a.picked_variant_id, a.text, a.code, a.points, a.is_correct
        from completions c join answers a on a.completion_id = ${first.id}
        where c.test_id = ${view.id} and c.id > ${first.id}`),
      ]);
      const response = await big.app.request(
        `/api/tests/${view.id}/completions/export/?token=${bigWorld.teacher.access}`,
      );
      expect(response.status).toBe(200);
      const sheet = (await workbookOf(response)).worksheets[0] as ExcelJS.Worksheet;
      expect(sheet.rowCount).toBe(5001);
      const last = sheet.getRow(5001).values as unknown[];
      expect(last.slice(1, 5)).toEqual([bigWorld.student.email, "User Test", "Не в группе", 7]);
      expect((last[5] as Date).toISOString()).toBe("2026-01-01T08:00:19.000Z");

      // A client that gives up mid-download must not take the server down with it.
      const server = serve({ fetch: big.app.fetch, port: 0, hostname: "127.0.0.1" });
      await new Promise((resolve) => server.once("listening", resolve));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const abort = new AbortController();
        const download = await fetch(
          `${base}/api/tests/${view.id}/completions/export/?token=${bigWorld.teacher.access}`,
          {
            signal: abort.signal,
          },
        );
        await download.body?.getReader().read();
        abort.abort();
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await fetch(`${base}/api/organizations/`)).status).toBe(200);
      } finally {
        server.close();
      }
    } finally {
      await big.close();
    }
  }, 60_000);
});
