/**
 * JavaScript's plain values and what node:assert and the operators do with them, for the judge.
 * Primitives are the runner's own primitives (so their operators are the language's, run on data
 * that has no code); arrays, objects, Maps, Sets, Dates and RegExps are tagged data, converted the
 * way the language converts them (ToPrimitive, Array.prototype.toString, …). Objects reported by
 * two runs are never the same object: `==`, `===` and Object.is between two of them are false, as
 * they are in a program for two objects built apart.
 */
import type { AssertMethod, BinaryOperator } from "./plan";

export type JsObject =
  | { t: "array"; v: JsValue[] }
  | { t: "object"; v: [string, JsValue][] }
  | { t: "map"; v: [JsValue, JsValue][] }
  | { t: "set"; v: JsValue[] }
  | { t: "date"; v: number }
  | { t: "regexp"; source: string; flags: string };

export type JsValue = undefined | null | boolean | number | bigint | string | JsObject;

/** An exception the operation would throw (a TypeError mixing BigInt and number, say). */
export class JsException extends Error {}

const maxDepth = 110;
const maxBigIntBits = 4_000_000;
const maxBigIntDigits = maxBigIntBits / 4;

export const isObject = (value: JsValue): value is JsObject =>
  typeof value === "object" && value !== null;

type Decoded = { ok: true; value: JsValue } | { ok: false };
const failed: Decoded = { ok: false };
const ok = (value: JsValue): Decoded => ({ ok: true, value });

const numberText = (number: number) => (Object.is(number, -0) ? "-0" : String(number));

function decodeNumber(text: unknown): number | undefined {
  if (typeof text !== "string" || text.length > 30) return undefined;
  const number = Number(text);
  return numberText(number) === text ? number : undefined;
}

/** A bigint from its hexadecimal digits (read in linear time, unlike decimal ones). */
function decodeBigInt(text: unknown): bigint | undefined {
  if (typeof text !== "string") return undefined;
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  if (digits.length > maxBigIntDigits || !/^[0-9a-f]+$/.test(digits)) return undefined;
  const magnitude = BigInt(`0x${digits}`);
  return negative ? -magnitude : magnitude;
}

/** The value the tagged JSON describes (see plain.cjs), or not ok when it is malformed. */
export function decodeValue(raw: unknown, depth = 0): Decoded {
  if (!Array.isArray(raw) || depth > maxDepth) return failed;
  const [tag, body, extra] = raw as [unknown, unknown, unknown];
  const items = (list: unknown) => decodeItems(list, depth);
  switch (tag) {
    case "u":
      return ok(undefined);
    case "n":
      return ok(null);
    case "b":
      return typeof body === "boolean" ? ok(body) : failed;
    case "d": {
      const number = decodeNumber(body);
      return number === undefined ? failed : ok(number);
    }
    case "i": {
      const bigint = decodeBigInt(body);
      return bigint === undefined ? failed : ok(bigint);
    }
    case "s":
      return typeof body === "string" ? ok(body) : failed;
    case "a": {
      const values = items(body);
      return values ? ok({ t: "array", v: values }) : failed;
    }
    case "S": {
      const values = items(body);
      return values ? ok({ t: "set", v: values }) : failed;
    }
    case "o":
      return decodeObject(body, depth);
    case "M": {
      const values = items(body);
      if (!values || values.length % 2 !== 0) return failed;
      const pairs: [JsValue, JsValue][] = [];
      for (let index = 0; index < values.length; index += 2)
        pairs.push([values[index], values[index + 1]]);
      return ok({ t: "map", v: pairs });
    }
    case "D": {
      const time = decodeNumber(body);
      return time === undefined ? failed : ok({ t: "date", v: time });
    }
    case "R":
      return typeof body === "string" && typeof extra === "string" && /^[dgimsuvy]*$/.test(extra)
        ? ok({ t: "regexp", source: body, flags: extra })
        : failed;
    default:
      return failed;
  }
}

function decodeItems(list: unknown, depth: number): JsValue[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const values: JsValue[] = [];
  for (const raw of list) {
    const item = decodeValue(raw, depth + 1);
    if (!item.ok) return undefined;
    values.push(item.value);
  }
  return values;
}

