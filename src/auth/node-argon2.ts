import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { argon2idParameters, type PasswordHasher } from "./passwords";

/** `Algorithm.Argon2id`; the enum is `const` and cannot be imported as a value here. */
const argon2id = 2 as Algorithm;

export const nodeArgon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, { algorithm: argon2id, ...argon2idParameters }),
  async verify(passwordHash, password) {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};
