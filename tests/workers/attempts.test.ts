import { describe, expect, it } from "vitest";
import { client, responseOf } from "../helpers/client";
import { createOpenTest, createOrganization, registerUser } from "../helpers/fixtures";
import { sampleAnswers, submit, teacherViewOf } from "../helpers/submit";
import { worker } from "./worker-app";

/** Attempts over a remote database, where sqld (not group commit) settles races. */
describe("attempts on the Worker", () => {
  it("opens one attempt for 20 concurrent starts, and lets one of 20 submissions take it", async () => {
    const teacher = await registerUser(worker, { is_teacher: true });
    const organization = await createOrganization(worker, teacher);
    const student = await registerUser(worker, { organization_id: organization.id });
    const { test } = await createOpenTest(worker, teacher, [student]);
    const patched = await responseOf(
      client(worker, teacher.auth).api.tests[":id"].index.$patch({
        param: { id: String(test.id) },
        json: { time_limit: 300, max_attempts: 1 },
      }),
    );
    expect(patched.status).toBe(200);
    const view = await teacherViewOf(worker, teacher, test.id);

    const starts = await Promise.all(
      Array.from({ length: 20 }, () =>
        responseOf(
          client(worker, student.auth).api.tests.p[":public_uuid"].start.index.$post({
            param: { public_uuid: view.public_uuid },
          }),
        ),
      ),
    );
    expect(starts.filter((response) => response.status === 201)).toHaveLength(1);
    expect(starts.filter((response) => response.status === 200)).toHaveLength(19);
    expect(new Set(starts.map((response) => response.body.attempt))).toEqual(new Set([1]));

    const answers = sampleAnswers(view, true).slice(0, 3);
    const submissions = await Promise.all(
      Array.from({ length: 20 }, () => submit(worker, student, view.public_uuid, answers)),
    );
    const stored = submissions.filter((response) => response.status === 201);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.body).toMatchObject({ attempt: 1, late: false, score: 7 });
    expect(submissions.filter((response) => response.status === 403)).toHaveLength(19);

    const again = await responseOf(
      client(worker, student.auth).api.tests.p[":public_uuid"].start.index.$post({
        param: { public_uuid: view.public_uuid },
      }),
    );
    expect(again.status).toBe(403);
    expect(again.body).toEqual({ detail: "No attempts left." });
  });
});
