import { createHmac, timingSafeEqual } from 'node:crypto';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * Verifies the HS256 access tokens identity issues at login (the same checks as identity's
 * `verifyAccessToken`: exact header, constant-time signature, issuer, expiry) and decides who may
 * act on what: a user only on their own account, wallet and cards; support routes only with role
 * `support`.
 */
export type Role = 'user' | 'support';

export interface Principal {
  userId: string;
  role: Role;
  deviceId: string;
  /** The `actor` header of the commands this principal sends: `user:<id>` or `support:<id>`. */
  actor: string;
}

export const TOKEN_ISSUER = 'ledger-identity';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

interface Claims {
  iss?: unknown;
  sub?: unknown;
  role?: unknown;
  did?: unknown;
  exp?: unknown;
}

const unauthenticated = (detail: string) => new ProblemError(GATEWAY_ERROR.UNAUTHENTICATED, detail, undefined, { 'WWW-Authenticate': 'Bearer realm="ledger"' });

export function verifyBearer(authorization: string | undefined, key: Buffer, now: Date): Principal {
  if (authorization === undefined || authorization === '') throw unauthenticated('missing Authorization: Bearer <access token>');
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <access token>"');
  const [header, payload, signature] = (match[1] as string).split('.') as [string, string, string];
  if (header !== HEADER) throw unauthenticated('the access token is invalid');
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw unauthenticated('the access token is invalid');
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  } catch {
    throw unauthenticated('the access token is invalid');
  }
  if (claims === null || typeof claims !== 'object' || claims.iss !== TOKEN_ISSUER) throw unauthenticated('the access token is invalid');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now.getTime()) throw unauthenticated('the access token has expired; log in again');
  if (typeof claims.sub !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(claims.sub)) throw unauthenticated('the access token is invalid');
  if (claims.role !== 'user' && claims.role !== 'support') throw unauthenticated('the access token is invalid');
  return { userId: claims.sub, role: claims.role, deviceId: typeof claims.did === 'string' ? claims.did : '', actor: `${claims.role}:${claims.sub}` };
}

/** A user acts only on their own resources. Support staff use the /support routes, not these. */
export function requireSelf(principal: Principal, userId: string): void {
  if (principal.role !== 'user' || principal.userId !== userId) {
    throw new ProblemError(GATEWAY_ERROR.FORBIDDEN, 'you may act only on your own account, wallet and cards', { userId });
  }
}

export function requireSupport(principal: Principal): void {
  if (principal.role !== 'support') throw new ProblemError(GATEWAY_ERROR.FORBIDDEN, 'this route needs the support role');
}
