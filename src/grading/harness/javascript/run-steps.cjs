// The sandboxed program of both runs, after plain.cjs and `PRELUDE` (context-prelude.js's source).
//
// The teacher-only run gets no answer and the steps that compute the expected values; the
// student's run gets the answer and the steps the runner planned for it (the tests' inputs and
// the operands that depend on the answer). Neither decides anything: each step's outcome is
// reported as plain data, and the runner judges outside this process.
//
// Everything the answer or the tests run is evaluated in a fresh context (`vm`, with no object of
// this realm in it: the language's built-ins, console and assert, and no require, process,
// import(), timers or Buffer). That is for a clean script scope, not for isolation — the sandbox
// around this process is the boundary (and Node's permission model inside it). This program only
// hands strings to the context and reads its values with this realm's built-ins.
//
// Input (stdin): JSON {"code": answer, "steps": [[kind, id, line, column, source], ...]}, kinds:
// "x" run a statement, "v" report an expression's value, "s" report an expression as text,
// "t" report what calling a function throws, "c" report an assert.throws matcher.
// Output: JSON arrays, one per line, on file descriptor 3: ["start"], then ["a", error] when the
// answer failed, ["x", id, error] when a statement threw, [kind, id, outcome] for the others, and
// ["done"]. What the code prints goes to stdout (only its size counts).
/* global PRELUDE, encodeOutcome, encodeErrorClass */
const fs = require("node:fs");
const vm = require("node:vm");

const report = (frame) => fs.writeSync(3, `${JSON.stringify(frame)}\n`);

/** An error of this realm (a syntax error): its text without this program's frames. */
function hostErrorText(error) {
  const stack = typeof error?.stack === "string" ? error.stack : String(error);
  return withoutHarnessFrames(stack);
}

function withoutHarnessFrames(stack) {
  return stack
    .split("\n")
    .filter((line) => !/^\s+at /.test(line) || /<(answer|tests)>:/.test(line))
    .join("\n")
    .trim();
}

function createRealm() {
  let prelude;
  const importModuleDynamically = () => {
    throw prelude.makeError("import() is not available here");
  };
  const context = vm.createContext(vm.constants.DONT_CONTEXTIFY, {
    microtaskMode: "afterEvaluate",
    importModuleDynamically,
    codeGeneration: { strings: true, wasm: false },
  });
  const made = new vm.Script(PRELUDE, {
    filename: "<prelude>",
    importModuleDynamically,
  }).runInContext(context);
  prelude = {
    drain: made.drain,
    describe: made.describe,
    facts: made.facts,
    makeError: made.makeError,
    prototypes: { ...made.prototypes },
  };

  /** Runs source in the context: {value} or {raised: text}. What it printed goes to stdout. */
  const run = (source, filename, line, column) => {
    let script;
    try {
      script = new vm.Script(source, {
        filename,
        lineOffset: line - 1,
        columnOffset: Math.max(0, column),
        importModuleDynamically,
      });
    } catch (error) {
      return { raised: hostErrorText(error) };
    }
    try {
      return { value: script.runInContext(context, { displayErrors: false }) };
    } catch (thrown) {
      const text = prelude.describe(thrown);
      return {
        raised: withoutHarnessFrames(typeof text === "string" ? text : "Uncaught exception"),
      };
    } finally {
      const printed = prelude.drain();
      if (typeof printed === "string" && printed) fs.writeSync(1, printed);
    }
  };
  return { run, prelude };
}

/** An expression's value, evaluated where its source is in the tests. */
const evaluate = (realm, line, column, source) =>
  realm.run(`(${source}\n)`, "<tests>", line, column - 1);

/** An expression's text, as a template literal converts it (what a message shows). */
function textOf(realm, line, column, source) {
  const converted = realm.run(`\`\${(${source}\n)}\``, "<tests>", line, column - 4);
  return "raised" in converted ? converted.raised : converted.value.slice(0, 4096);
}

const item = (array, index) => Reflect.getOwnPropertyDescriptor(array, index)?.value;
const callAndCatch =
  '((fn) => { if (typeof fn !== "function") return [2]; try { fn(); } catch (thrown) { return [1, thrown]; } return [0]; })(';

/** Calls the function an expression evaluates to: ["T", 0] when it returns, ["T", 1, facts] when it throws. */
function thrownOutcome(realm, line, column, source) {
  const called = realm.run(
    `${callAndCatch}${source}\n)`,
    "<tests>",
    line,
    column - callAndCatch.length,
  );
  if ("raised" in called) return ["E", called.raised];
  const kind = item(called.value, 0);
  if (kind === 2) return ["E", 'TypeError: The "fn" argument of assert.throws must be a function'];
  if (kind === 0) return ["T", 0];
  const facts = realm.prelude.facts(item(called.value, 1));
  return ["T", 1, typeof facts === "string" ? JSON.parse(facts) : {}];
}

function step(realm, [kind, id, line, column, source]) {
  if (kind === "x") {
    const ran = realm.run(source, "<tests>", line, column);
    if ("raised" in ran) {
      report(["x", id, ran.raised]);
      return false;
    }
    return true;
  }
  if (kind === "t") {
    report(["t", id, thrownOutcome(realm, line, column, source)]);
    return true;
  }
  if (kind === "s") {
    report(["s", id, textOf(realm, line, column, source)]);
    return true;
  }
  const evaluated = evaluate(realm, line, column, source);
  if ("raised" in evaluated) report([kind, id, ["E", evaluated.raised]]);
  else if (kind === "c")
    report([
      "c",
      id,
      encodeErrorClass(evaluated.value, realm.prelude.prototypes) ??
        encodeOutcome(evaluated.value, realm.prelude.prototypes),
    ]);
  else report([kind, id, encodeOutcome(evaluated.value, realm.prelude.prototypes)]);
  return true;
}

function main() {
  const { code, steps } = JSON.parse(fs.readFileSync(0, "utf8"));
  report(["start"]);
  const realm = createRealm();
  if (code) {
    const ran = realm.run(code, "<answer>", 1, 0);
    if ("raised" in ran) {
      report(["a", ran.raised]);
      report(["done"]);
      return;
    }
  }
  for (const planned of steps) if (!step(realm, planned)) break;
  report(["done"]);
}

try {
  main();
} finally {
  process.exit(0);
}
