import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DEV_MODE_VARIABLE, isDevMode } from '@ledger/util';
import { secretKey } from './keyring';

/**
 * Session tokens. Identity signs them at login; the gateway (and any service) verifies them.
 *
 * Access token: a compact HS256 JWT (RFC 7519) signed with `ACCESS_TOKEN_KEY`, short-lived, with the
 * claims `iss`, `sub` (user id), `role` (`user` | `support`), `did` (device), `iat`, `exp`, `jti`.
 * Built with node:crypto because the format is small and a dependency would add more surface than
 * it saves. Only this exact header is accepted, so `alg: none` or an algorithm switch cannot pass.
 *
 * Refresh token: 256 random bits; only its keyed hash is stored, so a database dump cannot be
 * replayed as a session.
 */
export type AccessTokenRole = 'user' | 'support';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  role: AccessTokenRole;
  did: string;
  iat: number;
  exp: number;
  jti: string;
}

export const ACCESS_TOKEN_ISSUER = 'ledger-identity';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SUBJECT = /^[A-Za-z0-9-]{1,64}$/;

export function signAccessToken(input: { userId: string; role: AccessTokenRole; deviceId: string; now: Date; ttlMs: number }, key: Buffer): { token: string; expiresAt: Date } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const exp = iat + Math.floor(input.ttlMs / 1000);
  const claims: AccessTokenClaims = { iss: ACCESS_TOKEN_ISSUER, sub: input.userId, role: input.role, did: input.deviceId, iat, exp, jti: randomUUID() };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secretKey(key)).update(`${HEADER}.${payload}`).digest('base64url');
  return { token: `${HEADER}.${payload}.${signature}`, expiresAt: new Date(exp * 1000) };
}

export type AccessTokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks shape, header, signature (constant time), issuer, claim types and expiry, in that order. */
export function checkAccessToken(token: string, key: Buffer, now: Date): AccessTokenCheck {
  const invalid: AccessTokenCheck = { ok: false, reason: 'invalid' };
  if (!TOKEN_SHAPE.test(token)) return invalid;
  const [header, payload, signature] = token.split('.') as [string, string, string];
  if (header !== HEADER) return invalid;
  const expected = createHmac('sha256', secretKey(key)).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return invalid;
  let claims: Partial<Record<keyof AccessTokenClaims, unknown>>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return invalid;
  }
  if (claims === null || typeof claims !== 'object' || claims.iss !== ACCESS_TOKEN_ISSUER) return invalid;
  if (typeof claims.sub !== 'string' || !SUBJECT.test(claims.sub) || (claims.role !== 'user' && claims.role !== 'support')) return invalid;
  if (typeof claims.exp !== 'number') return invalid;
  if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims as AccessTokenClaims };
}

/** The claims of a valid, unexpired token, or undefined. */
export function verifyAccessToken(token: string, key: Buffer, now: Date): AccessTokenClaims | undefined {
  const check = checkAccessToken(token, key, now);
  return check.ok ? check.claims : undefined;
}

export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The token key from `ACCESS_TOKEN_KEY` (base64, at least 32 bytes). In development mode
 * (`LEDGER_DEV_MODE=1`) a missing key falls back to a well-known development key (worthless outside
 * a developer's machine, like the development keyrings), so a local stack works with no
 * configuration; otherwise it throws.
 */
export function accessTokenKeyFromEnv(env: Readonly<Record<string, string | undefined>>): Buffer {
  const encoded = env['ACCESS_TOKEN_KEY']?.trim();
  if (encoded) {
    const key = Buffer.from(encoded, 'base64');
    if (key.length < 32) throw new Error('ACCESS_TOKEN_KEY must be at least 32 bytes of base64');
    return key;
  }
  if (!isDevMode(env)) throw new Error(`ACCESS_TOKEN_KEY is not set: give an explicit access-token key (the public development key needs ${DEV_MODE_VARIABLE}=1)`);
  return Buffer.from(hkdfSync('sha256', 'e-wallet-ledger development key (not secret)', 'ledger', 'access-token', 32));
}
