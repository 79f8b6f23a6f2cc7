import { checkAccessToken } from '@ledger/crypto';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * Verifies the HS256 access tokens identity issues at login (`checkAccessToken` in libs/crypto:
 * exact header, constant-time signature, issuer, claims, expiry) and decides who may
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

const unauthenticated = (detail: string) => new ProblemError(GATEWAY_ERROR.UNAUTHENTICATED, detail, undefined, { 'WWW-Authenticate': 'Bearer realm="ledger"' });

export function verifyBearer(authorization: string | undefined, key: Buffer, now: Date): Principal {
  if (authorization === undefined || authorization === '') throw unauthenticated('missing Authorization: Bearer <access token>');
  const match = /^Bearer (\S+)$/.exec(authorization.trim());
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <access token>"');
  const check = checkAccessToken(match[1] as string, key, now);
  if (!check.ok) throw unauthenticated(check.reason === 'expired' ? 'the access token has expired; log in again' : 'the access token is invalid');
  const { sub, role, did } = check.claims;
  return { userId: sub, role, deviceId: typeof did === 'string' ? did : '', actor: `${role}:${sub}` };
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
