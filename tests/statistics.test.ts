// Requests go through the typed client (`client`), except through `call`: query strings spelled as
// a client would (`?attempts=`, `?token=`, invalid values included), paths with the trailing slash
// toggled, and question or answer lists built as plain data.
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
  createOrganization,
  createWorld,
  registerUser,
  type TestUser,
  type World,
} from "./helpers/fixtures";
import { describeRoleMatrix } from "./helpers/role-matrix";
import {
  type Attempts,
  expectedStatistics,
  expectRounded,
  expectStatisticsToMatch,
  fromTeacherCompletions,
  type OracleAnswer,
  type OracleCompletion,
  type OracleQuestion,
} from "./helpers/statistics-oracle";
import { expectInertSvg, expectLabelsApart, parseSvg, type SvgElement } from "./helpers/svg";

/** CONTRACT §10, over a class whose every answer, and what it earns, is known in advance. */

const questionInputs = [
  {
    text: "Pick A",
    type: "radio",
    points: 2,
    body: { variants: [{ text: "A", is_correct: true }, { text: "B" }, { text: "C" }] },
  },
  {
    text: "Pick a and b",
    type: "check",
    points: 3,
    body: {
      strict_score: false,
      variants: [{ text: "a", is_correct: true }, { text: "b", is_correct: true }, { text: "c" }],
    },
  },
  {
    text: "Capital of France?",
    type: "text",
    points: 2,
    body: { variants: [{ text: "Paris" }, { text: "Париж" }] },
  },
  {
    text: "Write sq(x)",
    type: "code",
    points: 4,
    body: { testing_code: "assert sq(2) == 4\nassert sq(3) == 9", strict_score: false },
  },
  {
    text: "Worth nothing",
    type: "radio",
    points: 0,
    body: { variants: [{ text: "yes", is_correct: true }, { text: "no" }] },
  },
  {
    text: "Everyone gets this",
    type: "radio",
    points: 1,
    body: { variants: [{ text: "right", is_correct: true }, { text: "wrong" }] },
  },
];
type Key = "radio" | "check" | "text" | "code" | "zero" | "easy";
const keys: Key[] = ["radio", "check", "text", "code", "zero", "easy"];

const code = {
  right: "def sq(x):\n    return x * x\n",
  half: "def sq(x):\n    return x * 2\n", // sq(2) == 4 holds, sq(3) == 9 doesn't
  wrong: "def sq(x):\n    return x + 1\n",
};

/** One answer as sent, and what the contract says it earns. */
type Planned =
  | { pick: string; points: number }
  | { picks: string[]; points: number }
  | { text: string; points: number; answered: boolean }
  | { code: string; points: number; passed: number | null; total: number | null };

interface Submission {
  student: number;
  /** Seconds after the start; a step back in time gives a later id an earlier time. */
  at: number;
  answers: Partial<Record<Key, Planned>>;
}

const right = { easy: { pick: "right", points: 1 } };
const submissions: Submission[] = [
  {
    student: 1,
    at: 10,
    answers: {
      radio: { pick: "B", points: 0 },
      check: { picks: ["a", "c"], points: 0 },
      text: { text: "London", points: 0, answered: true },
      code: { code: code.half, points: 2, passed: 1, total: 2 },
      zero: { pick: "yes", points: 0 },
      ...right,
    },
  },
  {
    student: 2,
    at: 20,
    answers: {
      radio: { pick: "A", points: 2 },
      check: { picks: ["a", "b"], points: 3 },
      text: { text: "  PARIS ", points: 2, answered: true },
      code: { code: code.right, points: 4, passed: 2, total: 2 },
      zero: { pick: "no", points: 0 },
      ...right,
    },
  },
  {
    student: 1,
    at: 30,
    answers: {
      radio: { pick: "A", points: 2 },
      check: { picks: ["a"], points: 1 },
      text: { text: "paris", points: 2, answered: true },
      code: { code: code.right, points: 4, passed: 2, total: 2 },
      zero: { pick: "yes", points: 0 },
      ...right,
    },
  },
  {
    student: 3,
    at: 40,
    answers: {
      radio: { pick: "C", points: 0 },
      check: { picks: [], points: 0 },
      text: { text: "   ", points: 0, answered: false },
      code: { code: "  \n", points: 0, passed: null, total: null },
      ...right,
    },
  },
  {
    student: 1,
    at: 50,
    answers: {
      radio: { pick: "A", points: 2 },
      check: { picks: ["a", "b", "c"], points: 1 },
      text: { text: "ПАРИЖ", points: 2, answered: true },
      code: { code: code.wrong, points: 0, passed: 0, total: 2 },
      zero: { pick: "yes", points: 0 },
      ...right,
    },
  },
  { student: 4, at: 60, answers: { radio: { pick: "A", points: 2 }, ...right } },
  {
    student: 3,
    at: 70,
    answers: {
      radio: { pick: "A", points: 2 },
      check: { picks: ["b"], points: 1 },
      text: { text: "Paris", points: 2, answered: true },
      zero: { pick: "no", points: 0 },
      ...right,
    },
  },
  {
    // Ties student 3's best score: the later of the two counts.
    student: 3,
    at: 80,
    answers: {
      radio: { pick: "B", points: 0 },
      check: { picks: ["a", "b"], points: 3 },
      text: { text: "paris ", points: 2, answered: true },
      ...right,
    },
  },
  {
    student: 5,
    at: 100,
    answers: {
      radio: { pick: "A", points: 2 },
      check: { picks: ["a", "b"], points: 3 },
      text: { text: "Paris", points: 2, answered: true },
      code: { code: code.right, points: 4, passed: 2, total: 2 },
      zero: { pick: "yes", points: 0 },
      ...right,
    },
  },
  {
    // Stored after the one above but submitted earlier (a slow request): the one above is latest.
    student: 5,
    at: 95,
    answers: { radio: { pick: "C", points: 0 }, ...right },
  },
];

