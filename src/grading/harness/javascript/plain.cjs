"use strict";
/**
 * Plain values as tagged JSON. It runs inside the student's QuickJS context (evaluated before
 * any code of the answer or the tests, with the built-ins it uses taken then) and in the tests
 * (under Node, on values of a `vm` context). It reads a value without running any of the value's
 * code: no getter, Proxy trap, valueOf or toJSON is ever called. A value is plain when it is
 * undefined, null, a boolean, number, bigint or string, or an array, object, Map, Set, Date or
 * RegExp with exactly the realm's own prototype and nothing else on it (no getters, symbols,
 * hidden properties or holes). Anything else — a function, a symbol, a Proxy, a class instance,
 * an object with its own valueOf — is not plain, and the judge fails the case rather than
 * coerce it.
 *
 * Tags: ["u"] undefined, ["n"] null, ["b", bool], ["d", "1.5" | "NaN" | "-0" | "Infinity"],
 * ["i", "-7b"] bigint (hexadecimal, which the runner reads in linear time), ["s", text],
 * ["a", [items]], ["o", [key, value, key, value, ...]], ["M", [key, value, ...]], ["S", [items]],
 * ["D", time], ["R", source, flags].
 */

/**
 * The encoder of one realm: `prototypes` are its Object, Array, Map, Set, Date, RegExp, Error and
 * Function prototypes, `isProxy` tells its Proxies (both taken before any of the answer ran).
 */
