import { lt } from "drizzle-orm";
import type { Store } from "../db/client";
import {
  findUserByEmail,
  findUserWithOrganization,
  type UserWithOrganization,
} from "../db/queries/users";
import { revokedTokens } from "../db/schema";
import { sha256Hex } from "../digest";
import { ApiError, invalidToken, notAuthenticated } from "../http/errors";
import { message } from "../i18n/messages";
import type { PasswordHasher } from "./passwords";
import { type SignInLimits, SignInThrottle } from "./sign-in-throttle";
import { issueToken, readToken, type TokenClaims, type TokenSettings } from "./tokens";

export interface AuthenticatorOptions {
  store: Store;
  passwords: PasswordHasher;
  now: () => number;
  tokens: TokenSettings;
  refreshRotation: boolean;
  signInLimits: SignInLimits;
}

export interface TokenPair {
  access: string;
  refresh: string;
}

/** Who is calling: a user with their organization. */
export type Caller = UserWithOrganization;

/**
 * What an `Authorization` header proves: a caller already read (Basic: the password was
 * checked against their row), or an access token whose user is still to be read.
 */
export type Credentials = { caller: Caller } | { token: TokenClaims };

const wrongCredentials = message("no_active_account");
/** Basic credentials that verified recently, so Basic clients don't pay argon2 on every call. */
const basicCacheTtlMs = 60_000;
const basicCacheMaxEntries = 10_000;

