// Requests go through the typed client (`client`), except through `call`: the same path sent to the
// Worker and to the Node build.
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { client, itemAt, responseOf } from "../helpers/client";
import { createGroup, createOrganization, registerUser } from "../helpers/fixtures";
import { nodeApi, worker } from "./worker-app";

describe("statistics on the Worker build", () => {
  it("matches the Node build's figures over the same database, and exports them as a second sheet", async () => {
    const teacher = await registerUser(worker, { is_teacher: true });
    const organization = await createOrganization(worker, teacher);
    const students = await Promise.all(
      [0, 1, 2].map(() => registerUser(worker, { organization_id: organization.id })),
    );
    const group = await createGroup(worker, teacher, students);
    const created = await responseOf(
      client(worker, teacher.auth).api.tests.index.$post({
        json: {
          name: "Workers <stats> & co",
          questions: [
            {
              text: "2 + 2",
              type: "radio",
              points: 2,
              body: { variants: [{ text: "4", is_correct: true }, { text: "5" }] },
            },
            { text: "Capital of France?", type: "text", body: { variants: [{ text: "Paris" }] } },
          ],
        },
      }),
    );
    expect(created.status).toBe(201);
    await responseOf(
      client(worker, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
        param: { id: String(created.body.id) },
        json: { group: group.id },
      }),
    );
    const radio = itemAt(created.body.questions, 0);
    const text = itemAt(created.body.questions, 1);
    for (const [index, student] of students.entries()) {
      const submitted = await responseOf(
        client(worker, student.auth).api.completions.index.$post({
          json: {
            test: created.body.public_uuid,
            answers: [
              {
                question: radio.id,
                body: { picked_variant: { id: itemAt(radio.body.variants, index % 2).id } },
              },
              { question: text.id, body: { picked_variant: { text: index ? "paris" : "Rome" } } },
            ],
          },
        }),
      );
      expect(submitted.status).toBe(201);
    }

    const path = `/api/tests/${created.body.id}/statistics/?attempts=all`;
    const [onWorker, onNode] = await Promise.all([
      call(worker, "GET", path, { auth: teacher.auth }),
      // The Node build signs its own tokens: Basic works on both.
      call(nodeApi, "GET", path, {
        auth: { basic: { email: teacher.email, password: teacher.password } },
      }),
    ]);
    expect(onWorker.status).toBe(200);
    expect(onWorker.body).toEqual(onNode.body);
    // Scores 2 + 0, 0 + 1, 2 + 1.
    expect(onWorker.body).toMatchObject({
      completions: 3,
      students: 3,
      score: { max_possible: 3, mean: 2, median: 2, min: 1, max: 3 },
    });

    const svg = await worker.app.request(
      `/api/tests/${created.body.id}/statistics/histogram.svg?token=${teacher.access}`,
    );
    expect(svg.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    const image = await svg.text();
    expect(image).toContain("Workers &#60;stats&#62; &#38; co");
    expect(image).not.toContain("<stats>");

    const sheet = await worker.app.request(
      `/api/tests/${created.body.id}/completions/export/?token=${teacher.access}&attempts=all`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await sheet.arrayBuffer());
    expect(workbook.worksheets.map((worksheet) => worksheet.name)).toEqual([
      "Workers <stats> & co",
      "Статистика",
    ]);
    const statistics = workbook.getWorksheet("Статистика") as ExcelJS.Worksheet;
    expect(statistics.getRow(2).getCell(6).value).toBe(onWorker.body.questions[0].facility);
    expect(statistics.getRow(3).getCell(5).value).toBe(onWorker.body.questions[1].answered);
  });
});
