// One JavaScript program of either sandboxed run, in a QuickJS engine of its own: a new
// WebAssembly instance (no linear memory, heap or atom table of an earlier run survives), a new
// runtime and context with the language's built-ins and nothing of Node, within the run's limits
// (QuickJS's memory limit and a linear memory that can't grow past it, a stack limit, CPU time
// checked by the interrupt handler, printed bytes counted here). It runs in the slot process
// (quickjs-slot-process.mjs), inside the sandbox; nothing here decides a grade: it reports each step's
// outcome as plain data, and the runner judges outside the sandbox.
//
// The program: `source` is the harness evaluated in the context first (plain.cjs and
// context-prelude.js, which return the helpers); `input` is JSON {"code": answer, "steps":
// [[kind, id, line, column, source], ...]}, kinds: "x" run a statement, "v" report an
// expression's value, "s" report an expression as text, "t" report what calling a function
// throws, "c" report an assert.throws matcher. The channel: JSON arrays, one per line:
// ["start"], then ["a", error] when the answer failed, ["x", id, error] when a statement threw,
// [kind, id, outcome] for the others, and ["done"].
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";

const pageBytes = 64 * 1024;
/** The emscripten build's own first memory; QuickJS's heap grows from there. */
const initialPages = 256;
/** Room in the linear memory beyond QuickJS's memory limit (the C stack, static data). */
const linearOverheadMb = 32;
/** About 5,000 frames of a small function; the slot process's Node allows its WebAssembly the
 * native stack for it (--stack-size in quickjs-slot.ts). */
const stackBytes = 1024 * 1024;
const maxTextLength = 4096;
/** An error's text kept: more than a report's runtime_errors keeps (8 KiB), so that cut, which
 * says so, is the one readers see. */