/** The oracle reads picked variants' ids, which the schema declares optional (typed answers have none). */
type TeacherCompletions = Parameters<typeof fromTeacherCompletions>[0];

let t: TestApp;
let world: World;
let students: TestUser[];
let testId: number;
let testName: string;
let questions: OracleQuestion[];
let fixture: OracleCompletion[];

async function createOpenTest(name: string, inputs: unknown[], members: TestUser[]) {
  const created = await call(t, "POST", "/api/tests/", {
    auth: world.teacher.auth,
    json: { name, questions: inputs },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const group = await createGroup(t, world.teacher, members);
  await responseOf(
    client(t, world.teacher.auth).api.tests[":id"].allow_for_group.index.$post({
      param: { id: String(created.body.id) },
      json: { group: group.id },
    }),
  );
  const view = created.body as TeacherView;
  return { id: view.id, publicUuid: view.public_uuid, questions: oracleQuestionsOf(view) };
}

interface TeacherView {
  id: number;
  public_uuid: string;
  questions: (Omit<OracleQuestion, "variants"> & {
    body: { variants?: OracleQuestion["variants"] };
  })[];
}

const oracleQuestionsOf = (view: TeacherView): OracleQuestion[] =>
  view.questions.map(({ id, number_in_test, type, points, body }) => ({
    id,
    number_in_test,
    type,
    points,
    variants: (body.variants ?? []).map(({ id: variantId, text, is_correct }) => ({
      id: variantId,
      text,
      is_correct,
    })),
  }));

function bodyOf(question: OracleQuestion, planned: Planned) {
  const variantId = (text: string) => question.variants.find((v) => v.text === text)?.id;
  if ("pick" in planned) return { picked_variant: { id: variantId(planned.pick) } };
  if ("picks" in planned)
    return { picked_variants: planned.picks.map((text) => ({ id: variantId(text) })) };
  if ("text" in planned) return { picked_variant: { text: planned.text } };
  return { code: planned.code };
}

function toOracleAnswer(question: OracleQuestion, planned: Planned): OracleAnswer {
  const variantId = (text: string) => question.variants.find((v) => v.text === text)?.id as number;
  const answer = { points: planned.points, answered: true, picks: [], passed: null, total: null };
  if ("pick" in planned) return { ...answer, picks: [variantId(planned.pick)] };
  if ("picks" in planned)
    return { ...answer, answered: planned.picks.length > 0, picks: planned.picks.map(variantId) };
  if ("text" in planned) return { ...answer, answered: planned.answered };
  const { passed, total } = planned;
  return { ...answer, answered: planned.code.trim() !== "", passed, total };
}

async function statistics(id: number, query = "") {
  return call(t, "GET", `/api/tests/${id}/statistics/${query}`, { auth: world.teacher.auth });
}

beforeAll(async () => {
  // Code answers are graded by the real sandbox before each submission answers.
  t = await createTestApp({ runners: 1, env: { GRADING_WAIT_MS: "30000" } });
  world = await createWorld(t);
  students = [];
  for (let i = 0; i < 5; i++)
    students.push(await registerUser(t, { organization_id: world.orgA.id }));
  testName = `Итоговая <работа> & "кавычки" ${Date.now()}`;
  const created = await createOpenTest(testName, questionInputs, students);
  testId = created.id;
  questions = created.questions;
  const start = t.clock.now();
  fixture = [];
  for (const submission of submissions) {
    t.clock.current = start + submission.at * 1000;
    const answers = keys.flatMap((key, index) => {
      const planned = submission.answers[key];
      const question = questions[index] as OracleQuestion;
      return planned ? [{ question: question.id, body: bodyOf(question, planned) }] : [];
    });
    const student = students[submission.student - 1] as TestUser;
    const response = await responseOf(
      client(t, student.auth).api.completions.index.$post({
        json: { test: created.publicUuid, answers },
      }),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.status).toBe("graded");
    fixture.push({
      id: response.body.id,
      student: student.id,
      createdAt: t.clock.now(),
      answers: new Map(
        keys.flatMap((key, index) => {
          const planned = submission.answers[key];
          const question = questions[index] as OracleQuestion;
          return planned ? [[question.id, toOracleAnswer(question, planned)] as const] : [];
        }),
      ),
    });
  }
  t.clock.current = start + 200_000;
}, 120_000);
afterAll(() => t.close());

describe("the fixture", () => {
  it("was scored as the contract says: text case-insensitively, code by the sandbox", async () => {
    const listed = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].completions.index.$get({
        param: { id: String(testId) },
        query: {},
      }),
    );
    const stored = fromTeacherCompletions(listed.body as TeacherCompletions);
    expect(stored.map(({ id, student }) => ({ id, student }))).toEqual(
      fixture.map(({ id, student }) => ({ id, student })),
    );
    for (const [index, completion] of stored.entries()) {
      const planned = fixture[index] as OracleCompletion;
      for (const [questionId, answer] of planned.answers) {
        expect(
          completion.answers.get(questionId),
          `completion ${index}, question ${questionId}`,
        ).toEqual(answer);
      }
    }
  });
});

