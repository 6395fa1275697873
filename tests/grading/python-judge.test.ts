/**
 * The judge's Python semantics against what Debian's python3 says, on a table of plain values:
 * every comparison operator, + - * /, not and unary -/+, abs, len, type, isinstance, truthiness and
 * math.isclose, for every pair of values (results and exception types alike).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  arithmetic,
  callBuiltin,
  compare,
  decodeValue,
  PyException,
  type PyValue,
  truthy,
  unary,
} from "../../src/grading/harness/python/values";

const values = [
  "0",
  "1",
  "-1",
  "3",
  "True",
  "False",
  "None",
  "1.0",
  "0.0",
  "-0.0",
  "1.5",
  "0.1",
  "0.2",
  "0.30000000000000004",
  "0.3",
  "12.566",
  "1e-3",
  "float('nan')",
  "float('inf')",
  "-float('inf')",
  "2**53",
  "2**53 + 1",
  "float(2**53)",
  "10**30",
  "-10**30",
  "1e30",
  "1e308",
  "10**400",
  "'a'",
  "'b'",
  "''",
  "'ab'",
  "'\\U0001f600'",
  "'\\uffff'",
  "'é'",
  "[1, 2]",
  "[1, 2.0]",
  "[1, 3]",
  "[1]",
  "[]",
  "[[1], [2, 3]]",
  "[float('nan')]",
  "(1, 2)",
  "(1,)",
  "()",
  "(1, 2.0)",
  "{1: 'a'}",
  "{True: 'a'}",
  "{1.0: 'a', 2: 'b'}",
  "{2: 'b', 1: 'a'}",
  "{'a': [1, {2}]}",
  "{}",
  "{1, 2}",
  "frozenset({1, 2})",
  "{1}",
  "{2, 1.0}",
  "set()",
  "frozenset()",
  "{(1, 2), 'x'}",
  "int",
  "float",
  "bool",
  "str",
  "list",
  "type(None)",
  "(int, float)",
];
const comparisons = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"] as const;
const arithmetics = ["+", "-", "*", "/"] as const;

const python =
  readFileSync(new URL("../../src/grading/harness/python/plain.py", import.meta.url), "utf8") +
  `
import json, math, sys
values = [eval(source) for source in json.load(sys.stdin)]
def outcome(thunk):
    try:
        result = thunk()
    except Exception as error:
        return ["E", type(error).__name__]
    try:
        return json.loads(encode_value(result))
    except NotPlain:
        return ["x"]
ops = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
       "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
       "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
       "is": lambda a, b: a is b, "is not": lambda a, b: a is not b,
       "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
       "/": lambda a, b: a / b}
out = {"values": [json.loads(encode_value(v)) for v in values], "binary": {}, "unary": []}
for name, op in ops.items():
    out["binary"][name] = [[outcome(lambda: op(a, b)) for b in values] for a in values]
for a in values:
    row = {"not": outcome(lambda: not a), "-": outcome(lambda: -a), "+": outcome(lambda: +a),
           "abs": outcome(lambda: abs(a)), "len": outcome(lambda: len(a)),
           "type": outcome(lambda: type(a)), "truth": outcome(lambda: bool(a)),
           "isinstance": [outcome(lambda: isinstance(a, b)) for b in values],
           "isclose": [outcome(lambda: math.isclose(a, b)) for b in values],
           "isclose_rel": [outcome(lambda: math.isclose(a, b, rel_tol=1e-3, abs_tol=0.5)) for b in values]}
    out["unary"].append(row)
print(json.dumps(out))
`;

type Tagged = unknown;
const expected = JSON.parse(
  execFileSync("/usr/bin/python3", ["-c", python], {
    input: JSON.stringify(values),
    maxBuffer: 1 << 28,
  }).toString(),
) as {
  values: Tagged[];
  binary: Record<string, Tagged[][]>;
  unary: Record<string, Tagged | Tagged[]>[];
};

/** What the judge says, in Python's tagged form (exceptions by type), to compare with python3's. */
function outcome(thunk: () => PyValue | boolean): Tagged {
  try {
    const result = thunk();
    return tag(typeof result === "boolean" ? { t: "bool", v: result } : result);
  } catch (error) {
    if (error instanceof PyException) return ["E", error.pyType];
    throw error;
  }
}

function tag(value: PyValue): Tagged {
  switch (value.t) {
    case "NoneType":
      return ["n"];
    case "bool":
      return ["b", value.v];
    case "int":
      return ["i", value.v < 0n ? `-${(-value.v).toString(16)}` : value.v.toString(16)];
    case "float":
      return ["f#", floatKey(value.v)];
    case "str":
      return ["s", value.v];
    case "type":
      return ["T", value.v];
    case "dict":
      return ["d", value.v.flatMap(([key, item]) => [tag(key), tag(item)])];
    default:
      return [{ list: "l", tuple: "t", set: "S", frozenset: "F" }[value.t], value.v.map(tag)];
  }
}