function createEncoder(prototypes, isProxy) {
  const maxDepth = 100;
  const maxItems = 100_000;
  const { apply, getOwnPropertyDescriptor: describeOwn, getPrototypeOf, ownKeys } = Reflect;
  const { hasOwn, is } = Object;
  const bigIntText = BigInt.prototype.toString;
  const isArray = Array.isArray;
  const toText = String;
  const push = Array.prototype.push;
  const mapForEach = Map.prototype.forEach;
  const mapHas = Map.prototype.has;
  const setForEach = Set.prototype.forEach;
  const setHas = Set.prototype.has;
  const dateTime = Date.prototype.getTime;
  const regExpSource = describeOwn(RegExp.prototype, "source").get;
  const regExpFlags = describeOwn(RegExp.prototype, "flags").get;
  const boxedValueOf = [Number, String, Boolean, BigInt, Symbol].map(
    (maker) => maker.prototype.valueOf,
  );
  // A realm's built-ins may belong to another realm than these (the tests' `vm` contexts): each
  // check calls this realm's function on the value, which works across realms as the brand
  // checks do.
  const brand = (method, value) => {
    try {
      apply(method, value, [undefined]);
      return true;
    } catch {
      return false;
    }
  };
  const isBoxed = (value) => boxedValueOf.some((unbox) => brand(unbox, value));

  class NotPlain {
    constructor(message) {
      this.message = message;
    }
  }

  const numberText = (number) => (is(number, -0) ? "-0" : toText(number));

  /** The name of a constructor whose prototype this is, read without running anything. */
  function constructorName(prototype) {
    if (prototype === null) return "an object with a null prototype";
    if (isProxy(prototype)) return "an object with a Proxy prototype";
    const maker = describeOwn(prototype, "constructor")?.value;
    if (typeof maker !== "function" || isProxy(maker)) return "an object";
    const name = describeOwn(maker, "name")?.value;
    return typeof name === "string" && name ? `an instance of ${name}` : "an object";
  }

  /** Own data properties in order, or NotPlain for a getter, a symbol key or a hidden property. */
  function ownEntries(object, keys) {
    const entries = [];
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index];
      if (typeof key === "symbol") throw new NotPlain("an object with symbol keys");
      const descriptor = describeOwn(object, key);
      if (!descriptor || !hasOwn(descriptor, "value"))
        throw new NotPlain("an object with a getter");
      if (!descriptor.enumerable) throw new NotPlain("an object with hidden properties");
      apply(push, entries, [[key, descriptor.value]]);
    }
    return entries;
  }

  function arrayItems(array, keys) {
    const length = describeOwn(array, "length").value;
    if (keys.length !== length + 1 || keys[length] !== "length")
      throw new NotPlain("an array with holes or extra properties");
    const indices = [];
    for (let index = 0; index < length; index++) {
      if (keys[index] !== toText(index))
        throw new NotPlain("an array with holes or extra properties");
      indices[index] = keys[index];
    }
    const entries = ownEntries(array, indices);
    const items = [];
    for (let index = 0; index < length; index++) items[index] = entries[index][1];
    return items;
  }

  /** The value as tagged JSON, or NotPlain. */
  function encodeValue(value) {
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
          return ["i", apply(bigIntText, item, [16])];
        case "string":
          return ["s", item];
        case "symbol":
          throw new NotPlain("a symbol");
        case "function":
          throw new NotPlain("a function");
      }
      if (item === null) return ["n"];
      if (isProxy(item)) throw new NotPlain("a Proxy");
      const prototype = getPrototypeOf(item);
      const keys = ownKeys(item);
      const all = (children) => {
        const encoded = [];
        for (let index = 0; index < children.length; index++)
          encoded[index] = encode(children[index], depth + 1);
        return encoded;
      };
      if (prototype === prototypes.Array && isArray(item))
        return ["a", all(arrayItems(item, keys))];
      if (prototype === prototypes.Object && !isBoxed(item)) {
        const flat = [];
        const entries = ownEntries(item, keys);
        for (let index = 0; index < entries.length; index++)
          apply(push, flat, [entries[index][0], encode(entries[index][1], depth + 1)]);
        return ["o", flat];
      }
      if (
        prototype === prototypes.RegExp &&
        brand(regExpFlags, item) &&
        brand(regExpSource, item)
      ) {
        const lastIndex = describeOwn(item, "lastIndex")?.value;
        if (keys.length === 1 && lastIndex === 0)
          return ["R", apply(regExpSource, item, []), apply(regExpFlags, item, [])];
      }
      if (keys.length === 0) {
        if (prototype === prototypes.Map && brand(mapHas, item)) {
          const entries = [];
          apply(mapForEach, item, [
            (child, key) =>
              apply(push, entries, [encode(key, depth + 1), encode(child, depth + 1)]),
          ]);
          return ["M", entries];
        }
        if (prototype === prototypes.Set && brand(setHas, item)) {
          const entries = [];
          apply(setForEach, item, [(child) => apply(push, entries, [encode(child, depth + 1)])]);
          return ["S", entries];
        }
        if (prototype === prototypes.Date && brand(dateTime, item))
          return ["D", numberText(apply(dateTime, item, []))];
      }
      for (let above = prototype; above !== null && !isProxy(above); above = getPrototypeOf(above))
        if (above === prototypes.Error) throw new NotPlain("an Error");
      throw new NotPlain(constructorName(prototype));
    };
    return encode(value, 0);
  }

  /** The value's tagged JSON, or ["x", why] when it is not plain. */
  function encodeOutcome(value) {
    try {
      return encodeValue(value);
    } catch (error) {
      if (error instanceof NotPlain) return ["x", error.message];
      // A RangeError from a value too deep for the stack, say.
      return ["x", "a value that could not be read"];
    }
  }

  /**
   * An error class given to assert.throws, as the names of its constructor chain ["C", names]
   * (`TypeError` → ["TypeError", "Error"]); undefined for anything else.
   */
  function encodeErrorClass(value) {
    if (typeof value !== "function" || isProxy(value)) return undefined;
    const names = [];
    for (
      let maker = value;
      typeof maker === "function" && !isProxy(maker) && names.length < 50;
      maker = getPrototypeOf(maker)
    ) {
      if (maker === prototypes.Function) break;
      const prototype = describeOwn(maker, "prototype")?.value;
      const name = describeOwn(maker, "name")?.value;
      if (typeof name !== "string" || prototype === undefined) return undefined;
      apply(push, names, [name]);
      if (prototype === prototypes.Error) return ["C", names];
    }
    return undefined;
  }

  return { encodeValue, encodeOutcome, encodeErrorClass };
}

if (typeof module === "object") module.exports = { createEncoder };
