/**
 * The judge's JavaScript semantics against real node:assert and the language's own operators, on
 * a table of plain values: each value is built in a fresh context (as the student's run builds
 * it), encoded as the sandboxed program encodes it, decoded as the runner does, and judged; the
 * same values built anew go through node:assert and the operator in this process. Two values are
 * always built apart, so no object is ever the same object (as across two runs).
 */
import assert from "node:assert";
import { createRequire } from "node:module";
import { types } from "node:util";
import * as vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import type { AssertMethod, BinaryOperator } from "../../src/grading/harness/javascript/plan";
import {
  abs,
  assertionHolds,
  binary,
  decodeValue,
  type JsValue,
  truthy,
  unary,
} from "../../src/grading/harness/javascript/values";

const { createEncoder } = createRequire(import.meta.url)(
  "../../src/grading/harness/javascript/plain.cjs",
) as {
  createEncoder: (
    prototypes: unknown,
    isProxy: (value: unknown) => boolean,
  ) => { encodeValue: (value: unknown) => unknown };
};

const values = [
  "0",
  "-0",
  "1",
  "-1",
  "1.5",
  "0.1 + 0.2",
  "0.3",
  "NaN",
  "Infinity",
  "-Infinity",
  "2 ** 53",
  "2 ** 53 + 2",
  "1e21",
  "0n",
  "1n",
  "-1n",
  "10n ** 30n",
  "''",
  "'0'",
  "'1'",
  "' 1 '",
  "'1.5'",
  "'a'",
  "'ab'",
  "'b'",
  "'1,2'",
  "'[object Object]'",
  "'\\u{1F600}'",
  "'\\ud800'",
  "true",
  "false",
  "null",
  "undefined",
  "[]",
  "[1]",
  "[1, 2]",
  "['1']",
  "[[1]]",
  "[1, [2, 3]]",
  "[NaN]",
  "[0]",
  "[-0]",
  "[undefined]",
  "[null]",
  "[1n]",
  "{}",
  "({ a: 1 })",
  "({ a: 1, b: 2 })",
  "({ b: 2, a: 1 })",
  "({ a: [1] })",
  "({ a: undefined })",
  "({ '1': 1 })",
  "new Map()",
  "new Map([[1, 'a']])",
  "new Map([['1', 'a']])",
  "new Map([[1, 'a'], [2, 'b']])",
  "new Map([[2, 'b'], [1, 'a']])",
  "new Map([[{ a: 1 }, 1]])",
  "new Map([[NaN, 1]])",
  "new Set()",
  "new Set([1, 2])",
  "new Set([2, 1])",
  "new Set([[1]])",
  "new Set(['1'])",
  "new Set([NaN])",
  "new Date(0)",
  "new Date(1)",
  "new Date(NaN)",
  "/a/",
  "/a/g",
];
const methods: Exclude<AssertMethod, "throws">[] = [
  "equal",
  "notEqual",
  "strictEqual",
  "notStrictEqual",
  "deepStrictEqual",
];
const operators: BinaryOperator[] = [
  "==",
  "!=",
  "===",
  "!==",
  "<",
  "<=",
  ">",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
];

const context = vm.createContext(vm.constants.DONT_CONTEXTIFY);
const prototypes = vm.runInContext(
  "({ Object: Object.prototype, Array: Array.prototype, Map: Map.prototype, Set: Set.prototype, Date: Date.prototype, RegExp: RegExp.prototype, Error: Error.prototype, Function: Function.prototype })",
  context,
);
const { encodeValue } = createEncoder(prototypes, types.isProxy);
/** A value built in the context, as the answer's code builds it. */
const build = (source: string): unknown => vm.runInContext(`(${source})`, context);

const encodings = new Map<string, string>();
/** The value the judge sees: built, encoded by the sandboxed program's encoder, decoded (anew each
 * time: two reports are never one object). */
function judged(source: string): JsValue {
  if (!encodings.has(source)) encodings.set(source, JSON.stringify(encodeValue(build(source))));
  const decoded = decodeValue(JSON.parse(encodings.get(source) as string));
  if (!decoded.ok) throw new Error(`${source} did not round-trip`);
  return decoded.value;
}

/** What running it does: its result (a primitive), or "throws". */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch {
    return "throws";
  }
}

