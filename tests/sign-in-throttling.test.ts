import { afterEach, describe, expect, it } from "vitest";
import { nodeArgon2Hasher } from "../src/auth/node-argon2";
import type { PasswordHasher } from "../src/auth/passwords";
import type { ApiResponse } from "./helpers/api";
import { createTestApp, type TestApp } from "./helpers/app";
import { client, responseOf } from "./helpers/client";
import { registerUser, type TestUser, uniqueEmail } from "./helpers/fixtures";

let t: TestApp;
afterEach(() => t.close());

/**
 * An app over real argon2 that counts the password checks (to tell how many guesses were
 * verified), and a registered user; the count starts after the user's own sign-in.
 */
async function appCountingChecks(env: Record<string, string> = {}) {
  const counter = { checks: 0 };
  const passwords: PasswordHasher = {
    hash: (password) => nodeArgon2Hasher.hash(password),
    verify: (hash, password) => {
      counter.checks += 1;
      return nodeArgon2Hasher.verify(hash, password);
    },
  };
  t = await createTestApp({ passwords, env });
  const user = await registerUser(t);
  counter.checks = 0;
  return { counter, user };
}

type Via = "token" | "basic";

/** One sign-in, by token obtain or by a Basic-authenticated call, from the given client. */
function signIn(
  via: Via,
  email: string,
  password: string,
  headers: Record<string, string> = { "x-test-client-address": "10.0.0.1" },
): Promise<ApiResponse> {
  return via === "token"
    ? responseOf(
        client(t, undefined, headers).api.users.token.obtain.index.$post({
          json: { email, password },
        }),
      )
    : responseOf(client(t, { basic: { email, password } }, headers).api.users.me.$get());
}

const statuses = (responses: ApiResponse[]) => responses.map((response) => response.status);
const countOf = (responses: ApiResponse[], status: number) =>
  responses.filter((response) => response.status === status).length;

describe("per email", () => {
  it("checks at most LOGIN_MAX_FAILURES of 60 concurrent wrong passwords (token and Basic mixed); the rest get 429", async () => {
    const { counter, user } = await appCountingChecks();
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        signIn(i % 2 === 0 ? "token" : "basic", user.email, `wrong password ${i}`, {
          "x-test-client-address": `10.1.${i}.1`,
        }),
      ),
    );
    expect(countOf(burst, 401)).toBe(5);
    expect(countOf(burst, 429)).toBe(55);
    expect(counter.checks).toBe(5);
    for (const refused of burst.filter((response) => response.status === 429)) {
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(typeof refused.body.detail).toBe("string");
    }
  });

  it("refuses the right password inside the burst once the limit is reached, token and Basic alike", async () => {
    const { counter, user } = await appCountingChecks();
    const inFlight = Array.from({ length: 60 }, (_, i) =>
      signIn(i % 2 === 0 ? "token" : "basic", user.email, `wrong password ${i}`),
    );
    // A 429 means every slot of the window is taken; the wrong guesses may still be verifying.
    await Promise.any(
      inFlight.map(async (pending) => {
        if ((await pending).status !== 429) throw new Error("not refused");
      }),
    );
    const right = await Promise.all([
      signIn("token", user.email, user.password),
      signIn("basic", user.email, user.password),
    ]);
    expect(statuses(right)).toEqual([429, 429]);
    const burst = await Promise.all(inFlight);
    expect(countOf(burst, 401)).toBe(5);
    expect(counter.checks).toBe(5);
  });

  it("never checks more than the limit even when the right password races the guesses", async () => {
    const { counter, user } = await appCountingChecks();
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i === 30
          ? signIn("basic", user.email, user.password)
          : signIn(i % 2 === 0 ? "token" : "basic", user.email, `wrong password ${i}`),
      ),
    );
    // The right password either took a slot before the guesses filled the window (200, and
    // then gave it back) or came after (429): never more wrong passwords checked than allowed.
    const right = burst[30] as ApiResponse;
    expect([200, 429]).toContain(right.status);
    expect(countOf(burst, 401)).toBeLessThanOrEqual(5);
    expect(counter.checks).toBe(countOf(burst, 401) + (right.status === 200 ? 1 : 0));
  });

  it("keeps the email refused until the window has passed, then accepts the right password", async () => {
    t = await createTestApp();
    const user = await registerUser(t);
    for (let i = 0; i < 5; i++)
      expect(
        (await signIn("token", user.email, "wrong", { "x-test-client-address": `10.2.0.${i}` }))
          .status,
      ).toBe(401);
    const refused = await signIn("token", user.email, user.password, {
      "x-test-client-address": "10.2.1.1",
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    t.clock.advanceSeconds(901);
    expect((await signIn("token", user.email, user.password)).status).toBe(200);
  });

  it("does not count successful sign-ins, nor let them wipe out earlier failures", async () => {
    t = await createTestApp();
    const user = await registerUser(t);
    for (let i = 0; i < 4; i++)
      expect((await signIn("basic", user.email, `wrong ${i}`)).status).toBe(401);
    const rights = await Promise.all(
      Array.from({ length: 10 }, () => signIn("token", user.email, user.password)),
    );
    expect(statuses(rights)).toEqual(Array(10).fill(200));
    expect((await signIn("token", user.email, "wrong again")).status).toBe(401);
    expect((await signIn("token", user.email, user.password)).status).toBe(429);
  });

  it("throttles an unknown email exactly like a known one", async () => {
    t = await createTestApp();
    const email = uniqueEmail();
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(i % 2 ? "token" : "basic", email, `guess ${i}`)),
    );
    expect(countOf(burst, 401)).toBe(5);
    expect(countOf(burst, 429)).toBe(15);
  });

  it("treats the email without regard to case and surrounding spaces", async () => {
    t = await createTestApp();
    const user = await registerUser(t);
    for (const variant of [
      user.email.toUpperCase(),
      ` ${user.email}`,
      user.email,
      `${user.email} `,
      user.email,
    ])
      await signIn("token", variant, "wrong");
    expect((await signIn("token", user.email, user.password)).status).toBe(429);
  });
});