describe("GET /api/tests/{id}/statistics/", () => {
  it.each<Attempts>(["latest", "best", "all"])(
    "matches every figure computed from the known answers (?attempts=%s)",
    async (attempts) => {
      const response = await statistics(testId, `?attempts=${attempts}`);
      expect(response.status).toBe(200);
      expectStatisticsToMatch(response.body, expectedStatistics(questions, fixture, attempts));
    },
  );

  it("answers 150 requests in flight, over every ?attempts and the image, each as it answers alone", async () => {
    const modes = ["latest", "best", "all"] as const;
    const alone = await Promise.all(modes.map((mode) => statistics(testId, `?attempts=${mode}`)));
    const responses = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        i % 5 === 4
          ? responseOf(
              client(t, world.teacher.auth).api.tests[":id"].statistics["histogram.svg"].$get({
                param: { id: String(testId) },
                query: {},
              }),
            )
          : statistics(testId, `?attempts=${modes[i % 3]}`),
      ),
    );
    for (const [i, response] of responses.entries()) {
      expect(response.status, String(i)).toBe(200);
      if (i % 5 === 4) expectInertSvg(parseSvg(response.text));
      else expect(response.body).toEqual(alone[i % 3]?.body);
    }
  });

  it("refuses a token issued before its teacher changed their password, Bearer and ?token= alike", async () => {
    const teacher = await registerUser(t, { is_teacher: true });
    await createOrganization(t, teacher);
    const created = await call(t, "POST", "/api/tests/", {
      auth: teacher.auth,
      json: { name: "Mine", questions: questionInputs },
    });
    const path = `/api/tests/${created.body.id}/statistics/`;
    expect((await call(t, "GET", path, { auth: teacher.auth })).status).toBe(200);
    const changed = await responseOf(
      client(t, teacher.auth).api.users.me.$patch({ json: { password: "a brand new password" } }),
    );
    expect(changed.status).toBe(200);
    const [bearer, link] = await Promise.all([
      call(t, "GET", path, { auth: teacher.auth }),
      call(t, "GET", `${path}histogram.svg?token=${teacher.access}`),
    ]);
    expect(bearer.status).toBe(401);
    expect(link.status).toBe(401);
    expect(link.text).not.toContain("<svg");
  });

  it("counts each student's latest completion by default", async () => {
    const [byDefault, latest] = await Promise.all([
      statistics(testId),
      statistics(testId, "?attempts=latest"),
    ]);
    expect(byDefault.body).toEqual(latest.body);
    expect(byDefault.body.completions).toBe(5);
    expect(byDefault.body.students).toBe(5);
  });

  it("takes the latest by submission time, and the later of two best scores", async () => {
    const [latest, best, all] = await Promise.all([
      statistics(testId, "?attempts=latest"),
      statistics(testId, "?attempts=best"),
      statistics(testId, "?attempts=all"),
    ]);
    // Student 1 scored 3, 10, 6; student 3 scored 1, 6, 6 (the last one picked B).
    expect(latest.body.score).toMatchObject({ min: 3, max: 12 });
    expect(best.body.completions).toBe(5);
    expect(all.body).toMatchObject({ completions: 10, students: 5 });
    const radio = (body: { questions: { variants?: { text: string; picked: number }[] }[] }) =>
      Object.fromEntries(body.questions[0]?.variants?.map((v) => [v.text, v.picked]) ?? []);
    // Latest: student 1 → A, 2 → A, 3 → B (at 80), 4 → A, 5 → A (at 100, stored before the one at 95).
    expect(radio(latest.body)).toEqual({ A: 4, B: 1, C: 0 });
    // Best: student 1's 10 (A), student 3's later 6 (B), the rest as latest.
    expect(radio(best.body)).toEqual({ A: 4, B: 1, C: 0 });
    expect(radio(all.body)).toEqual({ A: 6, B: 2, C: 2 });
  });

  it("answers a question worth 0 points with null facility, and a question all got right with null discrimination", async () => {
    const { body } = await statistics(testId, "?attempts=all");
    const [, , , , zero, easy] = body.questions;
    expect(zero).toMatchObject({ points: 0, facility: null, discrimination: null });
    expect(zero.answered).toBe(6);
    expect(easy).toMatchObject({ points: 1, facility: 1, discrimination: null, answered: 10 });
  });

  it("leaves blank answers out of `answered` and counts them as 0 points", async () => {
    const { body } = await statistics(testId, "?attempts=all");
    const [, check, text, codeQuestion] = body.questions;
    expect(check.answered).toBe(7); // 8 check answers, one of them with no pick
    expect(text.answered).toBe(7); // 8 text answers, one of them spaces only
    expect(codeQuestion.answered).toBe(5); // 6 code answers, one of them blank
    expect(codeQuestion.cases_passed_rate).toBe(0.7); // 7 of 10 cases, the blank one never ran
  });

  it("rounds to 4 decimal places", async () => {
    const { body } = await statistics(testId, "?attempts=all");
    // Scores 3, 12, 10, 1, 6, 3, 6, 6, 12, 1: mean 6, population variance 15.6.
    expect(body.score).toMatchObject({ mean: 6, median: 6, stdev: 3.9497 });
    expect(body.questions[0].facility).toBe(0.6);
    for (const question of body.questions)
      for (const key of ["facility", "discrimination"])
        if (question[key] !== null) expectRounded(question[key], question[key], key);
  });

  it("answers a test without completions with counts of 0 and null figures", async () => {
    const empty = await createOpenTest("Nobody yet", questionInputs, []);
    const response = await statistics(empty.id);
    expect(response.status).toBe(200);
    expectStatisticsToMatch(response.body, expectedStatistics(empty.questions, [], "latest"));
    expect(response.body.score).toEqual({
      max_possible: 12,
      mean: null,
      median: null,
      stdev: null,
      min: null,
      max: null,
      histogram: Array.from({ length: 10 }, (_, i) => ({
        from: Number((i * 1.2).toFixed(4)),
        to: Number(((i + 1) * 1.2).toFixed(4)),
        count: 0,
      })),
    });
    for (const question of response.body.questions)
      expect(question).toMatchObject({ answered: 0, facility: null, discrimination: null });
  });
});

