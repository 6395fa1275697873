import { sign, verify } from "hono/jwt";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  token_type: TokenType;
  user_id: number;
  jti: string;
  iat: number;
  exp: number;
  /** The user's token version when the token was issued; a password change bumps it. */
  token_version: number;
}

export interface TokenSettings {
  secret: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

const algorithm = "HS256";

/** The secret imported once, not on every token: importing costs as much as verifying. */
let signingKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (signingKey?.secret !== secret) {
    const key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    signingKey = { secret, key };
  }
  return signingKey.key;
}

function randomId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

export async function issueToken(
  settings: TokenSettings,
  type: TokenType,
  user: { id: number; tokenVersion: number },
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const ttl = type === "access" ? settings.accessTtlSeconds : settings.refreshTtlSeconds;
  const claims: TokenClaims = {
    token_type: type,
    user_id: user.id,
    jti: randomId(),
    iat,
    exp: iat + ttl,
    token_version: user.tokenVersion,
  };
  return sign({ ...claims }, await hmacKey(settings.secret), algorithm);
}

function isTokenClaims(
  payload: Record<string, unknown>,
): payload is Record<string, unknown> & TokenClaims {
  return (
    (payload.token_type === "access" || payload.token_type === "refresh") &&
    Number.isSafeInteger(payload.user_id) &&
    typeof payload.jti === "string" &&
    Number.isFinite(payload.iat) &&
    Number.isFinite(payload.exp) &&
    Number.isSafeInteger(payload.token_version)
  );
}

/**
 * Checks signature (HS256 only), expiry against the injected clock, and the token's type.
 * Returns undefined for any token that must be refused.
 */
export async function readToken(
  secret: string,
  token: string,
  expectedType: TokenType,
  nowMs: number,
): Promise<TokenClaims | undefined> {
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, await hmacKey(secret), {
      alg: algorithm,
      exp: false,
      nbf: false,
      iat: false,
    });
  } catch {
    return undefined;
  }
  if (!isTokenClaims(payload) || payload.token_type !== expectedType) return undefined;
  if (payload.exp <= Math.floor(nowMs / 1000)) return undefined;
  return payload;
}
