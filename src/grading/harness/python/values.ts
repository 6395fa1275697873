/**
 * Python's plain values and what Python does with them, for the judge: equality across the
 * numeric tower (bool ⊂ int, exact int/float comparison), containers, sets and dicts keyed the
 * way Python hashes them, orderings, `in`, truthiness, + - * and a few built-ins.
 */

export type TypeName =
  | "NoneType"
  | "bool"
  | "int"
  | "float"
  | "str"
  | "list"
  | "tuple"
  | "dict"
  | "set"
  | "frozenset";

export type PyValue =
  | { t: "NoneType" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "str"; v: string }
  | { t: "list" | "tuple" | "set" | "frozenset"; v: PyValue[] }
  | { t: "dict"; v: [PyValue, PyValue][] }
  | { t: "type"; v: TypeName };

/** A Python exception the operation would raise (TypeError, OverflowError, …). */
export class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
  override toString() {
    return `${this.pyType}: ${this.message}`;
  }
}

const typeNames = new Set<string>([
  "NoneType",
  "bool",
  "int",
  "float",
  "str",
  "list",
  "tuple",
  "dict",
  "set",
  "frozenset",
]);
const maxDepth = 110;
/** Bigger results (repetition, huge products) are refused rather than computed. */
const maxResultItems = 1_000_000;
const maxIntBits = 4_000_000;
/** Items one decoded value may hold: the harness encodes at most 100 000. */
const maxDecodedItems = 200_000;
/** repr() of a float is at most 24 characters ("-2.2250738585072014e-308"). */
const maxFloatLength = 32;

export const none: PyValue = { t: "NoneType" };
export const bool = (v: boolean): PyValue => ({ t: "bool", v });
const int = (v: bigint): PyValue => ({ t: "int", v });
const float = (v: number): PyValue => ({ t: "float", v });

/**
 * The value the tagged JSON describes, or undefined when it is malformed, nested too deeply or
 * too large. Linear in the size of `raw`: it is what a student's process wrote.
 */
export function decodeValue(raw: unknown): PyValue | undefined {
  return decodeWithin(raw, 0, { items: maxDecodedItems });
}

function decodeWithin(raw: unknown, depth: number, budget: { items: number }): PyValue | undefined {
  budget.items--;
  if (!Array.isArray(raw) || depth > maxDepth || budget.items < 0) return undefined;
  const [tag, body] = raw as [unknown, unknown];
  switch (tag) {
    case "n":
      return none;
    case "b":
      return typeof body === "boolean" ? bool(body) : undefined;
    case "i":
      return typeof body === "string" ? decodeInt(body) : undefined;
    case "f":
      return typeof body === "string" ? decodeFloat(body) : undefined;
    case "s":
      return typeof body === "string" && !hasLoneSurrogate(body)
        ? { t: "str", v: body }
        : undefined;
    case "T":
      return typeof body === "string" && typeNames.has(body)
        ? { t: "type", v: body as TypeName }
        : undefined;
    case "l":
    case "t":
    case "S":
    case "F":
      return decodeItems(tag, body, depth, budget);
    case "d":
      return decodeDict(body, depth, budget);
    default:
      return undefined;
  }
}

function decodeInt(hex: string): PyValue | undefined {
  const negative = hex.startsWith("-");
  const digits = negative ? hex.slice(1) : hex;
  if (!/^[0-9a-f]{1,1000000}$/.test(digits)) return undefined;
  const magnitude = BigInt(`0x${digits}`);
  return int(negative ? -magnitude : magnitude);
}

function decodeFloat(text: string): PyValue | undefined {
  if (text === "nan") return float(Number.NaN);
  if (text === "inf") return float(Number.POSITIVE_INFINITY);
  if (text === "-inf") return float(Number.NEGATIVE_INFINITY);
  if (text.length > maxFloatLength || !/^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/.test(text))
    return undefined;
  return float(Number(text));
}

function decodeItems(
  tag: "l" | "t" | "S" | "F",
  body: unknown,
  depth: number,
  budget: { items: number },
) {
  if (!Array.isArray(body) || body.length > budget.items) return undefined;
  const items: PyValue[] = [];
  for (const raw of body) {
    const item = decodeWithin(raw, depth + 1, budget);
    if (!item) return undefined;
    items.push(item);
  }
  const t = ({ l: "list", t: "tuple", S: "set", F: "frozenset" } as const)[tag];
  if ((t === "set" || t === "frozenset") && !items.every(isHashable)) return undefined;
  return { t, v: items } as PyValue;
}