describe("one completion", () => {
  it("has a spread of 0 and no discrimination", async () => {
    const student = await registerUser(t, { organization_id: world.orgA.id });
    const single = await createOpenTest("Just one", questionInputs, [student]);
    const [radio, , text] = single.questions;
    const response = await call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: single.publicUuid,
        answers: [
          { question: radio?.id, body: { picked_variant: { text: "A" } } },
          { question: text?.id, body: { picked_variant: { text: "paRIS" } } },
        ],
      },
    });
    expect(response.body.score).toBe(4);
    const { body } = await statistics(single.id);
    const listed = await responseOf(
      client(t, world.teacher.auth).api.tests[":id"].completions.index.$get({
        param: { id: String(single.id) },
        query: {},
      }),
    );
    const stored = fromTeacherCompletions(listed.body as TeacherCompletions);
    expectStatisticsToMatch(body, expectedStatistics(single.questions, stored, "latest"));
    expect(body).toMatchObject({ completions: 1, students: 1 });
    expect(body.score).toMatchObject({ mean: 4, median: 4, stdev: 0, min: 4, max: 4 });
    expect(body.score.histogram[3]).toEqual({ from: 3.6, to: 4.8, count: 1 });
    for (const question of body.questions) expect(question.discrimination).toBeNull();
    expect(body.questions.map((q: { facility: number | null }) => q.facility)).toEqual([
      1,
      0,
      1,
      0,
      null,
      0,
    ]);
    expect(body.questions[3].cases_passed_rate).toBeNull();
  });
});