/** Basic credentials that verified: valid while the user's email and token version are unchanged. */
interface VerifiedBasic {
  userId: number;
  email: string;
  tokenVersion: number;
  expiresAtMs: number;
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export class Authenticator {
  readonly #throttle: SignInThrottle;
  readonly #verifiedBasic = new Map<string, VerifiedBasic>();
  /** Basic credentials being checked now: identical parallel calls share one check. */
  readonly #checkingBasic = new Map<string, Promise<Caller>>();
  /** A real hash to verify against when the email is unknown, so timing does not reveal accounts. */
  #decoyHash: Promise<string> | undefined;

  constructor(private readonly options: AuthenticatorOptions) {
    this.#throttle = new SignInThrottle(options.signInLimits, options.now);
  }

  /** Email + password → the active user; throttled per email and per client address. */
  async login(email: string, password: string, clientAddress: string | undefined): Promise<Caller> {
    const attempt = await this.#throttle.begin(email, clientAddress);
    let user: Caller | undefined;
    let passwordMatches: boolean;
    try {
      user = await findUserByEmail(this.options.store.db, email);
      passwordMatches = user
        ? await this.options.passwords.verify(user.passwordHash, password)
        : await this.#verifyDecoy(password);
    } catch (error) {
      attempt.release();
      throw error;
    }
    if (!user || !passwordMatches || !user.isActive) {
      attempt.failed();
      throw notAuthenticated(wrongCredentials);
    }
    attempt.release();
    return user;
  }

  async issuePair(user: Caller): Promise<TokenPair> {
    const now = this.options.now();
    return {
      access: await issueToken(this.options.tokens, "access", user, now),
      refresh: await issueToken(this.options.tokens, "refresh", user, now),
    };
  }

  /** A valid refresh token → a new access token (and, with rotation, a new refresh token). */
  async refresh(refreshToken: string): Promise<{ access: string; refresh?: string }> {
    const now = this.options.now();
    const claims = await readToken(this.options.tokens.secret, refreshToken, "refresh", now);
    if (!claims) throw invalidToken(message("token_invalid_or_expired"));
    const user = await this.readCaller(claims);
    if (!this.options.refreshRotation) {
      return { access: await issueToken(this.options.tokens, "access", user, now) };
    }
    const revoked = await this.options.store.transaction(async (tx) => {
      await tx.delete(revokedTokens).where(lt(revokedTokens.expiresAt, new Date(now)));
      const inserted = await tx
        .insert(revokedTokens)
        .values({ jti: claims.jti, expiresAt: new Date(claims.exp * 1000) })
        .onConflictDoNothing()
        .returning({ jti: revokedTokens.jti });
      return inserted.length === 0;
    });
    if (revoked) throw invalidToken(message("token_blacklisted"));
    return this.issuePair(user);
  }

  /**
   * Checks an `Authorization` header (Bearer or Basic), or throws 401/429; the address is only
   * needed for Basic. A Bearer token's user is not read here (see `callerOf`).
   */
  async credentialsOf(
    header: string,
    clientAddress: () => string | undefined,
  ): Promise<Credentials> {
    const [scheme, credentials, ...rest] = header.trim().split(/\s+/);
    if (!scheme || !credentials || rest.length > 0)
      throw notAuthenticated(message("invalid_authorization_header"));
    switch (scheme.toLowerCase()) {
      case "bearer":
        return { token: await this.accessClaims(credentials) };
      case "basic":
        return { caller: await this.#fromBasic(credentials, clientAddress()) };
      default:
        throw notAuthenticated(message("unsupported_authorization_scheme"));
    }
  }

  /** An access token's claims: signature, type and expiry checked; nothing read yet. */
  async accessClaims(token: string): Promise<TokenClaims> {
    const claims = await readToken(this.options.tokens.secret, token, "access", this.options.now());
    if (!claims) throw invalidToken();
    return claims;
  }

  /** The caller a token stands for, given their row as read: 401 once they are gone, inactive or changed their password. */
  callerOf(token: TokenClaims, row: Caller | undefined): Caller {
    if (!row?.isActive || row.tokenVersion !== token.token_version) throw invalidToken();
    return row;
  }

  /** Reads the user a token (access or refresh) stands for, organization included, in one query. */
  async readCaller(token: TokenClaims): Promise<Caller> {
    return this.callerOf(
      token,
      await findUserWithOrganization(this.options.store.db, token.user_id),
    );
  }

  async #fromBasic(encoded: string, clientAddress: string | undefined): Promise<Caller> {
    const cacheKey = await sha256Hex(encoded);
    const cached = this.#verifiedBasic.get(cacheKey);
    if (cached && cached.expiresAtMs > this.options.now()) {
      const user = await findUserWithOrganization(this.options.store.db, cached.userId);
      // A changed password bumps the token version; a changed email must stop working too.
      const stillValid =
        user?.isActive &&
        user.tokenVersion === cached.tokenVersion &&
        sameEmail(user.email, cached.email);
      if (user && stillValid) return user;
      this.#verifiedBasic.delete(cacheKey);
    }
    const running = this.#checkingBasic.get(cacheKey);
    if (running) return running;
    const check = this.#checkBasic(encoded, cacheKey, clientAddress).finally(() =>
      this.#checkingBasic.delete(cacheKey),
    );
    this.#checkingBasic.set(cacheKey, check);
    return check;
  }

  async #checkBasic(
    encoded: string,
    cacheKey: string,
    clientAddress: string | undefined,
  ): Promise<Caller> {
    const decoded = decodeBase64(encoded);
    const separator = decoded?.indexOf(":") ?? -1;
    if (decoded === undefined || separator < 0)
      throw notAuthenticated(message("invalid_basic_header"));
    const user = await this.login(
      decoded.slice(0, separator),
      decoded.slice(separator + 1),
      clientAddress,
    ).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 429) throw error;
      throw notAuthenticated(message("invalid_username_password"));
    });
    if (this.#verifiedBasic.size >= basicCacheMaxEntries) this.#verifiedBasic.clear();
    this.#verifiedBasic.set(cacheKey, {
      userId: user.id,
      email: user.email,
      tokenVersion: user.tokenVersion,
      expiresAtMs: this.options.now() + basicCacheTtlMs,
    });
    return user;
  }

  #verifyDecoy(password: string): Promise<boolean> {
    this.#decoyHash ??= this.options.passwords.hash(crypto.randomUUID());
    return this.#decoyHash
      .then((hash) => this.options.passwords.verify(hash, password))
      .then(() => false);
  }
}

function decodeBase64(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
