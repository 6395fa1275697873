import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import { createWasmArgon2Hasher } from "../src/auth/wasm-argon2";

const wasmPath = createRequire(import.meta.url).resolve("@phi-ag/argon2/argon2.wasm");

describe("argon2id in both runtimes", () => {
  it("verifies hashes across the native (Node) and WebAssembly (Workers) builds, both ways", async () => {
    const wasm = await createWasmArgon2Hasher(await WebAssembly.compile(await readFile(wasmPath)));
    const password = "correct horse battery staple ✓";
    const fromNode = await nodeArgon2Hasher.hash(password);
    const fromWasm = await wasm.hash(password);
    expect(fromNode).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(fromWasm).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await wasm.verify(fromNode, password)).toBe(true);
    expect(await nodeArgon2Hasher.verify(fromWasm, password)).toBe(true);
    expect(await wasm.verify(fromNode, "wrong")).toBe(false);
    expect(await nodeArgon2Hasher.verify(fromWasm, "wrong")).toBe(false);
    expect(await wasm.verify("not a hash", password)).toBe(false);
  });
});