function decodeDict(body: unknown, depth: number, budget: { items: number }): PyValue | undefined {
  if (!Array.isArray(body) || body.length % 2 !== 0 || body.length > budget.items) return undefined;
  const pairs: [PyValue, PyValue][] = [];
  for (let index = 0; index < body.length; index += 2) {
    const key = decodeWithin(body[index], depth + 1, budget);
    const value = decodeWithin(body[index + 1], depth + 1, budget);
    if (!key || !value || !isHashable(key)) return undefined;
    pairs.push([key, value]);
  }
  return { t: "dict", v: pairs };
}

function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

export function typeName(value: PyValue): string {
  return value.t === "type" ? "type" : value.t;
}

const isNumber = (value: PyValue): value is Extract<PyValue, { t: "bool" | "int" | "float" }> =>
  value.t === "bool" || value.t === "int" || value.t === "float";

const asInt = (value: Extract<PyValue, { t: "bool" | "int" }>): bigint =>
  value.t === "bool" ? (value.v ? 1n : 0n) : value.v;

/** int → float as Python does: correctly rounded, OverflowError when too large. */
function toFloat(value: Extract<PyValue, { t: "bool" | "int" | "float" }>): number {
  if (value.t === "float") return value.v;
  const result = Number(asInt(value));
  if (!Number.isFinite(result))
    throw new PyException("OverflowError", "int too large to convert to float");
  return result;
}

/** Exact comparison of an int with a float (Python never rounds the int): -1, 0, 1, or NaN. */
function compareIntFloat(integer: bigint, real: number): number {
  if (Number.isNaN(real)) return Number.NaN;
  if (real === Number.POSITIVE_INFINITY) return -1;
  if (real === Number.NEGATIVE_INFINITY) return 1;
  const floor = Math.floor(real);
  const floorInt = BigInt(floor);
  if (integer < floorInt) return -1;
  if (integer > floorInt) return 1;
  return real === floor ? 0 : -1;
}