function decodeObject(list: unknown, depth: number): Decoded {
  if (!Array.isArray(list) || list.length % 2 !== 0) return failed;
  const entries: [string, JsValue][] = [];
  const keys = new Set<string>();
  for (let index = 0; index < list.length; index += 2) {
    const key: unknown = list[index];
    const value = decodeValue(list[index + 1], depth + 1);
    if (typeof key !== "string" || keys.has(key) || !value.ok) return failed;
    keys.add(key);
    entries.push([key, value.value]);
  }
  return ok({ t: "object", v: entries });
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (number: number, width = 2) => String(number).padStart(width, "0");

/** Date.prototype.toString in UTC, the sandbox's time zone. */
function dateText(time: number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return "Invalid Date";
  const year = date.getUTCFullYear();
  const yearText = year < 0 ? `-${pad(-year, 6)}` : pad(year, 4);
  return `${weekdays[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${pad(date.getUTCDate())} ${yearText} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT+0000 (Coordinated Universal Time)`;
}

type Primitive = Exclude<JsValue, JsObject>;

/** ToString of a value inside an array being joined (null and undefined are empty). */
function joinedItem(value: JsValue, depth: number): string {
  if (value === null || value === undefined) return "";
  return String(toPrimitive(value, "string", depth + 1));
}

/** ToPrimitive, as the language does it for plain data. */
export function toPrimitive(
  value: JsValue,
  hint: "default" | "number" | "string",
  depth = 0,
): Primitive {
  if (!isObject(value)) return value;
  if (depth > maxDepth) throw new JsException("RangeError: Maximum call stack size exceeded");
  switch (value.t) {
    case "array":
      return value.v.map((item) => joinedItem(item, depth)).join(",");
    case "object":
      return "[object Object]";
    case "map":
      return "[object Map]";
    case "set":
      return "[object Set]";
    case "date":
      return hint === "number" ? value.v : dateText(value.v);
    case "regexp":
      return `/${value.source}/${value.flags}`;
  }
}

export const truthy = (value: JsValue): boolean => isObject(value) || Boolean(value);

/** `==`: two objects are equal only when they are one object, which two reports never are. */
export function looseEqual(a: JsValue, b: JsValue): boolean {
  if (isObject(a) && isObject(b)) return false;
  if (!isObject(a) && !isObject(b)) {
    // biome-ignore lint/suspicious/noDoubleEquals: the language's loose equality, on primitives
    return a == b;
  }
  const [object, other] = (isObject(a) ? [a, b] : [b, a]) as [JsObject, Primitive];
  if (other === null || other === undefined) return false;
  return looseEqual(toPrimitive(object, "default"), other);
}

export function strictEqual(a: JsValue, b: JsValue): boolean {
  return !isObject(a) && !isObject(b) && a === b;
}

export function sameValue(a: JsValue, b: JsValue): boolean {
  return !isObject(a) && !isObject(b) && Object.is(a, b);
}

/** node:assert's deepStrictEqual (util.isDeepStrictEqual) on plain data. */
export function deepStrictEqual(a: JsValue, b: JsValue): boolean {
  if (!isObject(a) || !isObject(b)) return sameValue(a, b);
  return deepKey(a) === deepKey(b);
}

let invalidDates = 0;
const deepKeys = new WeakMap<JsObject, string>();

/**
 * Equal keys for values deepStrictEqual calls equal, and only for them: numbers by Object.is,
 * object keys in any order, Maps and Sets as multisets of their entries (a primitive key or item
 * is found by SameValueZero, which Object.is matches inside a Map or Set: they hold no -0). An
 * invalid Date equals nothing. Computed once per value, so judging stays linear in its size.
 */
function deepKey(value: JsValue, depth = 0): string {
  if (!isObject(value)) {
    if (typeof value === "string") return `s${JSON.stringify(value)}`;
    if (typeof value === "number") return `d${numberText(value)}`;
    if (typeof value === "bigint") return `i${value.toString(16)}`;
    return String(value);
  }
  let key = deepKeys.get(value);
  if (key !== undefined) return key;
  if (depth > maxDepth) throw new JsException("RangeError: Maximum call stack size exceeded");
  const inner = (child: JsValue) => deepKey(child, depth + 1);
  const sorted = (keys: string[]) => keys.sort().join(",");
  switch (value.t) {
    case "array":
      key = `a[${value.v.map(inner).join(",")}]`;
      break;
    case "object":
      key = `o{${sorted(value.v.map(([name, child]) => `${JSON.stringify(name)}:${inner(child)}`))}}`;
      break;
    case "map":
      key = `M{${sorted(value.v.map(([name, child]) => `${inner(name)}:${inner(child)}`))}}`;
      break;
    case "set":
      key = `S{${sorted(value.v.map(inner))}}`;
      break;
    case "date":
      key = Number.isNaN(value.v) ? `D!${invalidDates++}` : `D${value.v}`;
      break;
    case "regexp":
      key = `R${JSON.stringify([value.source, value.flags])}`;
      break;
  }
  deepKeys.set(value, key);
  return key;
}

const bothNaN = (a: JsValue, b: JsValue) => Number.isNaN(a) && Number.isNaN(b);

/** Whether node:assert's method passes for these values (NaN equals NaN for equal, as there). */
export function assertionHolds(
  method: Exclude<AssertMethod, "throws">,
  actual: JsValue,
  expected: JsValue,
): boolean {
  switch (method) {
    case "ok":
      return truthy(actual);
    case "equal":
      return looseEqual(actual, expected) || bothNaN(actual, expected);
    case "notEqual":
      return !(looseEqual(actual, expected) || bothNaN(actual, expected));
    case "strictEqual":
      return sameValue(actual, expected);
    case "notStrictEqual":
      return !sameValue(actual, expected);
    case "deepStrictEqual":
      return deepStrictEqual(actual, expected);
  }
}

const bitLength = (value: bigint) => (value < 0n ? -value : value).toString(16).length * 4;

/** A binary operator as the language applies it to plain data. */
export function binary(op: BinaryOperator, a: JsValue, b: JsValue): JsValue {
  switch (op) {
    case "==":
      return looseEqual(a, b);
    case "!=":
      return !looseEqual(a, b);
    case "===":
      return strictEqual(a, b);
    case "!==":
      return !strictEqual(a, b);
  }
  const hint = op === "+" ? "default" : "number";
  const [x, y] = [toPrimitive(a, hint), toPrimitive(b, hint)] as [Primitive, Primitive];
  if (typeof x === "bigint" && typeof y === "bigint") guardBigInt(op, x, y);
  return languageOperator(op, x, y);
}

function guardBigInt(op: BinaryOperator, x: bigint, y: bigint) {
  const tooLarge =
    (op === "*" && bitLength(x) + bitLength(y) > maxBigIntBits) ||
    (op === "**" &&
      y > 1n &&
      x !== 0n &&
      x !== 1n &&
      x !== -1n &&
      BigInt(bitLength(x)) * y > BigInt(maxBigIntBits));
  if (tooLarge) throw new JsException("RangeError: the result is too large to judge");
}

/** The operator itself, on primitives (which run no code of anyone's). */
function languageOperator(op: BinaryOperator, x: Primitive, y: Primitive): JsValue {
  // biome-ignore lint/suspicious/noExplicitAny: the language's own operators take any primitive
  const [p, q] = [x, y] as [any, any];
  try {
    switch (op) {
      case "<":
        return p < q;
      case "<=":
        return p <= q;
      case ">":
        return p > q;
      case ">=":
        return p >= q;
      case "+":
        return p + q;
      case "-":
        return p - q;
      case "*":
        return p * q;
      case "/":
        return p / q;
      case "%":
        return p % q;
      default:
        return p ** q;
    }
  } catch (error) {
    throw new JsException(String(error));
  }
}

export function unary(op: "-" | "+", value: JsValue): JsValue {
  const primitive = toPrimitive(value, "number");
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the language's own operators take any primitive
    return op === "-" ? -(primitive as any) : +(primitive as any);
  } catch (error) {
    throw new JsException(String(error));
  }
}

export function abs(value: JsValue): JsValue {
  const primitive = toPrimitive(value, "number");
  if (typeof primitive === "bigint")
    throw new JsException("TypeError: Cannot convert a BigInt value to a number");
  return Math.abs(primitive as number);
}
