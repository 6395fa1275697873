/** Hashes and checks passwords; each runtime brings its own argon2id implementation. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Both runtimes must agree on these. */
export const argon2idParameters = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
