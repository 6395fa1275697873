// The fixtures use the typed client; the xlsx download goes straight to the Worker
// (`worker.app.request`), to be read as bytes as a browser would.
import { env } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { describe, expect, it } from "vitest";
import { createOpenTest, createOrganization, registerUser } from "../helpers/fixtures";
import { worker } from "./worker-app";

const completions = 10_000;

/** The entries of a ZIP archive, read from its central directory. */
function zipEntries(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength - 22;
  expect(view.getUint32(end, true)).toBe(0x06054b50);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries = new Map<string, { offset: number; size: number }>();
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50);
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    entries.set(name, {
      size: view.getUint32(at + 20, true),
      offset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return { entries, view };
}

async function entryText(bytes: Uint8Array<ArrayBuffer>, name: string): Promise<string> {
  const { entries, view } = zipEntries(bytes);
  const entry = entries.get(name);
  if (!entry) throw new Error(`no ${name} in the archive`);
  const dataStart =
    entry.offset +
    30 +
    view.getUint16(entry.offset + 26, true) +
    view.getUint16(entry.offset + 28, true);
  const compressed = new Blob([bytes.subarray(dataStart, dataStart + entry.size)]).stream();
  return new Response(compressed.pipeThrough(new DecompressionStream("deflate-raw"))).text();
}

describe("the export on the Worker", () => {
  it(`streams ${completions.toLocaleString("en")} completions as one sheet`, async () => {
    const teacher = await registerUser(worker, { is_teacher: true });
    const organization = await createOrganization(worker, teacher);
    const student = await registerUser(worker, { organization_id: organization.id });
    const { test } = await createOpenTest(worker, teacher, [student]);
    // Arranged straight in the database: what many submissions would have stored.
    const database = createClient({
      url: env.DATABASE_URL,
    });
    await database.execute({
      sql: `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
            insert into completions (user_id, test_id, score, status, created_at)
            select ?, ?, 3, 'graded', 1767225600000 + i * 1000 from n`,
      args: [completions, student.id, test.id],
    });
    await database.execute({
      sql: `insert into answers (completion_id, question_id, points, is_correct)
            select c.id, q.id, 1, 1 from completions c join questions q on q.test_id = c.test_id
            where c.test_id = ? and q.type in ('radio', 'check', 'text')`,
      args: [test.id],
    });

    const download = await worker.app.request(`/api/tests/${test.id}/completions/export/`, {
      headers: { authorization: `Bearer ${teacher.access}` },
    });
    expect(download.status).toBe(200);
    const bytes = new Uint8Array(await download.arrayBuffer());
    const sheet = await entryText(bytes, "xl/worksheets/sheet1.xml");
    expect(sheet.match(/<row /g)).toHaveLength(completions + 1);
    expect(sheet).toContain(
      `<c r="A2" t="inlineStr"><is><t xml:space="preserve">${student.email}</t>`,
    );
    expect(sheet).toContain(
      '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>',
    );
    expect(await entryText(bytes, "xl/workbook.xml")).toContain("<sheet name=");
  }, 120_000);
});