const same = (a: unknown, b: unknown) => Object.is(a, b) || (a === "throws" && b === "throws");

beforeAll(() => {
  // The sandbox runs in UTC; so do the values built here.
  process.env.TZ = "UTC";
});

describe("the JavaScript judge against node:assert", () => {
  it("round-trips every primitive of the table exactly, and every object as plain data", () => {
    for (const source of values) {
      const [value, built] = [judged(source), build(source)];
      if (typeof built !== "object" || built === null)
        expect(Object.is(value, built), source).toBe(true);
      else expect(value, source).toHaveProperty("t");
    }
  });

  it("passes and fails each assert method exactly as node:assert does", () => {
    const mismatches: string[] = [];
    for (const method of methods)
      for (const a of values)
        for (const b of values) {
          const real = outcome(() => {
            (assert[method] as (actual: unknown, expected: unknown) => void)(build(a), build(b));
            return true;
          });
          const ours = assertionHolds(method, judged(a), judged(b));
          if ((real === true) !== ours) mismatches.push(`assert.${method}(${a}, ${b})`);
        }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it("applies every operator as the language does, throwing where it throws", () => {
    const mismatches: string[] = [];
    for (const op of operators)
      for (const a of values)
        for (const b of values) {
          const real = outcome(() => vm.runInContext(`(${a}) ${op} (${b})`, context));
          const ours = outcome(() => binary(op, judged(a), judged(b)));
          if (!same(real, ours))
            mismatches.push(`(${a}) ${op} (${b}): ${String(real)} vs ${String(ours)}`);
        }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it("computes !, unary - and +, Math.abs and assert.ok as the language does", () => {
    for (const a of values) {
      expect(truthy(judged(a)), `!!${a}`).toBe(Boolean(build(a)));
      expect(
        outcome(() => assertionHolds("ok", judged(a), undefined)),
        `ok(${a})`,
      ).toBe(
        outcome(() => {
          assert.ok(build(a));
          return true;
        }) === true,
      );
      for (const op of ["-", "+"] as const) {
        const real = outcome(() => vm.runInContext(`${op}(${a})`, context));
        expect(
          same(
            real,
            outcome(() => unary(op, judged(a))),
          ),
          `${op}(${a})`,
        ).toBe(true);
      }
      const real = outcome(() => vm.runInContext(`Math.abs(${a})`, context));
      expect(
        same(
          real,
          outcome(() => abs(judged(a))),
        ),
        `Math.abs(${a})`,
      ).toBe(true);
    }
  });
});

describe("values that are not plain data", () => {
  it.each([
    ["a function", "() => 1"],
    ["a symbol", "Symbol('s')"],
    ["a Proxy", "new Proxy({}, {})"],
    ["a Proxy", "new Proxy([1, 2], {})"],
    ["an instance of Point", "new (class Point { constructor() { this.x = 1 } })()"],
    ["an object with a getter", "({ get x() { return 1 } })"],
    ["a function", "({ valueOf() { return 9 } })"],
    ["a function", "({ toJSON() { return 9 } })"],
    ["an object with symbol keys", "({ [Symbol.toPrimitive]: () => 9 })"],
    ["an object with a null prototype", "Object.create(null)"],
    ["an object with hidden properties", "Object.defineProperty({}, 'x', { value: 1 })"],
    ["an array with holes or extra properties", "[1, , 3]"],
    ["an array with holes or extra properties", "Object.assign([1], { extra: 2 })"],
    ["an Error", "new Error('x')"],
    ["an instance of Number", "new Number(1)"],
    ["a value nested too deeply", "(() => { const a = []; a.push(a); return a })()"],
  ])("%s is reported as not plain: %s", (why, source) => {
    expect(() => encodeValue(build(source))).toThrow(why);
  });

  it("reads a Proxy without running any of its traps", () => {
    const calls = vm.runInContext(
      "globalThis.calls = []; new Proxy([], new Proxy({}, { get: (_, trap) => (...a) => { calls.push(trap); return Reflect[trap](...a) } }))",
      context,
    );
    expect(() => encodeValue(calls)).toThrow("a Proxy");
    expect(vm.runInContext("calls.length", context)).toBe(0);
  });
});