/** Floats compared by value: -0.0 and NaN told apart. */
function floatKey(value: number): string {
  if (Number.isNaN(value)) return "nan";
  return Object.is(value, -0) ? "-0" : String(value);
}

const decoded = expected.values.map((raw) => decodeValue(raw) as PyValue);
/** Sets' items come in an order of python's choosing: compare them as sorted lists. */
const canonical = (value: Tagged): Tagged =>
  Array.isArray(value)
    ? value[0] === "f" && typeof value[1] === "string"
      ? ["f#", floatKey((decodeValue(value) as { v: number }).v)]
      : value[0] === "S" || value[0] === "F"
        ? [
            value[0],
            (value[1] as Tagged[])
              .map(canonical)
              .map((item) => JSON.stringify(item))
              .sort(),
          ]
        : value.map(canonical)
    : value;
const isSingleton = (value: PyValue) =>
  value.t === "NoneType" ||
  value.t === "bool" ||
  value.t === "type" ||
  (value.t === "int" && value.v >= -5n && value.v <= 256n);

let mismatches: string[] = [];
/** Collects disagreements, so that a failure lists them all. */
function same(judge: Tagged, python: Tagged, label: string) {
  const [ours, theirs] = [JSON.stringify(canonical(judge)), JSON.stringify(canonical(python))];
  if (ours !== theirs) mismatches.push(`${label}: judge ${ours}, python3 ${theirs}`);
}

describe("the judge's Python semantics", () => {
  beforeEach(() => {
    mismatches = [];
  });
  afterEach(() => {
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it("decodes every value python3 encodes", () => {
    expect(values.filter((_, index) => decoded[index] === undefined)).toEqual([]);
  });

  it.each(comparisons)("a %s b, for every pair", (op) => {
    decoded.forEach((a, i) => {
      decoded.forEach((b, j) => {
        const python = expected.binary[op]?.[i]?.[j];
        // Expected and reported values come from two processes: identity is known only for
        // singletons (and CPython's small ints), and a value is never the same object as
        // itself there (python3 says [nan] == [nan] for one list, by identity).
        if ((op === "is" || op === "is not") && !(isSingleton(a) && isSingleton(b))) return;
        if (i === j && values[i]?.includes("nan")) return;
        same(
          outcome(() => compare(op, a, b)),
          python,
          `${values[i]} ${op} ${values[j]}`,
        );
      });
    });
  });

  it.each(arithmetics)("a %s b, for every pair", (op) => {
    decoded.forEach((a, i) => {
      decoded.forEach((b, j) => {
        const python = expected.binary[op]?.[i]?.[j] as Tagged[];
        same(
          outcome(() => arithmetic(op, a, b)),
          python,
          `${values[i]} ${op} ${values[j]}`,
        );
      });
    });
  });

  it("not, unary - and +, abs, len, type and truthiness", () => {
    decoded.forEach((a, i) => {
      const row = expected.unary[i] as Record<string, Tagged>;
      same(
        outcome(() => !truthy(a)),
        row.not,
        `not ${values[i]}`,
      );
      same(
        outcome(() => truthy(a)),
        row.truth,
        `truth ${values[i]}`,
      );
      same(
        outcome(() => unary("-", a)),
        row["-"],
        `- ${values[i]}`,
      );
      same(
        outcome(() => unary("+", a)),
        row["+"],
        `+ ${values[i]}`,
      );
      same(
        outcome(() => callBuiltin("abs", [a], {})),
        row.abs,
        `abs ${values[i]}`,
      );
      same(
        outcome(() => callBuiltin("len", [a], {})),
        row.len,
        `len ${values[i]}`,
      );
      if (a.t !== "type")
        same(
          outcome(() => callBuiltin("type", [a], {})),
          row.type,
          `type ${values[i]}`,
        );
    });
  });

  it("isinstance and math.isclose, for every pair", () => {
    const rel = decodeValue(["f", "0.001"]) as PyValue;
    const abs = decodeValue(["f", "0.5"]) as PyValue;
    decoded.forEach((a, i) => {
      const row = expected.unary[i] as Record<string, Tagged[]>;
      decoded.forEach((b, j) => {
        const label = `(${values[i]}, ${values[j]})`;
        same(
          outcome(() => callBuiltin("isinstance", [a, b], {})),
          row.isinstance?.[j],
          `isinstance${label}`,
        );
        same(
          outcome(() => callBuiltin("isclose", [a, b], {})),
          row.isclose?.[j],
          `isclose${label}`,
        );
        same(
          outcome(() => callBuiltin("isclose", [a, b], { rel_tol: rel, abs_tol: abs })),
          row.isclose_rel?.[j],
          label,
        );
      });
    });
  });
});
