"use strict";
/**
 * Plain values as tagged JSON, for both sandboxed runs (prepended to run-steps.cjs) and the
 * tests. It runs in the sandboxed process's own realm and reads a value of the answer's realm
 * without running any of the value's code: no getter, Proxy trap, valueOf or toJSON is ever
 * called. A value is plain when it is undefined, null, a boolean, number, bigint or string, or an
 * array, object, Map, Set, Date or RegExp of the answer's realm with exactly that prototype and
 * nothing else on it (no getters, symbols, hidden properties or holes). Anything else — a
 * function, a symbol, a Proxy, a class instance, an object with its own valueOf — is not plain,
 * and the judge fails the case rather than coerce it.
 *
 * Tags: ["u"] undefined, ["n"] null, ["b", bool], ["d", "1.5" | "NaN" | "-0" | "Infinity"],
 * ["i", "-7b"] bigint (hexadecimal, which the runner reads in linear time), ["s", text],
 * ["a", [items]], ["o", [key, value, key, value, ...]], ["M", [key, value, ...]], ["S", [items]],
 * ["D", time], ["R", source, flags].
 */
const { types } = require("node:util");

const maxDepth = 100;
const maxItems = 100_000;

class NotPlain extends Error {}

const numberText = (number) => (Object.is(number, -0) ? "-0" : String(number));
const mapForEach = Map.prototype.forEach;
const setForEach = Set.prototype.forEach;
const dateTime = Date.prototype.getTime;
const regExpSource = Reflect.getOwnPropertyDescriptor(RegExp.prototype, "source").get;
const regExpFlags = Reflect.getOwnPropertyDescriptor(RegExp.prototype, "flags").get;

/** The name of a constructor whose prototype this is, read without running anything. */
function constructorName(prototype) {
  if (prototype === null) return "an object with a null prototype";
  if (types.isProxy(prototype)) return "an object with a Proxy prototype";
  const maker = Reflect.getOwnPropertyDescriptor(prototype, "constructor")?.value;
  if (typeof maker !== "function" || types.isProxy(maker)) return "an object";
  const name = Reflect.getOwnPropertyDescriptor(maker, "name")?.value;
  return typeof name === "string" && name ? `an instance of ${name}` : "an object";
}

/** Own data properties in order, or NotPlain for a getter, a symbol key or a hidden property. */
function ownEntries(object, keys) {
  return keys.map((key) => {
    if (typeof key === "symbol") throw new NotPlain("an object with symbol keys");
    const descriptor = Reflect.getOwnPropertyDescriptor(object, key);
    if (!descriptor || !("value" in descriptor)) throw new NotPlain("an object with a getter");
    if (!descriptor.enumerable) throw new NotPlain("an object with hidden properties");
    return [key, descriptor.value];
  });
}

function arrayItems(array, keys) {
  const length = Reflect.getOwnPropertyDescriptor(array, "length").value;
  const dense =
    keys.length === length + 1 &&
    keys[length] === "length" &&
    keys.every((key, index) => index === length || key === String(index));
  if (!dense) throw new NotPlain("an array with holes or extra properties");
  return ownEntries(array, keys.slice(0, length)).map(([, value]) => value);
}

/**
 * The value as tagged JSON, or NotPlain. `prototypes` are the answer realm's Object, Array, Map,
 * Set, Date and RegExp prototypes, taken before any of the answer ran.
 */
function encodeValue(value, prototypes) {
  let budget = maxItems;
  const encode = (item, depth) => {
    budget -= 1;
    if (depth > maxDepth || budget < 0)
      throw new NotPlain("a value nested too deeply or too large (or one that contains itself)");
    switch (typeof item) {
      case "undefined":
        return ["u"];
      case "boolean":
        return ["b", item];
      case "number":
        return ["d", numberText(item)];
      case "bigint":
        return ["i", item.toString(16)];
      case "string":
        return ["s", item];
      case "symbol":
        throw new NotPlain("a symbol");
      case "function":
        throw new NotPlain("a function");
    }
    if (item === null) return ["n"];
    if (types.isProxy(item)) throw new NotPlain("a Proxy");
    const prototype = Reflect.getPrototypeOf(item);
    const keys = Reflect.ownKeys(item);
    const inner = (child) => encode(child, depth + 1);
    if (prototype === prototypes.Array && Array.isArray(item))
      return ["a", arrayItems(item, keys).map(inner)];
    if (prototype === prototypes.Object && !types.isBoxedPrimitive(item))
      return ["o", ownEntries(item, keys).flatMap(([key, child]) => [key, inner(child)])];
    if (prototype === prototypes.RegExp && types.isRegExp(item)) {
      const lastIndex = Reflect.getOwnPropertyDescriptor(item, "lastIndex")?.value;
      if (keys.length === 1 && lastIndex === 0)
        return ["R", regExpSource.call(item), regExpFlags.call(item)];
    }
    if (keys.length === 0) {
      if (prototype === prototypes.Map && types.isMap(item)) {
        const entries = [];
        mapForEach.call(item, (child, key) => entries.push(inner(key), inner(child)));
        return ["M", entries];
      }
      if (prototype === prototypes.Set && types.isSet(item)) {
        const entries = [];
        setForEach.call(item, (child) => entries.push(inner(child)));
        return ["S", entries];
      }
      if (prototype === prototypes.Date && types.isDate(item))
        return ["D", numberText(dateTime.call(item))];
    }
    if (types.isNativeError(item)) throw new NotPlain("an Error");
    throw new NotPlain(constructorName(prototype));
  };
  return encode(value, 0);
}

/** The value's tagged JSON, or ["x", why] when it is not plain. */
function encodeOutcome(value, prototypes) {
  try {
    return encodeValue(value, prototypes);
  } catch (error) {
    if (error instanceof NotPlain) return ["x", error.message];
    // A RangeError from a value too deep for this process's stack, say.
    return ["x", "a value that could not be read"];
  }
}

/**
 * An error class given to assert.throws, as the names of its constructor chain ["C", names]
 * (`TypeError` → ["TypeError", "Error"]); undefined for anything else.
 */
function encodeErrorClass(value, prototypes) {
  if (typeof value !== "function" || types.isProxy(value)) return undefined;
  const names = [];
  for (
    let maker = value;
    typeof maker === "function" && !types.isProxy(maker) && names.length < 50;
    maker = Reflect.getPrototypeOf(maker)
  ) {
    if (maker === prototypes.Function) break;
    const prototype = Reflect.getOwnPropertyDescriptor(maker, "prototype")?.value;
    const name = Reflect.getOwnPropertyDescriptor(maker, "name")?.value;
    if (typeof name !== "string" || prototype === undefined) return undefined;
    names.push(name);
    if (prototype === prototypes.Error) return ["C", names];
  }
  return undefined;
}

if (typeof module === "object") module.exports = { encodeValue, encodeOutcome, encodeErrorClass };