describe("bad input", () => {
  it.each(["statistics/", "statistics/histogram.svg", "completions/export/"])(
    "refuses an unknown ?attempts on %s with a DRF 400",
    async (path) => {
      for (const value of ["sometimes", "", "ALL", "latest,best"]) {
        const response = await call(
          t,
          "GET",
          `/api/tests/${testId}/${path}?attempts=${encodeURIComponent(value)}`,
          { auth: world.teacher.auth },
        );
        expect(response.status, value).toBe(400);
        expect(response.body, value).toEqual({
          attempts: [`"${value}" is not a valid choice.`],
        });
      }
    },
  );

  it("answers 404 for a test that doesn't exist or an id that isn't one", async () => {
    for (const path of ["999999", "abc", "0", "1e3"]) {
      const response = await responseOf(
        client(t, world.teacher.auth).api.tests[":id"].statistics.index.$get({
          param: { id: String(path) },
          query: {},
        }),
      );
      expect(response.status, path).toBe(404);
    }
  });

  it("accepts the path with the trailing slash toggled", async () => {
    const [without, svg] = await Promise.all([
      call(t, "GET", `/api/tests/${testId}/statistics`, { auth: world.teacher.auth }),
      call(t, "GET", `/api/tests/${testId}/statistics/histogram.svg/`, {
        auth: world.teacher.auth,
      }),
    ]);
    expect(without.status).toBe(200);
    expect(svg.status).toBe(200);
  });
});

