import Argon2, { Argon2Type, Argon2Version, generateSalt } from "@phi-ag/argon2";
import { argon2idParameters, type PasswordHasher } from "./passwords";

const utf8 = new TextEncoder();

/**
 * @phi-ag/argon2 encodes the password as UTF-8 but passes `password.length` (UTF-16 units) as
 * its byte length, so non-ASCII passwords would hash differently from every other argon2.
 * This stand-in string converts to the same text and reports its UTF-8 length.
 */
function withUtf8Length(password: string): string {
  const byteLength = utf8.encode(password).length;
  return {
    toString: () => password,
    valueOf: () => password,
    length: byteLength,
  } as unknown as string;
}

/**
 * argon2id in WebAssembly, for runtimes that cannot load native addons (workerd). Same
 * parameters and PHC strings as the Node build, so each verifies the other's hashes.
 */
export async function createWasmArgon2Hasher(module: WebAssembly.Module): Promise<PasswordHasher> {
  const argon2 = new Argon2(await WebAssembly.instantiate(module, {}));
  return {
    async hash(password) {
      return argon2.hash(withUtf8Length(password), {
        type: Argon2Type.Argon2id,
        version: Argon2Version.Version13,
        salt: generateSalt(16),
        hashLength: 32,
        ...argon2idParameters,
      }).encoded;
    },
    async verify(hash, password) {
      return argon2.tryVerify(hash, withUtf8Length(password)).success;
    },
  };
}
