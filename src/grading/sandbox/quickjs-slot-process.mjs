// The JavaScript slot process: a long-lived Node process inside one runner slot's sandbox that
// runs each program in a QuickJS engine of its own (quickjs-run.mjs: a new WebAssembly instance
// per run). It runs none of a program's code as Node JavaScript. Started by quickjs-slot.ts, which
// sends it on stdin: a line {"wasmBytes": n} and QuickJS's WebAssembly (n bytes, compiled once
// here), then one request per line {"id", "source", "input", "limits"}. It answers on stdout:
// "ready", then one line per request {"id", "channel", "stoppedFor", "cpuMs"} or {"id", "crash"}.
import { runProgram } from "../harness/javascript/quickjs-run.mjs";

let buffered = Buffer.alloc(0);
let wasmModule;
let wasmBytes;
let queue = Promise.resolve();

const answer = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function handle(line) {
  const request = JSON.parse(line);
  try {
    const ran = await runProgram(wasmModule, request, request.limits);
    answer({ id: request.id, ...ran });
  } catch (error) {
    // A trap of the engine (its linear memory exhausted, say): this run only; the next gets a
    // new instance.
    answer({ id: request.id, crash: String(error?.message ?? error).slice(0, 2000) });
  }
}

function take() {
  if (wasmModule === undefined) {
    if (wasmBytes === undefined) {
      const end = buffered.indexOf(10);
      if (end < 0) return;
      wasmBytes = JSON.parse(buffered.subarray(0, end).toString("utf8")).wasmBytes;
      buffered = buffered.subarray(end + 1);
    }
    if (buffered.length < wasmBytes) return;
    wasmModule = new WebAssembly.Module(buffered.subarray(0, wasmBytes));
    buffered = buffered.subarray(wasmBytes);
    answer("ready");
  }
  for (let end = buffered.indexOf(10); end >= 0; end = buffered.indexOf(10)) {
    const line = buffered.subarray(0, end).toString("utf8");
    buffered = buffered.subarray(end + 1);
    queue = queue.then(() => handle(line));
  }
}

process.stdin.on("data", (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  take();
});
// The runner is gone: so is this slot.
process.stdin.on("end", () => queue.then(() => process.exit(0)));
