/**
 * Adversary (the other side of integrity): right answers that the new grader fails, where Python
 * running the tests after the answer — what CONTRACT §5 describes — passes them.
 * - A name the tests provide for the answer to use (a helper, a rate, a price table) is withheld
 *   from the student's run as soon as an expected value uses it too: the answer meets NameError.
 * - An assert's message is evaluated by the student's run even when the assert passes; when it
 *   calls the answer again (`f"got {pop_item(stack)}"`), the state of the next cases changes.
 * - A name the tests bind anywhere is the tests' everywhere: when they wrap the answer's function
 *   after a first case (to count its calls) or `del` it at the end, the cases before are decided
 *   in the teacher-only run, where the name isn't bound yet (NameError).
 * - `len()` is judged outside, so the whole container travels on the 1 MiB channel:
 *   `len(primes_below(1_000_000)) == 78498` is "Output limit exceeded" (78 498 ints).
 * Real bubblewrap sandbox, the real grader (planner, student's run, judge).
 */
import { describe, expect, it } from "vitest";
import { Grader } from "../../src/grading/grader";
import { BwrapSandbox } from "../../src/grading/sandbox/bwrap";
import { defaultLimits } from "../../src/grading/sandbox/sandbox";

const grader = new Grader(new BwrapSandbox(defaultLimits(2000, 256), 13));

const shapes: [string, string, string][] = [
  [
    "a helper the tests provide, also used for the expected value",
    "def helper(x):\n    return x * 2\nassert double_all([1, 2]) == [helper(1), helper(2)]",
    "def double_all(xs):\n    return [helper(x) for x in xs]\n",
  ],
  [
    "a rate the tests provide, also used for the expected value",
    "RATE = 0.2\nassert tax(100) == 100 * RATE",
    "def tax(amount):\n    return amount * RATE\n",
  ],
  [
    "a price table the tests provide, also used for the expected value",
    'PRICES = {"apple": 3, "pear": 5}\nassert total(["apple", "pear"]) == PRICES["apple"] + PRICES["pear"]',
    "def total(items):\n    return sum(PRICES[i] for i in items)\n",
  ],
  [
    "an assert message that calls the answer again",
    'stack = [1, 2, 3]\nassert pop_item(stack) == 3, f"popped {pop_item(stack)}"\nassert pop_item(stack) == 2',
    "def pop_item(s):\n    return s.pop()\n",
  ],
  [
    "the answer's function wrapped by the tests after a first case",
    [
      "assert fib(10) == 55",
      "calls = []",
      "_orig = fib",
      "def fib(n):",
      "    calls.append(n)",
      "    return _orig(n)",
      "fib(20)",
      "assert len(calls) < 100",
    ].join("\n"),
    [
      "from functools import lru_cache",
      "@lru_cache(None)",
      "def fib(n):",
      "    return n if n < 2 else fib(n - 1) + fib(n - 2)",
      "",
    ].join("\n"),
  ],
  [
    "the answer's function deleted by the tests at the end",
    "assert sq(3) == 9\ndel sq",
    "def sq(x):\n    return x * x\n",
  ],
  [
    "the length of a large result",
    "assert len(primes_below(1_000_000)) == 78498",
    [
      "def primes_below(n):",
      "    sieve = bytearray([1]) * n",
      "    sieve[0] = sieve[1] = 0",
      "    for i in range(2, int(n ** 0.5) + 1):",
      "        if sieve[i]:",
      "            sieve[i * i::i] = bytearray(len(range(i * i, n, i)))",
      "    return [i for i in range(n) if sieve[i]]",
      "",
    ].join("\n"),
  ],
];

describe("right answers earn full points", () => {
  it.each(shapes)("%s", async (_, testingCode, code) => {
    const total = testingCode.split("\n").filter((line) => line.startsWith("assert")).length;
    expect(await grader.grade({ code, testingCode })).toEqual({
      passed: total,
      total,
      raised: false,
      errors: null,
    });
  });
});
