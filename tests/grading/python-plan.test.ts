/**
 * How tests are split between the teacher-only run, the student's run and the judge: what the
 * student's run is given (inputs, never expected values), and that common test idioms grade a
 * correct answer right and a wrong one wrong. Real bubblewrap sandbox.
 */
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { pythonHarness } from "../../src/grading/harness/python";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";
import { inEnglish } from "../helpers/english-report";

const sandbox = new BwrapSandbox(defaultLimits(2000, 256), 6);
const grader = new Grader(sandbox);

/** The plan of these tests, made by a real teacher-only run. */
async function planOf(testingCode: string) {
  const planning = pythonHarness.planTests(testingCode);
  if (planning.kind !== "run") throw new Error("the tests were not run");
  const outcome = planning.readPlan(await sandbox.execute(planning.program));
  if (outcome.kind !== "plan") throw new Error(outcome.report.errors ?? "no plan");
  return outcome;
}

/** Everything the student's run would read for these tests and this answer, gates included. */
async function studentInput(testingCode: string, code = ""): Promise<string> {
  const program = pythonHarness.studentRun(code, (await planOf(testingCode)).plan);
  return [program.input, ...(program.continuations ?? []).map(({ input }) => input)].join("");
}

const grade = async (code: string, testingCode: string) =>
  inEnglish(await grader.grade({ code, testingCode }));

describe("what the student's run is given", () => {
  const tests = [
    "import math, random",
    "random.seed(7)",
    "data = [3, 1, 2]",
    "expected = sorted(data)",
    "def reference(xs):\n    return sorted(xs)",
    "also_expected = reference(data)",
    "assert sort_list(data) == expected",
    "assert sort_list(data) == also_expected",
    "assert abs(area(2) - 12.566) < 1e-3",
    "assert math.isclose(area(1), 3.14159, rel_tol=1e-4)",
    "assert area(3) / 28.274 > 0.999",
    "assert sort_list([9, 8]) == [8, 9], 'sorting [9, 8] should give [8, 9]'",
    "assert sort_list([7, 5]) == [5, 7], f'should give [5, 7], not {sort_list([7, 5])}'",
  ].join("\n");
  const secrets = ["expected", "12.566", "3.14159", "28.274", "[8, 9]", "should"];

  it("gets the inputs as values, never an expected value or a statement that feeds one", async () => {
    const input = await studentInput(tests);
    expect(input).toContain("{'data': [3, 1, 2]}");
    expect(input).toContain("sort_list([9, 8])");
    for (const secret of [...secrets, "reference", "sorted(", "random", "math"])
      expect(input).not.toContain(secret);
  });

  it("gets what the tests provide (imports, set-up, functions) only for names the answer uses", async () => {
    const answer =
      "def sort_list(xs):\n    random.shuffle(xs)\n    return reference(xs)\ndef area(r):\n    return math.pi * r * r\n";
    const input = await studentInput(tests, answer);
    for (const provided of ["import math, random", "random.seed(7)", "def reference(xs)"])
      expect(input).toContain(provided);
    for (const secret of secrets) expect(input.replace(answer, "")).not.toContain(secret);
  });

  it("never gets a value an expected value reads directly, even for an answer that names it", async () => {
    const input = await studentInput(
      "expected = 48151623\nassert found() == expected",
      "def found():\n    return globals()['expected']\n",
    );
    expect(input).not.toContain("48151623");
  });

  it("never gets the seed of a generator that an expected value is drawn from", async () => {
    const tests =
      "import random\nrandom.seed(12345)\nexpected = random.random()\nassert draw() == expected";
    const redraw = "import random\ndef draw():\n    return random.random()\n";
    expect(await studentInput(tests, redraw)).not.toContain("12345");
    expect(await grade(redraw, tests)).toMatchObject({ passed: 0, total: 1 });
  });

  it("runs a statement that changes an input before the probe that reads it", async () => {
    const tests = "lst = [1, 2, 3]\nreverse_in_place(lst)\nassert lst == [3, 2, 1]";
    const right = "def reverse_in_place(xs):\n    xs.reverse()\n";
    const wrong = "def reverse_in_place(xs):\n    xs.sort()\n";
    expect(await grade(right, tests)).toMatchObject({ passed: 1, total: 1 });
    expect(await grade(wrong, tests)).toMatchObject({ passed: 0, total: 1 });
  });
});

