import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { DurableObjectState } from "@cloudflare/workers-types";
import { beforeAll, describe, expect, it } from "vitest";
import type { GradingQueue } from "../../src/worker";
import { client, itemAt, responseOf } from "../helpers/client";
import { createGroup, createOrganization, registerUser, type TestUser } from "../helpers/fixtures";
import { worker } from "./worker-app";

const queue = () => env.GRADING_QUEUE.get(env.GRADING_QUEUE.idFromName("grading"));

/** Runs `work` inside the queue object, with its storage at hand. */
function inQueue<T>(work: (instance: GradingQueue, state: DurableObjectState) => Promise<T>) {
  return runInDurableObject(queue(), work);
}

const expireLeases = () =>
  inQueue(async (_, state) =>
    state.storage.sql.exec("update jobs set lease_until = 1 where state = 'leased'").toArray(),
  );

let teacher: TestUser;
let student: TestUser;
let test: { id: number; public_uuid: string; questions: { id: number }[] };

beforeAll(async () => {
  teacher = await registerUser(worker, { is_teacher: true });
  const organization = await createOrganization(worker, teacher);
  student = await registerUser(worker, { organization_id: organization.id });
  const group = await createGroup(worker, teacher, [student]);
  const created = await responseOf(
    client(worker, teacher.auth).api.tests.index.$post({
      json: {
        name: "Queue",
        questions: [
          { text: "f", type: "code", points: 2, body: { testing_code: "assert f() == 1" } },
        ],
      },
    }),
  );
  test = created.body;
  await responseOf(
    client(worker, teacher.auth).api.tests[":id"].allow_for_group.index.$post({
      param: { id: String(test.id) },
      json: { group: group.id },
    }),
  );
});

async function submitAnswer(): Promise<number> {
  const response = await responseOf(
    client(worker, student.auth).api.completions.index.$post({
      json: {
        test: test.public_uuid,
        answers: [
          { question: itemAt(test.questions, 0).id, body: { code: "def f():\n    return 1\n" } },
        ],
      },
    }),
  );
  expect(response.body.status).toBe("grading");
  return response.body.id;
}

const completion = async (id: number) =>
  (
    await responseOf(
      client(worker, teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(id) },
      }),
    )
  ).body;

describe("the Durable Object grading queue", () => {
  it("re-queues a job whose lease ran out, at the alarm", async () => {
    const completionId = await submitAnswer();
    const [job] = await inQueue((instance) => instance.lease(1, 0));
    expect(job?.attempt).toBe(1);
    await expireLeases();
    expect(await runDurableObjectAlarm(queue())).toBe(true);
    const jobs = await inQueue((instance) => instance.jobs());
    expect(jobs.find((row) => row.id === job?.id)).toMatchObject({ state: "queued", attempts: 1 });
    // Finish it, so the next tests start from an empty queue.
    const [again] = await inQueue((instance) => instance.lease(1, 0));
    await inQueue((instance) =>
      instance.report(again?.id as number, again?.token as string, {
        kind: "graded",
        report: { passed: 1, total: 1, raised: false, errors: null },
      }),
    );
    expect(await completion(completionId)).toMatchObject({ status: "graded", score: 2 });
  });

  it("records the answer as failed after three lost leases, with a clear message", async () => {
    const completionId = await submitAnswer();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [job] = await inQueue((instance) => instance.lease(1, 0));
      expect(job?.attempt).toBe(attempt);
      await expireLeases();
      await runDurableObjectAlarm(queue());
    }
    expect(await inQueue((instance) => instance.lease(1, 0))).toEqual([]);
    const graded = await completion(completionId);
    expect(graded).toMatchObject({ status: "graded", score: 0 });
    expect(itemAt(graded.answers, 0).body.runtime_errors).toMatch(
      /^The grader was unavailable: .* after 3 attempts/,
    );
  });

  it("ignores a late report from an expired lease and a duplicate report", async () => {
    const completionId = await submitAnswer();
    const [stale] = await inQueue((instance) => instance.lease(1, 0));
    await expireLeases();
    await runDurableObjectAlarm(queue());
    const [fresh] = await inQueue((instance) => instance.lease(1, 0));
    const pass = {
      kind: "graded" as const,
      report: { passed: 1, total: 1, raised: false, errors: null },
    };
    const fail = {
      kind: "graded" as const,
      report: { passed: 0, total: 1, raised: false, errors: "nope" },
    };
    expect(
      await inQueue((instance) =>
        instance.report(stale?.id as number, stale?.token as string, pass),
      ),
    ).toBe("ignored");
    expect(
      await inQueue((instance) =>
        instance.report(fresh?.id as number, fresh?.token as string, fail),
      ),
    ).toBe("applied");
    expect(
      await inQueue((instance) =>
        instance.report(fresh?.id as number, fresh?.token as string, pass),
      ),
    ).toBe("ignored");
    expect(await completion(completionId)).toMatchObject({ status: "graded", score: 0 });
  });

  it("answers waitFor once the completion's jobs are done", async () => {
    const completionId = await submitAnswer();
    expect(await inQueue((instance) => instance.waitFor(completionId, 0))).toBe(false);
    const [job] = await inQueue((instance) => instance.lease(1, 0));
    await inQueue((instance) =>
      instance.report(job?.id as number, job?.token as string, {
        kind: "graded",
        report: { passed: 1, total: 1, raised: false, errors: null },
      }),
    );
    expect(await inQueue((instance) => instance.waitFor(completionId, 0))).toBe(true);
  });

  it("leases round robin by student, oldest first within one student", async () => {
    const [looper, classmate] = [900_001, 900_002];
    const leasedUsers = await inQueue(async (instance, state) => {
      state.storage.sql.exec("update jobs set state = 'done' where state in ('queued', 'leased')");
      const jobs = [
        ...Array.from({ length: 10 }, (_, index) => ({
          answerId: 910_000 + index,
          userId: looper,
        })),
        { answerId: 920_000, userId: classmate },
        { answerId: 920_001, userId: classmate },
      ].map((job) => ({ ...job, completionId: job.userId }));
      await instance.submit(jobs);
      const users: unknown[] = [];
      for (let lease = 0; lease < 5; lease++) {
        const [job] = await instance.lease(1, 0);
        const [row] = state.storage.sql
          .exec("select user_id, answer_id from jobs where id = ?", job?.id)
          .toArray();
        users.push([row?.user_id, row?.answer_id]);
      }
      state.storage.sql.exec("update jobs set state = 'done' where state in ('queued', 'leased')");
      return users;
    });
    expect(leasedUsers).toEqual([
      [looper, 910_000],
      [classmate, 920_000],
      [looper, 910_001],
      [classmate, 920_001],
      [looper, 910_002],
    ]);
  });
});
