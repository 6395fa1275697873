// Evaluated in the fresh QuickJS context of both sandboxed runs, after plain.cjs and before any
// code of the tests or the answer: the globals a script expects beyond the language's own
// (console, assert), a Proxy constructor that remembers its Proxies (QuickJS offers no other way
// to tell one), and the harness's helpers, which it returns to the runner (quickjs-run.mjs) and
// never puts where the answer can reach them. It takes the built-ins it uses before the answer
// runs. Nothing here is a secret or decides a grade: an answer that changes what it can reach
// only changes its own error texts and reported values. `host` holds the runner's functions
// (print), given as the global `__host` and removed here.
(() => {
  const host = globalThis.__host;
  delete globalThis.__host;
  const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf, keys } = Object;
  const { apply } = Reflect;
  const { is } = Object;
  const bothNaN = (a, b) =>
    Number.isNaN(a) && Number.isNaN(b) && typeof a === "number" && typeof b === "number";
  const hasOwn = Object.hasOwn;
  const stringify = JSON.stringify;
  const toText = String;
  const { slice } = String.prototype;
  /** A text's first `length` characters, cut in here so a long one is never copied out whole. */
  const prefix = (text, length) => apply(slice, text, [0, length]);

  const RealProxy = Proxy;
  const proxies = new WeakSet();
  const { add: remember, has: remembered } = WeakSet.prototype;
  const isProxy = (value) => apply(remembered, proxies, [value]);
  const track = (proxy) => {
    apply(remember, proxies, [proxy]);
    return proxy;
  };
  function TrackedProxy(target, handler) {
    if (new.target === undefined) throw new TypeError("Constructor Proxy requires 'new'");
    return track(new RealProxy(target, handler));
  }
  defineProperty(TrackedProxy, "revocable", {
    value: function revocable(target, handler) {
      const made = RealProxy.revocable(target, handler);
      track(made.proxy);
      return made;
    },
    writable: true,
    configurable: true,
  });
  defineProperty(TrackedProxy, "name", { value: "Proxy" });

  const show = (value) => {
    try {
      return typeof value === "string" ? value : toText(value);
    } catch {
      return "[value]";
    }
  };
  // The runner counts what is printed and stops the run past the output limit.
  const hostPrint = host.print;
  const print = (...values) => {
    let line = "";
    for (let index = 0; index < values.length; index++)
      line += (index ? " " : "") + show(values[index]);
    hostPrint(`${line}\n`);
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
    ["Proxy", TrackedProxy],
  ])
    defineProperty(globalThis, name, { value, writable: true, configurable: true });

  /** A thrown value as text: an error's name, message and stack, or what was thrown. */
  const describe = (thrown) => {
    try {
      if (thrown !== null && (typeof thrown === "object" || typeof thrown === "function")) {
        const stack = thrown.stack;
        if (typeof stack === "string" && stack) return `${toText(thrown)}\n${stack}`;
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
    return { chain, text, props };
  };

  const encoder = createEncoder(
    {
      Object: Object.prototype,
      Array: Array.prototype,
      Map: Map.prototype,
      Set: Set.prototype,
      Date: Date.prototype,
      RegExp: RegExp.prototype,
      Error: Error.prototype,
      Function: Function.prototype,
    },
    isProxy,
  );
  /** A value's tagged JSON as text (an error class's chain first, for "c"). */
  const encode = (value, asErrorClass) =>
    stringify((asErrorClass && encoder.encodeErrorClass(value)) || encoder.encodeOutcome(value));
  /** Calls fn: [0] when it returns, [1, facts] when it throws, [2] when it isn't a function. */
  const callAndCatch = (fn) => {
    if (typeof fn !== "function") return stringify([2]);
    try {
      fn();
    } catch (thrown) {
      return stringify([1, facts(thrown)]);
    }
    return stringify([0]);
  };
  return { describe, encode, callAndCatch, prefix };
})();
