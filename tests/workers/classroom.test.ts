import { describe, expect, it } from "vitest";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";
import { type CreatedTest, sampleAnswers, submit, teacherViewOf } from "../helpers/submit";
import { nodeApi, worker } from "./worker-app";

const classSize = 50;

/** Each student opens the test, signs in again and submits code: 150 requests in flight at once. */
function classroomRound(test: CreatedTest, students: TestUser[]) {
  return Promise.all(
    students.flatMap((student) => [
      responseOf(
        client(worker, student.auth).api.tests.p[":public_uuid"].index.$get({
          param: { public_uuid: test.public_uuid },
        }),
      ),
      responseOf(
        client(worker).api.users.token.obtain.index.$post({
          json: { email: student.email, password: student.password },
        }),
      ),
      submit(worker, student, test.public_uuid, sampleAnswers(test, true)),
    ]),
  );
}

describe("a class on the Worker", () => {
  it("answers three rounds of 150 requests in flight at once, and the next request too", async () => {
    // Arranged through the Node build on the same database (tokens work on both), so that the
    // Worker serves only the class.
    const teacher = await registerUser(nodeApi, { is_teacher: true });
    const organization = await createOrganization(nodeApi, teacher);
    const students = await Promise.all(
      Array.from({ length: classSize }, () =>
        registerUser(nodeApi, { organization_id: organization.id }),
      ),
    );
    const created = await createOpenTest(nodeApi, teacher, students);
    const test = await teacherViewOf(nodeApi, teacher, created.test.id);

    for (let round = 1; round <= 3; round++) {
      const statuses = (await classroomRound(test, students)).map(({ status }) => status);
      expect(statuses, `round ${round}`).toHaveLength(3 * classSize);
      expect(
        statuses.filter((status) => status >= 300),
        `round ${round}`,
      ).toEqual([]);
    }
    expect((await responseOf(client(worker).api.organizations.index.$get())).status).toBe(200);
    const mine = await responseOf(
      client(worker, students[0]?.auth).api.users.me.completions.index.$get({ query: {} }),
    );
    expect(mine.body.map((completion: { status: string }) => completion.status)).toEqual([
      "grading",
      "grading",
      "grading",
    ]);
  }, 180_000);
});
