import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens issued at login.
 *
 * Access token: a compact HS256 JWT (RFC 7519) signed with `ACCESS_TOKEN_KEY`, short-lived, with the
 * claims `sub` (user id), `role` (`user` | `support`), `iat`, `exp`, `jti` and `did` (device). Built
 * with node:crypto because the format is small and a dependency would add more surface than it
 * saves. The gateway will verify it (`verifyAccessToken` is the reference for that verifier; it
 * moves to a shared library once the gateway exists).
 *
 * Refresh token: 256 random bits; only its keyed hash is stored, so a database dump cannot be
 * replayed as a session.
 */
export type TokenRole = 'user' | 'support';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  role: TokenRole;
  did: string;
  iat: number;
  exp: number;
  jti: string;
}

export const TOKEN_ISSUER = 'ledger-identity';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function signAccessToken(input: { userId: string; role: TokenRole; deviceId: string; now: Date; ttlMs: number }, key: Buffer): { token: string; expiresAt: Date } {
  const iat = Math.floor(input.now.getTime() / 1000);
  const exp = iat + Math.floor(input.ttlMs / 1000);
  const claims: AccessTokenClaims = { iss: TOKEN_ISSUER, sub: input.userId, role: input.role, did: input.deviceId, iat, exp, jti: randomUUID() };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', key).update(`${HEADER}.${payload}`).digest('base64url');
  return { token: `${HEADER}.${payload}.${signature}`, expiresAt: new Date(exp * 1000) };
}

/** The claims of a valid, unexpired token, or undefined. Only HS256 is accepted (no `alg: none`). */
export function verifyAccessToken(token: string, key: Buffer, now: Date): AccessTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  if (header !== HEADER) return undefined;
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as AccessTokenClaims;
  if (claims.iss !== TOKEN_ISSUER || typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) return undefined;
  return claims;
}

export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}