describe("per client address", () => {
  it("lets another user's right password through after five failures for other emails from the same address", async () => {
    t = await createTestApp();
    const teacher = await registerUser(t, { is_teacher: true });
    const school = { "x-test-client-address": "198.51.100.7" };
    for (let i = 0; i < 5; i++)
      expect((await signIn(i % 2 ? "token" : "basic", uniqueEmail(), "typo", school)).status).toBe(
        401,
      );
    expect((await signIn("token", teacher.email, teacher.password, school)).status).toBe(200);
    expect((await signIn("basic", teacher.email, teacher.password, school)).status).toBe(200);
  });

  it("once an address is noisy, refuses further guesses for the emails that failed from it, and still signs in everyone else", async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ADDRESS: "3" } });
    const [pupil, teacher] = await Promise.all([
      registerUser(t),
      registerUser(t, { is_teacher: true }),
    ]);
    const school = { "x-test-client-address": "198.51.100.8" };
    const failing = [uniqueEmail(), uniqueEmail(), pupil.email];
    for (const email of failing)
      expect((await signIn("token", email, "typo", school)).status).toBe(401);
    // The address is noisy now: the emails that failed from it wait; nobody else does.
    for (const email of failing) {
      const refused = await signIn("basic", email, "another typo", school);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect((await signIn("token", pupil.email, pupil.password, school)).status).toBe(429);
    expect((await signIn("token", teacher.email, teacher.password, school)).status).toBe(200);
    expect((await signIn("basic", teacher.email, teacher.password, school)).status).toBe(200);
    expect((await signIn("token", uniqueEmail(), "a first typo", school)).status).toBe(401);
    // The pupil's email itself is not locked: from home it still signs in.
    const home = { "x-test-client-address": "203.0.113.50" };
    expect((await signIn("token", pupil.email, pupil.password, home)).status).toBe(200);
  });

  it("gives a noisy address one check per fresh email even when the guesses arrive at once", async () => {
    const { counter } = await appCountingChecks({ LOGIN_MAX_FAILURES_PER_ADDRESS: "1" });
    const noisy = { "x-test-client-address": "198.51.100.9" };
    expect((await signIn("token", uniqueEmail(), "typo", noisy)).status).toBe(401);
    const email = uniqueEmail();
    counter.checks = 0;
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signIn(i % 2 ? "token" : "basic", email, `guess ${i}`, noisy),
      ),
    );
    expect(countOf(burst, 401)).toBe(1);
    expect(countOf(burst, 429)).toBe(19);
    expect(counter.checks).toBe(1);
  });

  it("does not let a burst of sign-ins from one address (LOGIN_RATE_PER_ADDRESS_PER_MINUTE) lock out a right password", async () => {
    t = await createTestApp({ env: { LOGIN_RATE_PER_ADDRESS_PER_MINUTE: "5" } });
    const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(t)));
    const school = { "x-test-client-address": "198.51.100.10" };
    const signedIn = await Promise.all(
      users.flatMap((user) => [
        signIn("token", user.email, user.password, school),
        signIn("basic", user.email, user.password, school),
      ]),
    );
    expect(statuses(signedIn)).toEqual(Array(16).fill(200));
    const typo = uniqueEmail();
    expect((await signIn("token", typo, "typo", school)).status).toBe(401);
    expect((await signIn("token", typo, "typo again", school)).status).toBe(429);
  });
});