/** -1, 0, 1, or NaN when unordered (a NaN is involved). */
function compareNumbers(
  a: Extract<PyValue, { t: "bool" | "int" | "float" }>,
  b: Extract<PyValue, { t: "bool" | "int" | "float" }>,
): number {
  if (a.t !== "float" && b.t !== "float") {
    const [x, y] = [asInt(a), asInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.t === "float" && b.t === "float") {
    if (Number.isNaN(a.v) || Number.isNaN(b.v)) return Number.NaN;
    return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  }
  return a.t === "float"
    ? -compareIntFloat(asInt(b as Extract<PyValue, { t: "bool" | "int" }>), a.v)
    : compareIntFloat(asInt(a), (b as { v: number }).v);
}

/** Python's strings compare by code point; JavaScript's by UTF-16 unit. */
function compareStrings(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

const isSetLike = (value: PyValue): value is { t: "set" | "frozenset"; v: PyValue[] } =>
  value.t === "set" || value.t === "frozenset";

export function isHashable(value: PyValue): boolean {
  if (value.t === "list" || value.t === "dict" || value.t === "set") return false;
  if (value.t === "tuple") return value.v.every(isHashable);
  return true;
}

let nanKeys = 0;
/** Keys of containers are computed once per value: a report is judged in time linear in its size. */
const containerKeys = new WeakMap<object, string>();
const itemKeys = new WeakMap<PyValue[], Set<string>>();

/** Equal values (as Python's == and hash see them) get equal keys; NaN equals nothing. */
function hashKey(value: PyValue): string {
  if (value.t !== "tuple" && value.t !== "frozenset") return scalarKey(value);
  let key = containerKeys.get(value);
  if (key === undefined) {
    key =
      value.t === "tuple"
        ? `t(${value.v.map(hashKey).join(",")})`
        : `F{${[...keySet(value.v)].sort().join(",")}}`;
    containerKeys.set(value, key);
  }
  return key;
}

function scalarKey(value: PyValue): string {
  switch (value.t) {
    case "NoneType":
      return "N";
    case "bool":
      return value.v ? "n1" : "n0";
    // Hexadecimal: a huge int's decimal digits take superlinear time to compute.
    case "int":
      return `n${value.v.toString(16)}`;
    case "float":
      if (Number.isNaN(value.v)) return `nan${nanKeys++}`;
      return Number.isInteger(value.v) ? `n${BigInt(value.v).toString(16)}` : `f${value.v}`;
    case "str":
      return `s${JSON.stringify(value.v)}`;
    case "type":
      return `T${value.v}`;
    default:
      throw new PyException("TypeError", `unhashable type: '${value.t}'`);
  }
}

function keySet(items: PyValue[]): Set<string> {
  let keys = itemKeys.get(items);
  if (!keys) {
    keys = new Set(items.map(hashKey));
    itemKeys.set(items, keys);
  }
  return keys;
}

const pairKeys = new WeakMap<[PyValue, PyValue][], Map<string, PyValue>>();
function keyMap(pairs: [PyValue, PyValue][]): Map<string, PyValue> {
  let map = pairKeys.get(pairs);
  if (!map) {
    map = new Map(pairs.map(([key, value]) => [hashKey(key), value]));
    pairKeys.set(pairs, map);
  }
  return map;
}

export function equals(a: PyValue, b: PyValue): boolean {
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0;
  if (isSetLike(a) && isSetLike(b)) return sameKeys(keySet(a.v), keySet(b.v));
  if (a.t !== b.t) return false;
  switch (a.t) {
    case "NoneType":
      return true;
    case "str":
    case "type":
      return a.v === (b as typeof a).v;
    case "list":
    case "tuple": {
      const other = (b as typeof a).v;
      return (
        a.v.length === other.length &&
        a.v.every((item, index) => equals(item, other[index] as PyValue))
      );
    }
    case "dict": {
      const [x, y] = [keyMap(a.v), keyMap((b as typeof a).v)];
      if (x.size !== y.size) return false;
      for (const [key, value] of x) {
        const other = y.get(key);
        if (!other || !equals(value, other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function sameKeys(a: Set<string>, b: Set<string>) {
  return a.size === b.size && [...a].every((key) => b.has(key));
}

const subset = (a: Set<string>, b: Set<string>) => [...a].every((key) => b.has(key));

type Ordering = "<" | "<=" | ">" | ">=";

function holds(order: number, op: Ordering): boolean {
  if (Number.isNaN(order)) return false;
  return op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : order >= 0;
}

function ordered(op: Ordering, a: PyValue, b: PyValue): boolean {
  if (isNumber(a) && isNumber(b)) return holds(compareNumbers(a, b), op);
  if (a.t === "str" && b.t === "str") return holds(compareStrings(a.v, b.v), op);
  if ((a.t === "list" && b.t === "list") || (a.t === "tuple" && b.t === "tuple")) {
    const [x, y] = [a.v, (b as typeof a).v];
    const length = Math.min(x.length, y.length);
    for (let index = 0; index < length; index++) {
      const [left, right] = [x[index] as PyValue, y[index] as PyValue];
      if (!equals(left, right)) return ordered(op, left, right);
    }
    return holds(x.length - y.length, op);
  }
  if (isSetLike(a) && isSetLike(b)) {
    const [x, y] = [keySet(a.v), keySet(b.v)];
    if (op === "<=") return subset(x, y);
    if (op === ">=") return subset(y, x);
    if (op === "<") return x.size < y.size && subset(x, y);
    return y.size < x.size && subset(y, x);
  }
  throw new PyException(
    "TypeError",
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/**
 * Identity, as far as it can be known across processes: the singletons (None, True, False, the
 * types), and what CPython keeps one object of: small ints, '', () and one-character strings
 * below U+0100. Other identities are checked in the answer's process (see the planner).
 */
function identical(a: PyValue, b: PyValue): boolean {
  if (a.t !== b.t) return false;
  if (a.t === "NoneType") return true;
  if (a.t === "bool" || a.t === "type") return a.v === (b as typeof a).v;
  if (a.t === "int") return a.v === (b as typeof a).v && a.v >= -5n && a.v <= 256n;
  if (a.t === "str") return a.v === (b as typeof a).v && a.v.length <= 1 && a.v <= "\u00ff";
  if (a.t === "tuple") return a.v.length === 0 && (b as typeof a).v.length === 0;
  return false;
}

function contains(container: PyValue, item: PyValue): boolean {
  switch (container.t) {
    case "str":
      if (item.t !== "str")
        throw new PyException(
          "TypeError",
          `'in <string>' requires string as left operand, not ${typeName(item)}`,
        );
      return container.v.includes(item.v);
    case "list":
    case "tuple":
      return container.v.some((element) => equals(element, item));
    case "set":
    case "frozenset":
      // A set looks a set up as the frozenset of its items.
      return keySet(container.v).has(
        hashKey(item.t === "set" ? { t: "frozenset", v: item.v } : item),
      );
    case "dict":
      return keyMap(container.v).has(hashKey(item));
    default:
      throw new PyException(
        "TypeError",
        `argument of type '${typeName(container)}' is not iterable`,
      );
  }
}

export type Comparison = "==" | "!=" | Ordering | "in" | "not in" | "is" | "is not";

export function compare(op: Comparison, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case "==":
      return equals(a, b);
    case "!=":
      return !equals(a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    case "is":
      return identical(a, b);
    case "is not":
      return !identical(a, b);
    default:
      return ordered(op, a, b);
  }
}

export function truthy(value: PyValue): boolean {
  switch (value.t) {
    case "NoneType":
      return false;
    case "bool":
      return value.v;
    case "int":
      return value.v !== 0n;
    case "float":
      return value.v !== 0;
    case "str":
      return value.v.length > 0;
    case "type":
      return true;
    case "dict":
      return value.v.length > 0;
    default:
      return value.v.length > 0;
  }
}

const bitLength = (value: bigint) => (value < 0n ? -value : value).toString(16).length * 4;

function checkedInt(value: bigint): PyValue {
  if (bitLength(value) > maxIntBits)
    throw new PyException("MemoryError", "the result is too large");
  return int(value);
}

/** Python's index range: a repetition count outside it is an OverflowError, even for ''. */
const indexLimit = 2n ** 63n;

function repeat(sequence: PyValue, times: bigint): PyValue {
  if (times >= indexLimit || times < -indexLimit)
    throw new PyException("OverflowError", "cannot fit 'int' into an index-sized integer");
  const length = sequence.t === "str" ? sequence.v.length : (sequence as { v: PyValue[] }).v.length;
  const count = times > 0n && length > 0 ? Number(times) : 0;
  if (length * count > maxResultItems)
    throw new PyException("MemoryError", "the result is too large");
  if (sequence.t === "str") return { t: "str", v: sequence.v.repeat(count) };
  const items = (sequence as { v: PyValue[] }).v;
  return {
    t: sequence.t as "list" | "tuple",
    v: Array.from({ length: count }, () => items).flat(),
  };
}

export type Arithmetic = "+" | "-" | "*" | "/";

const bits = (value: bigint) => value.toString(2).length;

/** int / int as Python computes it: the exact quotient, correctly rounded to a float (subnormals too). */
function divideInts(a: bigint, b: bigint): number {
  if (b === 0n) throw new PyException("ZeroDivisionError", "division by zero");
  const negative = a < 0n !== b < 0n;
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  if (x === 0n) return negative ? -0 : 0;
  // 2 ** exponent <= x / y < 2 ** (exponent + 1)
  let exponent = bits(x) - bits(y);
  if (exponent >= 0 ? x < y << BigInt(exponent) : x << BigInt(-exponent) < y) exponent--;
  // The result's last bit: 53 significant bits, fewer below 2 ** -1022 (subnormals).
  const last = Math.max(exponent - 52, -1074);
  const [num, den] = last >= 0 ? [x, y << BigInt(last)] : [x << BigInt(-last), y];
  let quotient = num / den;
  const twiceRest = (num % den) * 2n;
  if (twiceRest > den || (twiceRest === den && (quotient & 1n) === 1n)) quotient++;
  // quotient has at most 54 bits and 2 ** last is exact: the product is the rounded result.
  const result = Number(quotient) * 2 ** last;
  if (!Number.isFinite(result))
    throw new PyException("OverflowError", "integer division result too large for a float");
  return negative ? -result : result;
}

function divide(
  a: Extract<PyValue, { t: "bool" | "int" | "float" }>,
  b: Extract<PyValue, { t: "bool" | "int" | "float" }>,
): PyValue {
  if (a.t !== "float" && b.t !== "float") return float(divideInts(asInt(a), asInt(b)));
  const [x, y] = [toFloat(a), toFloat(b)];
  if (y === 0) throw new PyException("ZeroDivisionError", "float division by zero");
  return float(x / y);
}

export function arithmetic(op: Arithmetic, a: PyValue, b: PyValue): PyValue {
  if (op === "/") {
    if (isNumber(a) && isNumber(b)) return divide(a, b);
    throw new PyException(
      "TypeError",
      `unsupported operand type(s) for /: '${typeName(a)}' and '${typeName(b)}'`,
    );
  }
  if (isNumber(a) && isNumber(b)) {
    if (a.t === "float" || b.t === "float") {
      const [x, y] = [toFloat(a), toFloat(b)];
      return float(op === "+" ? x + y : op === "-" ? x - y : x * y);
    }
    const [x, y] = [asInt(a), asInt(b)];
    if (op === "*" && bitLength(x) + bitLength(y) > maxIntBits)
      throw new PyException("MemoryError", "the result is too large");
    return checkedInt(op === "+" ? x + y : op === "-" ? x - y : x * y);
  }
  const sequence = (value: PyValue) =>
    value.t === "str" || value.t === "list" || value.t === "tuple";
  if (op === "+" && sequence(a) && a.t === b.t) {
    if (a.t === "str") return { t: "str", v: a.v + (b as typeof a).v };
    const items = [...(a as { v: PyValue[] }).v, ...(b as { v: PyValue[] }).v];
    if (items.length > maxResultItems)
      throw new PyException("MemoryError", "the result is too large");
    return { t: a.t as "list" | "tuple", v: items };
  }
  if (op === "-" && isSetLike(a) && isSetLike(b)) {
    const removed = keySet(b.v);
    return { t: a.t, v: a.v.filter((item) => !removed.has(hashKey(item))) };
  }
  if (op === "*" && sequence(a) && (b.t === "int" || b.t === "bool")) return repeat(a, asInt(b));
  if (op === "*" && sequence(b) && (a.t === "int" || a.t === "bool")) return repeat(b, asInt(a));
  throw new PyException(
    "TypeError",
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  );
}

export function unary(op: "-" | "+", value: PyValue): PyValue {
  if (value.t === "float") return float(op === "-" ? -value.v : value.v);
  if (value.t === "int" || value.t === "bool")
    return int(op === "-" ? -asInt(value) : asInt(value));
  throw new PyException("TypeError", `bad operand type for unary ${op}: '${typeName(value)}'`);
}

function isInstance(value: PyValue, classes: PyValue): boolean {
  if (classes.t === "tuple") return classes.v.some((entry) => isInstance(value, entry));
  if (classes.t !== "type")
    throw new PyException(
      "TypeError",
      "isinstance() arg 2 must be a type, a tuple of types, or a union",
    );
  return value.t === classes.v || (value.t === "bool" && classes.v === "int");
}

function realNumber(value: PyValue): number {
  if (!isNumber(value))
    throw new PyException("TypeError", `must be real number, not ${typeName(value)}`);
  return toFloat(value);
}

/** math.isclose, as CPython computes it. */
function isClose(a: PyValue, b: PyValue, relTol: PyValue, absTol: PyValue): boolean {
  const [x, y, rel, abs] = [a, b, relTol, absTol].map(realNumber) as [
    number,
    number,
    number,
    number,
  ];
  if (rel < 0 || abs < 0) throw new PyException("ValueError", "tolerances must be non-negative");
  if (x === y) return true;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  const difference = Math.abs(y - x);
  return difference <= Math.abs(rel * y) || difference <= Math.abs(rel * x) || difference <= abs;
}

function length(value: PyValue): number {
  switch (value.t) {
    case "str":
      return [...value.v].length;
    case "list":
    case "tuple":
      return value.v.length;
    case "set":
    case "frozenset":
      return keySet(value.v).size;
    case "dict":
      return keyMap(value.v).size;
    default:
      throw new PyException("TypeError", `object of type '${typeName(value)}' has no len()`);
  }
}

/** A finite float as mantissa × 2 ** exponent, exactly. */
function exactParts(value: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const sign = value < 0 || Object.is(value, -0) ? -1n : 1n;
  return [sign * mantissa, (biased === 0 ? 1 : biased) - 1075];
}

/** numerator / denominator (denominator > 0) rounded to an integer, ties to even. */
function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const twiceRest = (magnitude % denominator) * 2n;
  if (twiceRest > denominator || (twiceRest === denominator && (quotient & 1n) === 1n)) quotient++;
  return negative ? -quotient : quotient;
}

/** CPython's limits on ndigits for floats: beyond them the float is returned as is, or 0. */
const maxRoundDigits = 330;

/** round(x, ndigits) on a float, as CPython computes it: correctly rounded, ties to even. */
function roundFloat(value: number, digits: bigint | undefined): PyValue {
  if (digits === undefined) {
    if (Number.isNaN(value))
      throw new PyException("ValueError", "cannot convert float NaN to integer");
    if (!Number.isFinite(value))
      throw new PyException("OverflowError", "cannot convert float infinity to integer");
    const [mantissa, exponent] = exactParts(value);
    return int(
      exponent >= 0
        ? mantissa << BigInt(exponent)
        : roundHalfEven(mantissa, 1n << BigInt(-exponent)),
    );
  }
  if (!Number.isFinite(value) || value === 0 || digits > BigInt(maxRoundDigits))
    return float(value);
  if (digits < BigInt(-maxRoundDigits)) return float(value < 0 ? -0 : 0);
  const n = Number(digits);
  const [mantissa, exponent] = exactParts(value);
  const scale = 10n ** BigInt(Math.abs(n));
  const [up, down] = [
    exponent >= 0 ? 1n << BigInt(exponent) : 1n,
    exponent < 0 ? 1n << BigInt(-exponent) : 1n,
  ];
  const rounded =
    n >= 0
      ? roundHalfEven(mantissa * up * scale, down)
      : roundHalfEven(mantissa * up, down * scale);
  const result = Number(`${rounded}e${-n}`);
  if (!Number.isFinite(result))
    throw new PyException("OverflowError", "rounded value too large to represent");
  return float(result === 0 && value < 0 ? -0 : result);
}

function roundInt(value: bigint, digits: bigint | undefined): PyValue {
  if (digits === undefined || digits >= 0n) return int(value);
  // 10 ** -digits beyond twice the value rounds it to 0 (a tie too: 0 is even).
  if (-digits > BigInt(Math.ceil(bitLength(value) * Math.log10(2)) + 1)) return int(0n);
  const scale = 10n ** -digits;
  return int(roundHalfEven(value, scale) * scale);
}

function pyRound(value: PyValue, digits: PyValue | undefined): PyValue {
  let ndigits: bigint | undefined;
  if (digits !== undefined && digits.t !== "NoneType") {
    if (digits.t !== "int" && digits.t !== "bool")
      throw new PyException(
        "TypeError",
        `'${typeName(digits)}' object cannot be interpreted as an integer`,
      );
    ndigits = asInt(digits);
  }
  if (value.t === "float") return roundFloat(value.v, ndigits);
  if (value.t === "int" || value.t === "bool") return roundInt(asInt(value), ndigits);
  throw new PyException("TypeError", `type ${typeName(value)} doesn't define __round__ method`);
}

export type JudgedCall = "abs" | "len" | "type" | "isinstance" | "isclose" | "round";

/** A built-in the judge computes itself; `keywords` only for isclose (rel_tol, abs_tol); round
 * takes one or two arguments. */
export function callBuiltin(
  name: JudgedCall,
  args: PyValue[],
  keywords: Record<string, PyValue>,
): PyValue {
  const [first, second] = args as [PyValue, PyValue];
  switch (name) {
    case "abs":
      if (first.t === "float") return float(Math.abs(first.v));
      if (first.t === "int" || first.t === "bool") {
        const value = asInt(first);
        return int(value < 0n ? -value : value);
      }
      throw new PyException("TypeError", `bad operand type for abs(): '${typeName(first)}'`);
    case "len":
      return int(BigInt(length(first)));
    case "type":
      if (first.t === "type")
        throw new PyException("TypeError", "the type of a type is not plain data");
      return { t: "type", v: first.t };
    case "isinstance":
      return bool(isInstance(first, second));
    case "isclose":
      return bool(
        isClose(first, second, keywords.rel_tol ?? float(1e-9), keywords.abs_tol ?? float(0)),
      );
    case "round":
      return pyRound(first, args[1]);
  }
}
