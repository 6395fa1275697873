/**
 * A demo organization to click through, made through the API itself (the real app in process,
 * its grader included): a teacher, six students in two groups, a test of every question type
 * and a test of Python and JavaScript functions, and graded completions of both.
 */
import { progress } from "./progress";

/** Where the requests go: the app in process (`app.request`) or a served one. */
export interface DemoTarget {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

export interface DemoSignIn {
  role: "teacher" | "student";
  email: string;
  name: string;
  group?: string;
}

export interface DemoSeeded {
  organization: string;
  password: string;
  signIns: DemoSignIn[];
  tests: { name: string; publicUuid: string }[];
  completions: { graded: number; grading: number };
}

export const demoTeacherEmail = "teacher@demo.example";

const students = [
  { first_name: "Ivan", last_name: "Smirnov", group: "9A" },
  { first_name: "Maria", last_name: "Ivanova", group: "9A" },
  { first_name: "Oleg", last_name: "Kuznetsov", group: "9A" },
  { first_name: "Daria", last_name: "Popova", group: "9B" },
  { first_name: "Pavel", last_name: "Sokolov", group: "9B" },
  { first_name: "Elena", last_name: "Volkova", group: "9B" },
];

const mixedTest = {
  name: "Mixed quiz",
  questions: [
    {
      text: "2 + 2 = ?",
      type: "radio",
      points: 1,
      body: { variants: [{ text: "4", is_correct: true }, { text: "5" }, { text: "22" }] },
    },
    {
      text: "Pick the prime numbers",
      type: "check",
      points: 3,
      body: {
        strict_score: false,
        variants: [
          { text: "2", is_correct: true },
          { text: "3", is_correct: true },
          { text: "4" },
          { text: "9" },
        ],
      },
    },
    {
      text: "The capital of France?",
      type: "text",
      points: 2,
      body: { variants: [{ text: "Paris", is_correct: true }] },
    },
    {
      text: "Write `add(a, b)` that returns the sum of a and b",
      type: "code",
      points: 3,
      body: {
        testing_code: "assert add(1, 2) == 3\nassert add(-1, 1) == 0\nassert add(10, 5) == 15",
        strict_score: false,
        language: "python",
      },
    },
  ],
};

const functionsTest = {
  name: "Functions in Python and JavaScript",
  questions: [
    {
      text: "Write `is_even(n)`: True for even numbers",
      type: "code",
      points: 2,
      body: {
        testing_code:
          "assert is_even(2) is True\nassert is_even(7) is False\nassert is_even(0) is True",
        strict_score: true,
        language: "python",
      },
    },
    {
      text: "Write `largest(numbers)` without using max()",
      type: "code",
      points: 4,
      body: {
        testing_code:
          "assert largest([3, 1, 2]) == 3\nassert largest([-5, -2]) == -2\nassert largest([7]) == 7",
        strict_score: false,
        language: "python",
      },
    },
    {
      text: "In JavaScript: write `triple(n)` that returns n times 3",
      type: "code",
      points: 2,
      body: {
        testing_code:
          "assert.strictEqual(triple(2), 6);\nassert.strictEqual(triple(0), 0);\nassert.strictEqual(triple(-4), -12);",
        strict_score: false,
        language: "javascript",
      },
    },
    {
      text: "What does `len([1, 2, 3])` return?",
      type: "radio",
      points: 1,
      body: { variants: [{ text: "3", is_correct: true }, { text: "2" }, { text: "6" }] },
    },
  ],
};

/** Right and wrong code per function the tests ask for (a wrong one passes some asserts). */
const code: Record<string, { right: string; wrong: string }> = {
  add: { right: "def add(a, b):\n    return a + b\n", wrong: "def add(a, b):\n    return a * b\n" },
  is_even: {
    right: "def is_even(n):\n    return n % 2 == 0\n",
    wrong: "def is_even(n):\n    return n % 2\n",
  },
  triple: { right: "const triple = (n) => n * 3;", wrong: "const triple = (n) => n + 4;" },
  largest: {
    right:
      "def largest(numbers):\n    best = numbers[0]\n    for n in numbers[1:]:\n        if n > best:\n            best = n\n    return best\n",
    wrong: "def largest(numbers):\n    return numbers[-1]\n",
  },
};

interface CreatedQuestion {
  id: number;
  type: string;
  text: string;
  body: { variants?: { id: number; text: string; is_correct: boolean }[] };
}

/** One student's answer: right or wrong, in the API's shape. */
function answerTo(question: CreatedQuestion, right: boolean) {
  const variants = question.body.variants ?? [];
  const picked = variants.filter((variant) => variant.is_correct === right);
  switch (question.type) {
    case "radio":
      return { question: question.id, body: { picked_variant: { id: picked[0]?.id } } };
    case "check":
      return { question: question.id, body: { picked_variants: picked.map(({ id }) => ({ id })) } };
    case "text":
      return {
        question: question.id,
        body: { picked_variant: { text: right ? (picked[0]?.text ?? "") : "London" } },
      };
    default: {
      const name = /`(\w+)\(/.exec(question.text)?.[1] ?? "";
      const source = code[name];
      return { question: question.id, body: { code: right ? source?.right : source?.wrong } };
    }
  }
}

/** Calls the API; anything but the expected status stops the seed with what the API said. */
async function api(
  target: DemoTarget,
  method: string,
  path: string,
  body: unknown,
  access?: string,
  expected = method === "POST" ? 201 : 200,
  // biome-ignore lint/suspicious/noExplicitAny: the seed reads a few fields of each answer
): Promise<any> {
  const headers = new Headers({ "content-type": "application/json" });
  if (access) headers.set("authorization", `Bearer ${access}`);
  const response = await target.request(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function registerAndSignIn(
  target: DemoTarget,
  account: Record<string, unknown> & { email: string },
  password: string,
) {
  const user = await api(target, "POST", "/api/users/", { ...account, password });
  const tokens = await api(
    target,
    "POST",
    "/api/users/token/obtain/",
    { email: account.email, password },
    undefined,
    200,
  );
  return { id: user.id as number, access: tokens.access as string };
}

export async function seedDemo(target: DemoTarget, password: string): Promise<DemoSeeded> {
  progress("demo: the teacher and the organization");
  const teacher = await registerAndSignIn(
    target,
    { email: demoTeacherEmail, first_name: "Anna", last_name: "Petrova", is_teacher: true },
    password,
  ).catch((error: unknown) => {
    // The API says no more than that the email is taken (it never tells who has an account).
    if (String(error).includes("already exists"))
      throw new Error(`${demoTeacherEmail} exists already: seed the demo into a fresh database`);
    throw error;
  });
  const organization = await api(
    target,
    "POST",
    "/api/organizations/",
    { name: "Demo school", description: "A demo organization made by npm run seed -- --demo" },
    teacher.access,
  );

  progress("demo: six students in groups 9A and 9B");
  const groups = new Map<string, number>();
  for (const name of ["9A", "9B"])
    groups.set(name, (await api(target, "POST", "/api/groups/", { name }, teacher.access)).id);
  const enrolled = [];
  for (const [index, student] of students.entries()) {
    const email = `student${index + 1}@demo.example`;
    const { first_name, last_name, group } = student;
    const signedIn = await registerAndSignIn(
      target,
      { email, first_name, last_name, organization_id: organization.id },
      password,
    );
    await api(
      target,
      "POST",
      `/api/groups/${groups.get(group)}/add_user/`,
      { user: signedIn.id },
      teacher.access,
      200,
    );
    enrolled.push({ ...student, ...signedIn, email, skill: index });
  }

  progress("demo: the tests, open to both groups");
  const tests = [];
  for (const test of [mixedTest, functionsTest]) {
    const created = await api(target, "POST", "/api/tests/", test, teacher.access);
    for (const groupId of groups.values())
      await api(
        target,
        "POST",
        `/api/tests/${created.id}/allow_for_group/`,
        { group: groupId },
        teacher.access,
        200,
      );
    tests.push(await api(target, "GET", `/api/tests/${created.id}/`, undefined, teacher.access));
  }

  progress("demo: completions (code answers graded in the sandbox)");
  const completions = { graded: 0, grading: 0 };
  for (const [testIndex, test] of tests.entries()) {
    // Five of the six students take each test, each right on a different share of questions.
    const takers = enrolled.filter((student) => student.skill !== (testIndex === 0 ? 5 : 2));
    const submitted = await Promise.all(
      takers.map((student) =>
        api(
          target,
          "POST",
          "/api/completions/",
          {
            test: test.public_uuid,
            answers: (test.questions as CreatedQuestion[]).map((question, index) =>
              answerTo(question, (student.skill + index) % 3 !== 2),
            ),
          },
          student.access,
        ),
      ),
    );
    for (const completion of submitted)
      completions[completion.status === "graded" ? "graded" : "grading"]++;
    progress(`demo: ${submitted.length} completions of "${test.name}"`);
  }

  return {
    organization: organization.name,
    password,
    signIns: [
      { role: "teacher", email: demoTeacherEmail, name: "Anna Petrova" },
      ...enrolled.map(({ email, first_name, last_name, group }) => ({
        role: "student" as const,
        email,
        name: `${first_name} ${last_name}`,
        group,
      })),
    ],
    tests: tests.map((test) => ({ name: test.name, publicUuid: test.public_uuid })),
    completions,
  };
}