describe("per-minute checks per email (LOGIN_RATE_PER_MINUTE)", () => {
  it("counts password checks of token obtain and Basic, not Basic calls served from the cache", async () => {
    t = await createTestApp({ env: { LOGIN_RATE_PER_MINUTE: "3" } });
    const user = await registerUser(t); // one check
    const cached = await Promise.all(
      Array.from({ length: 10 }, () => signIn("basic", user.email, user.password)),
    );
    expect(countOf(cached, 200)).toBe(10);
    expect((await signIn("token", user.email, user.password)).status).toBe(200);
    const overRate = await signIn("token", user.email, user.password);
    expect(overRate.status).toBe(429);
    expect(Number(overRate.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    t.clock.advanceSeconds(61);
    expect((await signIn("token", user.email, user.password)).status).toBe(200);
  });
});

describe("TRUST_PROXY", () => {
  const proxy = "10.9.9.9";
  const viaProxy = (client: string, spoofed?: string) => ({
    "x-test-client-address": proxy,
    "x-forwarded-for": spoofed ? `${spoofed}, ${client}` : client,
  });

  async function makeNoisy(headers: Record<string, string>) {
    const failing = uniqueEmail();
    expect((await signIn("token", failing, "typo", headers)).status).toBe(401);
    expect((await signIn("token", uniqueEmail(), "typo", headers)).status).toBe(401);
    return failing;
  }

  it("throttles two clients behind one proxy apart with TRUST_PROXY=1", async () => {
    t = await createTestApp({ env: { TRUST_PROXY: "1", LOGIN_MAX_FAILURES_PER_ADDRESS: "2" } });
    const email = await makeNoisy(viaProxy("203.0.113.1"));
    expect((await signIn("basic", email, "typo", viaProxy("203.0.113.1"))).status).toBe(429);
    expect((await signIn("basic", email, "typo", viaProxy("203.0.113.2"))).status).toBe(401);
  });

  it("never reads the entries a client wrote itself left of the proxy's", async () => {
    t = await createTestApp({ env: { TRUST_PROXY: "1", LOGIN_MAX_FAILURES_PER_ADDRESS: "2" } });
    const email = await makeNoisy(viaProxy("203.0.113.3"));
    const spoofed = await Promise.all(
      ["203.0.113.77", "not an address", "", "::1"].map((fake) =>
        signIn("token", email, "typo", viaProxy("203.0.113.3", fake)),
      ),
    );
    expect(statuses(spoofed)).toEqual([429, 429, 429, 429]);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY, and falls back to the peer on short or malformed headers", async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ADDRESS: "2" } });
    const email = await makeNoisy(viaProxy("203.0.113.4"));
    expect((await signIn("token", email, "typo", viaProxy("203.0.113.5"))).status).toBe(429);
    await t.close();

    t = await createTestApp({ env: { TRUST_PROXY: "2", LOGIN_MAX_FAILURES_PER_ADDRESS: "2" } });
    const short = { "x-test-client-address": proxy, "x-forwarded-for": "203.0.113.6" };
    const other = await makeNoisy(short);
    const malformed = await Promise.all(
      [
        "nonsense, 10.0.0.2",
        ",,,",
        "203.0.113.6:8080:1, 10.0.0.2",
        `${"9".repeat(5000)}, 10.0.0.2`,
      ].map((forwardedFor) =>
        signIn("token", other, "typo", {
          "x-test-client-address": proxy,
          "x-forwarded-for": forwardedFor,
        }),
      ),
    );
    expect(statuses(malformed)).toEqual([429, 429, 429, 429]);
  });

  it("refuses a TRUST_PROXY that is not a hop count, naming the variable", async () => {
    await expect(createTestApp({ env: { TRUST_PROXY: "yes" } })).rejects.toThrow(/TRUST_PROXY/);
    t = await createTestApp();
  });
});

describe("a school behind one address, signing in at once", () => {
  it("signs in 40 pupils concurrently while one of them guesses another's password", async () => {
    t = await createTestApp();
    const pupils: TestUser[] = await Promise.all(Array.from({ length: 40 }, () => registerUser(t)));
    const school = { "x-test-client-address": "198.51.100.20" };
    const victim = pupils[0] as TestUser;
    const responses = await Promise.all([
      ...pupils.map((pupil, i) =>
        signIn(i % 2 ? "token" : "basic", pupil.email, pupil.password, school),
      ),
      ...Array.from({ length: 20 }, (_, i) => signIn("token", victim.email, `guess ${i}`, school)),
    ]);
    const pupilStatuses = statuses(responses.slice(1, 40));
    expect(pupilStatuses).toEqual(Array(39).fill(200));
    expect(countOf(responses.slice(40), 401)).toBeLessThanOrEqual(5);
  });
});
