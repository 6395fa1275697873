import type { Client } from "@libsql/client";

export interface HeavyStudent {
  studentId: number;
  studentEmail: string;
  /** Another student of the same organization, who only asks for small things. */
  neighbourEmail: string;
  teacherEmail: string;
  testId: number;
  completions: number;
  answersPerCompletion: number;
}

/**
 * One student who has stored a lot: `completions` completions of one test of
 * `answersPerCompletion` radio questions, every question answered. Written straight into the
 * database with set-based inserts (150,000 answers take about a second this way; through the API
 * they would take minutes). Every account's password hashes to `passwordHash`.
 */
export async function seedHeavyStudent(
  client: Client,
  passwordHash: string,
  { completions = 300, answersPerCompletion = 500 } = {},
): Promise<HeavyStudent> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const emails = {
    teacher: `heavy-teacher.${suffix}@example.com`,
    student: `heavy-student.${suffix}@example.com`,
    neighbour: `heavy-neighbour.${suffix}@example.com`,
  };
  const insertUser = (email: string, isTeacher: boolean) =>
    client.execute({
      sql: "insert into users (email, password_hash, first_name, last_name, is_teacher) values (?, ?, 'Heavy', 'Seed', ?) returning id",
      args: [email, passwordHash, isTeacher ? 1 : 0],
    });
  const idOf = (result: { rows: unknown[] }) => Number((result.rows[0] as { id: number }).id);

  const teacherId = idOf(await insertUser(emails.teacher, true));
  const organizationId = idOf(
    await client.execute({
      sql: "insert into organizations (name, owner_id) values (?, ?) returning id",
      args: [`Heavy school ${suffix}`, teacherId],
    }),
  );
  const studentId = idOf(await insertUser(emails.student, false));
  const neighbourId = idOf(await insertUser(emails.neighbour, false));
  await client.execute({
    sql: "update users set organization_id = ? where id in (?, ?, ?)",
    args: [organizationId, teacherId, studentId, neighbourId],
  });
  const testId = idOf(
    await client.execute({
      sql: "insert into tests (name, creator_id, organization_id, public_uuid) values ('Heavy test', ?, ?, ?) returning id",
      args: [teacherId, organizationId, suffix],
    }),
  );
  await client.batch(
    [
      {
        sql: `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
              insert into questions (test_id, text, type, points, number_in_test)
              select ?, 'Question ' || i, 'radio', 1, i from n`,
        args: [answersPerCompletion, testId],
      },
      {
        sql: `insert into variants (question_id, text, is_correct, position)
              select id, 'right', 1, 0 from questions where test_id = ?
              union all select id, 'wrong', 0, 1 from questions where test_id = ?`,
        args: [testId, testId],
      },
      {
        sql: `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
              insert into completions (user_id, test_id, score, status) select ?, ?, ?, 'graded' from n`,
        args: [completions, studentId, testId, answersPerCompletion],
      },
      {
        sql: `insert into answers (completion_id, question_id, picked_variant_id, points, is_correct)
              select c.id, q.id, v.id, 1, 1
              from completions c
              join questions q on q.test_id = c.test_id
              join variants v on v.question_id = q.id and v.position = 0
              where c.user_id = ?`,
        args: [studentId],
      },
    ],
    "write",
  );
  return {
    studentId,
    studentEmail: emails.student,
    neighbourEmail: emails.neighbour,
    teacherEmail: emails.teacher,
    testId,
    completions,
    answersPerCompletion,
  };
}
