import { checkAccessToken, type TokenKind, type VerificationKeys } from '@ledger/crypto';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * Verifies access tokens (`checkAccessToken` in libs/crypto: EdDSA only, a known key id, the issuer
 * and audience of that key's kind, the claims, the expiry): users' tokens with identity's public
 * keys, support agents' with the staff issuer's. Then decides who may act on what: a user only on
 * their own account, wallet and cards; support routes only with role `support`.
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

/**
 * Checks bearer tokens, remembering the ones it has verified until they expire: an Ed25519
 * verification costs about 0.3 CPU-ms here, and an app sends the same token with every request of
 * its 15 minutes. The whole token (signature included) is the key, so only the very token that was
 * verified hits; the cache is bounded, and the oldest entries go first.
 */
export class BearerVerifier {
  private readonly verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(
    private readonly keys: Record<TokenKind, VerificationKeys>,
    private readonly maxRemembered = 50_000,
  ) {}

  async verify(authorization: string | undefined, now: Date): Promise<Principal> {
    if (authorization === undefined || authorization === '') throw unauthenticated('missing Authorization: Bearer <access token>');
    const match = /^Bearer (\S+)$/.exec(authorization.trim());
    if (!match) throw unauthenticated('the Authorization header must be "Bearer <access token>"');
    const token = match[1] as string;
    const known = this.verified.get(token);
    if (known !== undefined && known.expiresAtMs > now.getTime()) return known.principal;
    const check = await checkAccessToken(token, this.keys, now);
    if (!check.ok) throw unauthenticated(check.reason === 'expired' ? 'the access token has expired; log in again' : 'the access token is invalid');
    const { sub, role, did, exp } = check.claims;
    const principal: Principal = { userId: sub, role, deviceId: did, actor: `${role}:${sub}` };
    this.verified.delete(token);
    this.verified.set(token, { principal, expiresAtMs: exp * 1000 });
    if (this.verified.size > this.maxRemembered) this.verified.delete(this.verified.keys().next().value as string);
    return principal;
  }
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