const maxErrorLength = 16 * 1024;
/** What a run may report, as the other backends' channel limit. */
const maxChannelBytes = 1024 * 1024;
/** Promise jobs run between two checks of the limits. */
const jobsPerCheck = 1000;

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** A stack without the frames of the harness: what the answer and the tests ran. */
function withoutHarnessFrames(stack) {
  return stack
    .split("\n")
    .filter((line) => !/^\s+at /.test(line) || /[(\s]<(answer|tests)>:/.test(line))
    .map((line) => line.replace(/^(\s+at )<eval> \((<(?:answer|tests)>:\d+:\d+)\)$/, "$1$2"))
    .join("\n")
    .trim();
}

/** A syntax error as Node shows one: where, the line with a caret, then the error. */
function syntaxErrorText(text, filename, source) {
  const [heading, where] = text.split("\n");
  const at = /^\s+at (<(?:answer|tests)>):(\d+):(\d+)$/.exec(where ?? "");
  if (!heading?.startsWith("SyntaxError") || !at || at[1] !== filename) return undefined;
  const line = Number(at[2]);
  const code = source.split("\n")[line - 1] ?? "";
  return `${filename}:${line}\n${code}\n${" ".repeat(Number(at[3]) - 1)}^\n\n${heading}`;
}

/**
 * Runs one program: the channel it wrote, and the limit that stopped it, if any. `wasmModule` is
 * QuickJS compiled once per slot process; each run gets its own instance of it.
 */
export async function runProgram(wasmModule, { source, input }, limits) {
  const channel = [];
  let channelBytes = 0;
  let stoppedFor;
  const report = (frame) => {
    const line = JSON.stringify(frame);
    channelBytes += line.length + 1;
    if (channelBytes > maxChannelBytes) stoppedFor ??= "output";
    else channel.push(line);
  };
  let printed = 0;
  const started = cpuMs();
  const maximumPages = Math.min(
    65536,
    Math.ceil(((limits.memoryMb + linearOverheadMb) * 1024 * 1024) / pageBytes),
  );
  const wasmMemory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
  const engine = await newQuickJSWASMModuleFromVariant(
    newVariant(variant, { wasmModule, wasmMemory }),
  );
  const runtime = engine.newRuntime();
  runtime.setMemoryLimit(limits.memoryMb * 1024 * 1024);
  runtime.setMaxStackSize(stackBytes);
  // No module is ever loaded: import() rejects with an error of the answer's own realm.
  runtime.setModuleLoader(() => 'throw new TypeError("import() is not available here");');
  const running = cpuMs();
  // QuickJS swallows running out of memory inside a promise job (the chain just ends): the
  // linear memory, which only grows, reaching the limit is how a run is known to have hit it.
  const memoryLimitBytes = limits.memoryMb * 1024 * 1024;
  const checkMemory = () => {
    if (wasmMemory.buffer.byteLength >= memoryLimitBytes) stoppedFor ??= "memory";
  };
  runtime.setInterruptHandler(() => {
    checkMemory();
    if (stoppedFor === undefined && cpuMs() - running > limits.timeLimitMs) stoppedFor = "time";
    return stoppedFor !== undefined;
  });
  const context = runtime.newContext();
  // Nothing is disposed: the whole instance is dropped after the run, and with it all the
  // answer left behind.
  {
    report(["start"]);
    const host = context.newObject();
    // A text is measured before it is copied out of the instance: a long one stops the run.
    const print = context.newFunction("print", (text) => {
      const length = context.getNumber(context.getProp(text, "length"));
      printed +=
        length > limits.maxOutputBytes ? length : Buffer.byteLength(context.getString(text));
      if (printed > limits.maxOutputBytes) stoppedFor ??= "output";
    });
    context.setProp(host, "print", print);
    context.setProp(context.global, "__host", host);
    print.dispose();
    host.dispose();
    const prelude = context.unwrapResult(context.evalCode(source, "<prelude>"));
    const helper = (name) => context.getProp(prelude, name);
    const describe = helper("describe");
    const encode = helper("encode");
    const callAndCatch = helper("callAndCatch");
    const prefix = helper("prefix");
    /** A text's first `length` characters: cut in the instance, since the slot process's own
     * heap is far smaller than what an answer may build. */
    const textPrefix = (text, length) => {
      const cut = context.callFunction(prefix, context.undefined, text, context.newNumber(length));
      if (cut.error) {
        cut.error.dispose();
        return "";
      }
      const kept = context.getString(cut.value);
      cut.value.dispose();
      return kept;
    };

    const drainJobs = () => {
      while (stoppedFor === undefined && runtime.hasPendingJob()) {
        const ran = runtime.executePendingJobs(jobsPerCheck);
        // A rejection nobody handles is the answer's business, as in a script.
        ran.error?.dispose();
      }
      checkMemory();
    };
    /** A thrown value as text (nothing is run once the run is stopped: its text won't count). */
    const textOfError = (error) => {
      if (stoppedFor !== undefined) return "";
      const described = context.callFunction(describe, context.undefined, error);
      if (described.error) {
        described.error.dispose();
        return "Uncaught exception (it could not be described)";
      }
      const text = textPrefix(described.value, maxErrorLength);
      if (/^InternalError: out of memory/.test(text)) stoppedFor ??= "memory";
      return text;
    };
    /** Runs code in the context where it is in its file: {value} (a handle) or {raised: text}. */
    const run = (code, filename, line, column) => {
      const placed = `${"\n".repeat(line - 1)}${" ".repeat(Math.max(0, column))}${code}`;
      const result = context.evalCode(placed, filename);
      drainJobs();
      if (!result.error) return { value: result.value };
      const text = textOfError(result.error);
      result.error.dispose();
      return { raised: syntaxErrorText(text, filename, placed) ?? withoutHarnessFrames(text) };
    };
    const call = (fn, ...args) => {
      const result = context.callFunction(fn, context.undefined, ...args);
      drainJobs();
      if (result.error) {
        textOfError(result.error);
        return undefined;
      }
      // A report longer than the channel would stop the run anyway: it isn't copied out.
      const tooLong =
        context.typeof(result.value) === "string" &&
        context.getNumber(context.getProp(result.value, "length")) > maxChannelBytes;
      if (tooLong) stoppedFor ??= "output";
      const value = tooLong ? undefined : context.dump(result.value);
      result.value.dispose();
      return value;
    };
    const decoded = (text) => {
      try {
        return JSON.parse(text);
      } catch {
        return ["x", "a value that could not be read"];
      }
    };

    const step = ([kind, id, line, column, code]) => {
      if (kind === "x") {
        const ran = run(code, "<tests>", line, column);
        if ("raised" in ran) {
          report(["x", id, ran.raised]);
          return false;
        }
        ran.value.dispose();
        return true;
      }
      if (kind === "s") {
        const converted = run(`\`\${(${code}\n)}\``, "<tests>", line, column - 4);
        if ("raised" in converted) report(["s", id, converted.raised]);
        else {
          const text =
            context.typeof(converted.value) === "string"
              ? textPrefix(converted.value, maxTextLength)
              : "";
          converted.value.dispose();
          report(["s", id, text]);
        }
        return true;
      }
      const evaluated = run(`(${code}\n)`, "<tests>", line, column - 1);
      if ("raised" in evaluated) {
        report([kind, id, ["E", evaluated.raised]]);
        return true;
      }
      if (kind === "t") {
        const outcome = call(callAndCatch, evaluated.value);
        const [thrown, facts] = typeof outcome === "string" ? decoded(outcome) : [];
        if (thrown === 2)
          report([
            "t",
            id,
            ["E", 'TypeError: The "fn" argument of assert.throws must be a function'],
          ]);
        else if (thrown === 1) report(["t", id, ["T", 1, facts ?? {}]]);
        else report(["t", id, ["T", 0]]);
      } else {
        const asErrorClass = kind === "c" ? context.true : context.false;
        const outcome = call(encode, evaluated.value, asErrorClass);
        report([
          kind,
          id,
          typeof outcome === "string" ? decoded(outcome) : ["x", "a value that could not be read"],
        ]);
      }
      evaluated.value.dispose();
      return true;
    };

    const { code, steps } = JSON.parse(input);
    let answerFailed = false;
    if (code) {
      const ran = run(code, "<answer>", 1, 0);
      if ("raised" in ran) {
        report(["a", ran.raised]);
        answerFailed = true;
      } else ran.value.dispose();
    }
    if (!answerFailed)
      for (const planned of steps) if (stoppedFor !== undefined || !step(planned)) break;
    if (stoppedFor === undefined) report(["done"]);
  }
  return {
    channel: channel.length ? `${channel.join("\n")}\n` : "",
    stoppedFor,
    cpuMs: cpuMs() - started,
  };
}