describe("asserts that are not top-level statements", () => {
  it("are named in the plan's warnings: the answer's run reports whether they raised", async () => {
    const nested = await planOf(
      [
        "cases = [(1, 2), (3, 6)]",
        "for x, y in cases:\n    assert double(x) == y",
        "assert double(5) == 10",
      ].join("\n"),
    );
    expect(nested.warnings).toEqual([
      expect.stringMatching(/^Line 2: its asserts run in the answer's run/),
    ]);
    const topLevel = await planOf("assert double(1) == 2\nassert double(5) == 10");
    expect(topLevel.warnings ?? []).toEqual([]);
  });
});

describe("common test idioms", () => {
  const cases: [string, string, string, string][] = [
    [
      "a tolerance around a float",
      "assert abs(area(2) - 12.566) < 1e-3\nassert math.isclose(area(1), 3.14159, rel_tol=1e-4)\nimport math",
      "import math\ndef area(r):\n    return math.pi * r * r\n",
      "def area(r):\n    return 3 * r * r\n",
    ],
    [
      "a type check and a value",
      "assert type(sq(5)) is int and sq(5) == 25\nassert isinstance(sq(2.0), float)",
      "def sq(x):\n    return x * x\n",
      "def sq(x):\n    return float(x * x)\n",
    ],
    [
      "containers, sets and dicts, and in",
      "assert evens([1, 2, 3, 4]) == [2, 4]\nassert set(evens([4, 2])) == {2, 4}\nassert 2 in evens([2])\nassert counts('aab') == {'a': 2, 'b': 1}",
      "def evens(xs):\n    return [x for x in xs if x % 2 == 0]\ndef counts(s):\n    return {c: s.count(c) for c in s}\n",
      "def evens(xs):\n    return xs\ndef counts(s):\n    return {}\n",
    ],
    [
      "a module the tests import, used by the answer without importing it",
      "import math\nassert root(9) == 3.0",
      "def root(x):\n    return math.sqrt(x)\n",
      "def root(x):\n    return x / 4\n",
    ],
    [
      "a result kept in a variable, and an expected value in another",
      "expected = [1, 2, 3]\nresult = sort_list([3, 2, 1])\nassert result == expected\nassert len(result) == 3",
      "def sort_list(xs):\n    return sorted(xs)\n",
      "def sort_list(xs):\n    return xs\n",
    ],
  ];

  it.each(cases)("%s: right passes, wrong fails", async (_, tests, right, wrong) => {
    const total = tests.split("\n").filter((line) => line.startsWith("assert")).length;
    expect(await grade(right, tests)).toEqual({
      passed: total,
      total,
      raised: false,
      errors: null,
    });
    expect((await grade(wrong, tests)).passed).toBeLessThan(total);
  });

  it("shows the assert's message; the answer's run formats only the answer's values", async () => {
    const report = await grade(
      "def sq(x):\n    return x + x\n",
      "assert sq(3) == 9, f'sq(3) should be 9, not {sq(3)!r}'\nassert sq(2) == 4, 'two'",
    );
    expect(report).toMatchObject({ passed: 1, total: 2 });
    expect(report.errors).toBe(
      "Line 1: assert sq(3) == 9, f'sq(3) should be 9, not {sq(3)!r}'\nAssertionError: sq(3) should be 9, not 6",
    );
  });

  it("fails a case whose value is not plain data, whatever the operator", async () => {
    const report = await grade(
      "class Box:\n    pass\ndef make():\n    return Box()\n",
      "assert not (make() == 5)\nassert make() != 5",
    );
    expect(report.passed).toBe(0);
    expect(report.errors).toContain("The value of make() is not plain data (Box)");
  });

  it("reports a TypeError the comparison would raise", async () => {
    const report = await grade("def f():\n    return 'a'\n", "assert f() < 1");
    expect(report.errors).toBe(
      "Line 1: assert f() < 1\nTypeError: '<' not supported between instances of 'str' and 'int'",
    );
  });

  it("says the testing code is invalid, for every answer", async () => {
    const report = await grade("x = 1", "assert f(1) ==");
    expect(report).toMatchObject({ passed: 0, total: 0, raised: true });
    expect(report.errors).toMatch(/^The testing code is invalid: /);
  });
});
