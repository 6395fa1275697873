// Evaluated inside the fresh context of both sandboxed runs, before any code of the tests or the
// answer: the globals a script expects beyond the language's own (console, assert), and the
// harness's helpers, which it returns. The sandboxed program only ever passes strings and the
// context's own values to these helpers and reads strings back, so no object of the program's
// realm reaches the answer. Nothing here is a secret or decides a grade: the answer may change
// any of it, and only its own error texts and reported values would change.
(() => {
  const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf, keys } = Object;
  const { is } = Object;
  const bothNaN = (a, b) =>
    Number.isNaN(a) && Number.isNaN(b) && typeof a === "number" && typeof b === "number";
  const hasOwn = Object.hasOwn;
  const stringify = JSON.stringify;
  const toText = String;

  // Stacks are read outside this realm; a hook here must not see them.
  defineProperty(Error, "prepareStackTrace", {
    value: undefined,
    writable: false,
    enumerable: false,
    configurable: false,
  });
  defineProperty(globalThis, "Error", { writable: false, configurable: false });

  const outputLimit = 64 * 1024 + 1;
  let output = "";
  const show = (value) => {
    try {
      return typeof value === "string" ? value : toText(value);
    } catch {
      return "[value]";
    }
  };
  const print = (...values) => {
    if (output.length >= outputLimit) return;
    let line = "";
    for (let index = 0; index < values.length; index++)
      line += (index ? " " : "") + show(values[index]);
    output += `${line}\n`.slice(0, outputLimit - output.length);
  };
  const console = {};
  for (const name of ["log", "info", "debug", "warn", "error", "trace", "dir", "table"])
    console[name] = print;

  class AssertionError extends Error {
    constructor(message) {
      super(message);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
    }
  }
  const fail = (message, fallback) => {
    if (message instanceof Error) throw message;
    throw new AssertionError(message === undefined ? fallback : toText(message));
  };
  // node:assert's deepStrictEqual, for asserts that are not cases of their own (inside a loop or
  // a function): they run in the answer's process, whose verdict is never trusted.
  const deepEqual = (a, b, depth) => {
    if (is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (depth > 200 || getPrototypeOf(a) !== getPrototypeOf(b)) return false;
    if (a instanceof Date && !is(a.getTime(), b.getTime())) return false;
    if (a instanceof Map || a instanceof Set) {
      if (a.size !== b.size) return false;
      const rest = [...b];
      for (const item of a) {
        const found = rest.findIndex((other) =>
          a instanceof Map
            ? deepEqual(item[0], other[0], depth + 1) && deepEqual(item[1], other[1], depth + 1)
            : deepEqual(item, other, depth + 1),
        );
        if (found < 0) return false;
        rest.splice(found, 1);
      }
    }
    const own = keys(a);
    if (own.length !== keys(b).length) return false;
    return own.every((key) => hasOwn(b, key) && deepEqual(a[key], b[key], depth + 1));
  };
  const assert = (value, message) => assert.ok(value, message);
  Object.assign(assert, {
    AssertionError,
    fail: (message) => fail(message, "Failed"),
    ok: (value, message) => value || fail(message, "The expression evaluated to a falsy value"),
    // biome-ignore lint/suspicious/noDoubleEquals: node:assert's equal is loose equality
    equal: (a, b, message) => a == b || bothNaN(a, b) || fail(message, "Not equal"),
    notEqual: (a, b, message) =>
      // biome-ignore lint/suspicious/noDoubleEquals: node:assert's notEqual is loose inequality
      (a != b && !bothNaN(a, b)) || fail(message, "Equal"),
    strictEqual: (a, b, message) => is(a, b) || fail(message, "Not strictly equal"),
    notStrictEqual: (a, b, message) => !is(a, b) || fail(message, "Strictly equal"),
    deepStrictEqual: (a, b, message) => deepEqual(a, b, 0) || fail(message, "Not deep equal"),
    notDeepStrictEqual: (a, b, message) => !deepEqual(a, b, 0) || fail(message, "Deep equal"),
    throws: (fn, expected, message) => {
      try {
        fn();
      } catch (thrown) {
        if (typeof expected === "function" && expected.prototype !== undefined) {
          if (!(thrown instanceof expected)) throw thrown;
        } else if (expected instanceof RegExp && !expected.test(toText(thrown))) {
          fail(message, "The error does not match");
        }
        return;
      }
      fail(typeof expected === "string" ? expected : message, "Missing expected exception.");
    },
  });
  for (const [name, value] of [
    ["console", console],
    ["assert", assert],
  ])
    defineProperty(globalThis, name, { value, writable: true, configurable: true });

  /** What the answer printed since the last call. */
  const drain = () => {
    const text = output;
    output = "";
    return text;
  };

  /** A thrown value as text: an error's stack, or what was thrown. */
  const describe = (thrown) => {
    try {
      if (thrown !== null && (typeof thrown === "object" || typeof thrown === "function")) {
        const stack = thrown.stack;
        if (typeof stack === "string" && stack) return stack;
      }
      return `Uncaught ${typeof thrown === "string" ? stringify(thrown) : toText(thrown)}`;
    } catch {
      return "Uncaught exception (it could not be described)";
    }
  };

  /**
   * What assert.throws judges about a thrown value, as JSON: the names of its constructors, its
   * text (String(error), which a RegExp is tested against) and its plain properties.
   */
  const facts = (thrown) => {
    const chain = [];
    const props = {};
    let text = "";
    try {
      text = toText(thrown);
    } catch {
      // A value whose conversion throws has no text.
    }
    try {
      if (thrown !== null && (typeof thrown === "object" || typeof thrown === "function")) {
        for (
          let prototype = getPrototypeOf(thrown);
          prototype !== null && chain.length < 50;
          prototype = getPrototypeOf(prototype)
        ) {
          const name = getOwnPropertyDescriptor(prototype, "constructor")?.value?.name;
          if (typeof name === "string") chain.push(name);
        }
        for (const key of new Set(["name", "message", "code", ...keys(thrown)])) {
          const value = thrown[key];
          if (["string", "number", "boolean"].includes(typeof value)) props[key] = value;
        }
      }
    } catch {
      // What could be read is reported.
    }
    return stringify({ chain, text, props });
  };

  return {
    drain,
    describe,
    facts,
    makeError: (message) => new TypeError(message),
    prototypes: {
      Object: Object.prototype,
      Array: Array.prototype,
      Map: Map.prototype,
      Set: Set.prototype,
      Date: Date.prototype,
      RegExp: RegExp.prototype,
      Error: Error.prototype,
      Function: Function.prototype,
    },
  };
})();
