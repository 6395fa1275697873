import { newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const wasmModule = new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve("@jitl/quickjs-wasmfile-release-sync/wasm")));
const prelude = readFileSync("src/grading/harness/javascript/plain.cjs","utf8") + "\n" + readFileSync("src/grading/harness/javascript/context-prelude.js","utf8");
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const acc = { inst: [], ctx: [], prelude: [], code: [] };
for (let i = 0; i < 300; i++) {
  let t = cpu();
  const wasmMemory = new WebAssembly.Memory({ initial: Number(process.argv[2] ?? 256), maximum: 4608 });
  const engine = await newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule, wasmMemory }));
  let t2 = cpu(); acc.inst.push(t2 - t); t = t2;
  const rt = engine.newRuntime(); rt.setMemoryLimit(256 << 20); const ctx = rt.newContext();
  t2 = cpu(); acc.ctx.push(t2 - t); t = t2;
  const host = ctx.newObject(); const print = ctx.newFunction("print", () => {}); ctx.setProp(host, "print", print); ctx.setProp(ctx.global, "__host", host);
  ctx.unwrapResult(ctx.evalCode(prelude, "<prelude>"));
  t2 = cpu(); acc.prelude.push(t2 - t); t = t2;
  ctx.unwrapResult(ctx.evalCode("function add(a, b) {\n  return a + b;\n}\n", "<answer>"));
  for (let k = 0; k < 3; k++) ctx.unwrapResult(ctx.evalCode("(add(1, 2)\n)", "<tests>"));
  t2 = cpu(); acc.code.push(t2 - t);
}
for (const [k, v] of Object.entries(acc)) { v.sort((a, b) => a - b); console.log(k, "median", v[150].toFixed(2), "p90", v[270].toFixed(2)); }
