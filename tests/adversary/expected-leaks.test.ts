// Requests go through the typed client (`client`), except through `call`: an answer whose question
// id the types read as possibly undefined.
/**
 * Adversary: expected values that reach the student's process.
 *
 * The student's run is meant to hold no expected value (CONTRACT §6, SECURITY.md "Integrity").
 * Yet the planner ships a whole teacher statement whenever the student's run needs any name it
 * binds: when an assert's message, a later case's input, a helper or a tuple assignment needs a
 * name that an expected operand also needs, the expected value travels with it, and an answer
 * that reads `globals()` instead of solving the task earns the points. Each question here uses
 * only what the README calls the strong form (a value assert against a literal or a name bound on
 * a line before the student's call). The right answer must earn full points, the cheat none.
 * Real app, real bubblewrap sandbox, in-process runners.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { createTestApp, type TestApp } from "../helpers/app";
import { client, responseOf } from "../helpers/client";
import {
  createOpenTest,
  createOrganization,
  registerUser,
  type TestUser,
} from "../helpers/fixtures";

const sieve = [
  "def nth_prime(n):",
  "    limit = 110000",
  "    sieve = bytearray([1]) * limit",
  "    sieve[0] = sieve[1] = 0",
  "    for i in range(2, int(limit ** 0.5) + 1):",
  "        if sieve[i]:",
  "            sieve[i * i::i] = bytearray(len(range(i * i, limit, i)))",
  "    return [i for i in range(limit) if sieve[i]][n - 1]",
  "",
].join("\n");

interface Shape {
  name: string;
  testingCode: string;
  right: string;
  /** Reads the expected value out of the namespace the tests' statements share with it. */
  cheat: string;
}

const shapes: Shape[] = [
  {
    name: "an assert message that shows the difference",
    testingCode: [
      "EXPECTED = 104729",
      'assert nth_prime(10000) == EXPECTED, f"off by {nth_prime(10000) - EXPECTED}"',
    ].join("\n"),
    right: sieve,
    cheat: 'def nth_prime(n):\n    return globals()["EXPECTED"]\n',
  },
  {
    name: "an expected value that a later case hands to the student as input",
    testingCode: [
      "p = 104729",
      "assert nth_prime(10000) == p",
      "assert reverse_digits(p) == '927401'",
    ].join("\n"),
    right: `${sieve}def reverse_digits(n):\n    return str(n)[::-1]\n`,
    cheat: [
      "def nth_prime(n):",
      '    return globals()["p"]',
      "def reverse_digits(n):",
      "    return str(n)[::-1]",
      "",
    ].join("\n"),
  },
  {
    name: "an input computed from the expected value (an inverse task)",
    testingCode: [
      "def encrypt(text, k):",
      '    return "".join(chr((ord(c) - 97 + k) % 26 + 97) for c in text)',
      'secret = "attackatdawn"',
      "cipher = encrypt(secret, 3)",
      "assert decrypt(cipher, 3) == secret",
    ].join("\n"),
    right:
      'def decrypt(text, k):\n    return "".join(chr((ord(c) - 97 - k) % 26 + 97) for c in text)\n',
    cheat: 'def decrypt(text, k):\n    return globals()["secret"]\n',
  },
  {
    name: "input and expected value bound by one tuple assignment",
    testingCode: "data, expected = [5, 3, 8, 1], [1, 3, 5, 8]\nassert sort_list(data) == expected",
    right: "def sort_list(xs):\n    return sorted(xs)\n",
    cheat: 'def sort_list(xs):\n    return globals()["expected"]\n',
  },
  {
    name: "a table of cases run through the tests' own helper",
    testingCode: [
      "CASES = [(3, 27), (4, 64)]",
      "def run(f, i):",
      "    return f(CASES[i][0])",
      "assert run(cube, 0) == CASES[0][1]",
      "assert run(cube, 1) == CASES[1][1]",
    ].join("\n"),
    right: "def cube(x):\n    return x ** 3\n",
    cheat: 'def cube(x):\n    return dict(globals()["CASES"])[x]\n',
  },
  {
    name: "a tolerance written with round() around the expected value",
    testingCode: "EXPECTED = 12.566370614359172\nassert round(area(2) - EXPECTED, 6) == 0",
    right: "import math\ndef area(r):\n    return math.pi * r * r\n",
    cheat: 'def area(r):\n    return globals()["EXPECTED"]\n',
  },
];

describe("expected values kept out of the student's process, whatever the shape of the tests", () => {
  let t: TestApp;
  let teacher: TestUser;
  let student: TestUser;
  let test: { public_uuid: string; questions: { id: number }[] };

  beforeAll(async () => {
    t = await createTestApp({
      runners: 2,
      env: { SANDBOX: "bwrap", GRADING_WAIT_MS: "120000" },
    });
    teacher = await registerUser(t, { is_teacher: true });
    const organization = await createOrganization(t, teacher);
    student = await registerUser(t, { organization_id: organization.id });
    ({ test } = await createOpenTest(
      t,
      teacher,
      [student],
      shapes.map((shape) => ({
        text: shape.name,
        type: "code",
        points: 10,
        body: { testing_code: shape.testingCode },
      })),
    ));
  }, 60_000);
  afterAll(() => t.close());

  async function pointsFor(question: number, code: string) {
    const submitted = await call(t, "POST", "/api/completions/", {
      auth: student.auth,
      json: {
        test: test.public_uuid,
        answers: [{ question: test.questions[question]?.id, body: { code } }],
      },
    });
    expect(submitted.status).toBe(201);
    const graded = await responseOf(
      client(t, teacher.auth).api.completions[":id"].with_correctness.index.$get({
        param: { id: String(submitted.body.id) },
      }),
    );
    expect(graded.body.status).toBe("graded");
    return graded.body.answers[0]?.points as number;
  }

  it.each(shapes.map((shape, index) => [shape.name, index] as const))(
    "%s: the right answer earns full points, reading globals() none",
    async (_, index) => {
      const shape = shapes[index] as Shape;
      const [right, cheat] = await Promise.all([
        pointsFor(index, shape.right),
        pointsFor(index, shape.cheat),
      ]);
      expect(right).toBe(10);
      expect(cheat).toBe(0);
    },
    120_000,
  );
});