describe("GET /api/tests/{id}/statistics/histogram.svg", () => {
  const svgOf = (id: number, query = "", headers: Record<string, string> = {}) =>
    call(t, "GET", `/api/tests/${id}/statistics/histogram.svg${query}`, {
      auth: world.teacher.auth,
      headers,
    });
  const texts = (elements: SvgElement[]) =>
    elements.filter((element) => element.name === "text").map((element) => element.text);

  it("is a well-formed, inert SVG image", async () => {
    const response = await svgOf(testId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    const elements = parseSvg(response.text);
    expectInertSvg(elements);
    expectLabelsApart(elements, 800);
  });

  it("shows the test's name as text, escaped, with axis titles, bin edges and counts on the bars", async () => {
    const { body } = await statistics(testId, "?attempts=all");
    const elements = parseSvg((await svgOf(testId, "?attempts=all")).text);
    const title = elements.filter(
      (e) => e.name === "text" && e.attributes["font-weight"] === "bold",
    );
    expect(title.map((e) => e.text)).toEqual([testName]);
    expect(texts(elements)).toEqual(
      expect.arrayContaining([
        "Score, points (out of 12)",
        "Completions",
        "10 completions by 5 students · every attempt",
        "mean 6 · median 6 · standard deviation 3.95 · lowest 1 · highest 12",
      ]),
    );
    const bars = elements.filter((e) => e.name === "rect" && e.attributes.height !== "520");
    expect(bars).toHaveLength(10);
    const counts = body.score.histogram.map((bin: { count: number }) => String(bin.count));
    const edges = ["0", "1.2", "2.4", "3.6", "4.8", "6", "7.2", "8.4", "9.6", "10.8", "12"];
    const labels = texts(elements);
    for (const label of [...counts, ...edges]) expect(labels).toContain(label);
    // Each bar's tooltip names its bin; the count label sits on the bar's centre.
    const tooltips = elements.filter((e) => e.name === "title").slice(1);
    expect(tooltips.map((e) => e.text)).toEqual(
      body.score.histogram.map(
        (bin: { from: number; to: number; count: number }) => `${bin.from}–${bin.to}: ${bin.count}`,
      ),
    );
  });

  it("renders hostile and unusual names as text", async () => {
    const names = [
      `<script>alert(1)</script> & "q" 'a' ]]> <!-- --> ünïcødé 漢字 🎓`,
      "A\uFFFE\uFFFFB \uD800 end",
      "Очень длинное название контрольной работы по алгебре ".repeat(3).slice(0, 150),
      "x".repeat(150),
    ];
    for (const name of names) {
      const created = await createOpenTest(name, questionInputs, []);
      const response = await svgOf(created.id);
      expect(response.status).toBe(200);
      const elements = parseSvg(response.text);
      expectInertSvg(elements);
      expectLabelsApart(elements, 800);
      expect(elements.some((e) => e.name === "script" || e.name === "foreignObject")).toBe(false);
      const stored = (
        await responseOf(
          client(t, world.teacher.auth).api.tests[":id"].index.$get({
            param: { id: String(created.id) },
          }),
        )
      ).body.name as string;
      const title = elements
        .filter((e) => e.name === "text" && e.attributes["font-weight"] === "bold")
        .map((e) => e.text);
      expect(title.length).toBeGreaterThanOrEqual(1);
      expect(title.length).toBeLessThanOrEqual(2);
      // XML can't carry U+FFFE, U+FFFF or a lone surrogate: they become U+FFFD.
      const expected = stored
        .replace(/[\uFFFE\uFFFF\p{Cs}]/gu, "\uFFFD")
        .replace(/\s+/g, " ")
        .trim();
      const shown = title.join(" ");
      if (shown.endsWith("…")) {
        const withoutSpaces = (text: string) => text.replace(/ /g, "");
        expect(withoutSpaces(expected).startsWith(withoutSpaces(shown.slice(0, -1)))).toBe(true);
      } else {
        expect(shown).toBe(expected);
      }
      expect(texts(elements)).toContain("No completions yet");
    }
  });

  it("labels in Russian when Accept-Language prefers it", async () => {
    const ru = await svgOf(testId, "", { "accept-language": "en;q=0.5, ru-RU;q=0.9" });
    expect(ru.headers.get("content-language")).toBe("ru");
    expect(texts(parseSvg(ru.text))).toEqual(
      expect.arrayContaining([
        "Баллы (из 12)",
        "Учеников",
        "Попыток: 5, учеников: 5 · последняя попытка каждого ученика",
      ]),
    );
    const en = await svgOf(testId, "", { "accept-language": "de, ru;q=0.1" });
    expect(en.headers.get("content-language")).toBe("en");
  });

  it("works as a download link with ?token=, and refuses a bad one", async () => {
    const path = `/api/tests/${testId}/statistics/histogram.svg`;
    const good = await call(t, "GET", `${path}?token=${world.teacher.access}&attempts=best`);
    expect(good.status).toBe(200);
    expect(parseSvg(good.text).some((e) => e.text.includes("best attempt"))).toBe(true);
    expect((await call(t, "GET", `${path}?token=nope`)).status).toBe(401);
    expect((await call(t, "GET", `${path}?token=${world.teacher.refresh}`)).status).toBe(401);
    expect((await call(t, "GET", `${path}?token=${world.colleague.access}`)).status).toBe(403);
    expect((await call(t, "GET", `${path}?token=${world.otherTeacher.access}`)).status).toBe(404);
    expect(
      (await call(t, "GET", `/api/tests/${testId}/statistics/?token=${world.teacher.access}`))
        .status,
    ).toBe(401);
  });
});

for (const [name, suffix] of [
  ["GET /api/tests/{id}/statistics/", "statistics/"],
  ["GET /api/tests/{id}/statistics/histogram.svg", "statistics/histogram.svg"],
] as const) {
  describeRoleMatrix(name, {
    arrange: async (app, w) => {
      const created = await call(app, "POST", "/api/tests/", {
        auth: w.teacher.auth,
        json: { name: "Matrix", questions: questionInputs },
      });
      return created.body.id as number;
    },
    request: (id) => ({ method: "GET", path: `/api/tests/${id}/${suffix}` }),
    expected: { anon: 401, noOrg: 404, student: 403, colleague: 403, teacher: 200, otherOrg: 404 },
  });
}

describe("the export's statistics sheet", () => {
  async function statisticsSheet(id: number, query: string) {
    const response = await t.app.request(
      `/api/tests/${id}/completions/export/?token=${world.teacher.access}${query}`,
    );
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    expect(workbook.worksheets.map((sheet) => sheet.name).at(-1)).toBe("Статистика");
    const sheet = workbook.getWorksheet("Статистика") as ExcelJS.Worksheet;
    const rows = Array.from({ length: sheet.rowCount }, (_, r) =>
      Array.from({ length: 12 }, (_, c) => sheet.getRow(r + 1).getCell(c + 1).value ?? null),
    );
    return { sheet, rows };
  }

  it.each<Attempts>(["latest", "all"])(
    "holds the question table and the score summary as the JSON has them (?attempts=%s)",
    async (attempts) => {
      const [json, { sheet, rows }] = await Promise.all([
        statistics(testId, `?attempts=${attempts}`),
        statisticsSheet(testId, `&attempts=${attempts}`),
      ]);
      const { score, questions: figures } = json.body;
      expect(rows[0]).toEqual([
        "№",
        "Вопрос",
        "Тип",
        "Баллы",
        "Ответили",
        "Лёгкость",
        "Дискриминация",
        "Выбор вариантов",
        "Доля пройденных тестов",
        null,
        "Показатель",
        "Значение",
      ]);
      expect(sheet.getRow(1).font?.bold).toBe(true);
      const types = [
        "один вариант",
        "несколько вариантов",
        "текст",
        "код",
        "один вариант",
        "один вариант",
      ];
      for (const [i, question] of figures.entries()) {
        expect(rows[i + 1]?.slice(0, 9), `question ${i}`).toEqual([
          i + 1,
          questionInputs[i]?.text,
          types[i],
          question.points,
          question.answered,
          question.facility,
          question.discrimination,
          question.variants
            ? question.variants
                .map(
                  (v: { text: string; is_correct: boolean; picked: number }) =>
                    `${v.is_correct ? "✓ " : ""}${v.text}: ${v.picked}`,
                )
                .join("; ")
            : null,
          question.cases_passed_rate ?? null,
        ]);
      }
      const summary = Object.fromEntries(
        rows.slice(1).flatMap((row) => (row[10] === null ? [] : [[row[10], row[11]]])),
      );
      expect(summary).toMatchObject({
        "Учтённые попытки": attempts === "all" ? "все" : "последняя каждого ученика",
        Попыток: json.body.completions,
        Учеников: json.body.students,
        "Максимум баллов": 12,
        Среднее: score.mean,
        Медиана: score.median,
        "Стандартное отклонение": score.stdev,
        Минимум: score.min,
        Максимум: score.max,
        "0–1.2": score.histogram[0].count,
        "10.8–12 (включительно)": score.histogram[9].count,
      });
    },
  );

  it("escapes question and variant texts that a spreadsheet would run as formulas", async () => {
    const hostile = await createOpenTest(
      "Formulas",
      [
        {
          text: '=HYPERLINK("http://evil.example")',
          type: "radio",
          body: { variants: [{ text: "=1+1" }, { text: "@SUM(A1)", is_correct: true }] },
        },
      ],
      [],
    );
    const { sheet, rows } = await statisticsSheet(hostile.id, "");
    expect(rows[1]?.slice(0, 2)).toEqual([1, `'=HYPERLINK("http://evil.example")`]);
    expect(rows[1]?.[7]).toBe("'=1+1: 0; ✓ @SUM(A1): 0");
    sheet.eachRow((row) =>
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)),
    );
  });
});

describe("a test read over several pages while students keep submitting", () => {
  const questionCount = 200; // a page then holds 100 completions
  const seeded = 330;

  /** 200 questions: radio worth 1, check worth 2 (lenient), in turn. */
  const manyQuestions = Array.from({ length: questionCount }, (_, i) =>
    i % 2 === 0
      ? {
          text: `Radio ${i}`,
          type: "radio",
          points: 1,
          body: { variants: [{ text: "yes", is_correct: true }, { text: "no" }] },
        }
      : {
          text: `Check ${i}`,
          type: "check",
          points: 2,
          body: {
            strict_score: false,
            variants: [
              { text: "a", is_correct: true },
              { text: "b", is_correct: true },
              { text: "c" },
            ],
          },
        },
  );

  /** A deterministic mix of right, wrong and missing answers. */
  function answersFor(view: OracleQuestion[], seed: number): { question: number; body: object }[] {
    return view.flatMap((question, i): { question: number; body: object }[] => {
      const roll = (seed * 7919 + i * 104_729) % 97;
      if (roll < 8) return [];
      const [first, second, third] = question.variants;
      if (question.type === "radio")
        return [
          {
            question: question.id,
            body: { picked_variant: { id: (roll % 3 ? first : second)?.id } },
          },
        ];
      const picks = [first, roll % 2 ? second : undefined, roll % 5 ? undefined : third];
      return [
        {
          question: question.id,
          body: { picked_variants: picks.flatMap((v) => (v ? [{ id: v.id }] : [])) },
        },
      ];
    });
  }

  it("counts every completion up to the moment it began, once", async () => {
    const app = await createTestApp();
    try {
      const owner = await registerUser(app, { is_teacher: true });
      const organization = await responseOf(
        client(app, owner.auth).api.organizations.index.$post({
          json: { name: `Pages ${Date.now()}` },
        }),
      );
      const pupils: TestUser[] = [];
      for (let i = 0; i < 12; i++)
        pupils.push(await registerUser(app, { organization_id: organization.body.id }));
      const created = await call(app, "POST", "/api/tests/", {
        auth: owner.auth,
        json: { name: "Two hundred questions", questions: manyQuestions },
      });
      const view = created.body as TeacherView;
      const questionsOfBig = oracleQuestionsOf(view);
      const group = await responseOf(
        client(app, owner.auth).api.groups.index.$post({ json: { name: "All of them" } }),
      );
      for (const pupil of pupils)
        await responseOf(
          client(app, owner.auth).api.groups[":id"].add_user.index.$post({
            param: { id: String(group.body.id) },
            json: { user: pupil.id },
          }),
        );
      await responseOf(
        client(app, owner.auth).api.tests[":id"].allow_for_group.index.$post({
          param: { id: String(view.id) },
          json: { group: group.body.id },
        }),
      );

      // Arrange quickly: what submissions store, straight into the database.
      const testRow = await findTest(app.store.db, view.id);
      if (!testRow) throw new Error("the test was just created");
      const tree = await loadTestTree(app.store.db, testRow);
      await Promise.all(
        Array.from({ length: seeded }, (_, i) => {
          const { answers } = CreateCompletionBodySchema.parse({
            test: view.public_uuid,
            answers: answersFor(questionsOfBig, i),
          });
          const scored = resolveSubmission(tree, answers);
          if (!scored.ok) throw new Error("seeded answers must be valid");
          return insertCompletion(
            app.store,
            {
              userId: (pupils[i % pupils.length] as TestUser).id,
              testId: view.id,
              score: scored.score,
              status: "graded",
              createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
            },
            scored.answers,
          );
        }),
      );

      const read = (attempts: Attempts) =>
        call(app, "GET", `/api/tests/${view.id}/statistics/?attempts=${attempts}`, {
          auth: owner.auth,
        });
      // One student after another submits while the teacher keeps reading: reads span pages
      // while submissions commit.
      const modes = ["all", "latest", "best"] as const;
      const submitted: Awaited<ReturnType<typeof call>>[] = [];
      const writing = (async () => {
        for (const [i, pupil] of [...pupils, ...pupils].entries()) {
          submitted.push(
            await responseOf(
              client(app, pupil.auth).api.completions.index.$post({
                json: { test: view.public_uuid, answers: answersFor(questionsOfBig, 1000 + i) },
              }),
            ),
          );
        }
      })();
      const reads: { attempts: Attempts; response: Awaited<ReturnType<typeof call>> }[] = [];
      const reading = async (offset: number) => {
        while (submitted.length < pupils.length * 2) {
          const attempts = modes[(reads.length + offset) % modes.length] ?? "all";
          reads.push({ attempts, response: await read(attempts) });
        }
      };
      await Promise.all([writing, reading(0), reading(1), reading(2)]);
      for (const response of submitted) expect(response.status).toBe(201);

      const listed = await responseOf(
        client(app, owner.auth).api.tests[":id"].completions.index.$get({
          param: { id: String(view.id) },
          query: {},
        }),
      );
      const all = fromTeacherCompletions(listed.body as TeacherCompletions);
      expect(all).toHaveLength(seeded + 24);
      for (const { attempts, response } of reads) {
        expect(response.status).toBe(200);
        const body = response.body;
        const histogramTotal = body.score.histogram.reduce(
          (sum: number, bin: { count: number }) => sum + bin.count,
          0,
        );
        expect(histogramTotal).toBe(body.completions);
        if (attempts === "all") {
          // Exactly the completions stored before it began: the first n, by id.
          expect(body.completions).toBeGreaterThanOrEqual(seeded);
          expectStatisticsToMatch(
            body,
            expectedStatistics(questionsOfBig, all.slice(0, body.completions), "all"),
          );
        } else {
          expect(body.completions).toBe(pupils.length);
        }
      }
      for (const attempts of ["latest", "best", "all"] as const)
        expectStatisticsToMatch(
          (await read(attempts)).body,
          expectedStatistics(questionsOfBig, all, attempts),
        );
    } finally {
      await app.close();
    }
  }, 120_000);
});
