import { checkAccessToken, type AccessTokenRole, type StaffRole, type TokenKind, type VerificationKeys } from '@ledger/crypto';
import { GATEWAY_ERROR, ProblemError } from '../problem';

/**
 * Verifies access tokens (`checkAccessToken` in libs/crypto: EdDSA only, a known key id, the issuer
 * and audience of that key's kind, the claims, the expiry): users' tokens with identity's public
 * keys, staff's with the staff issuer's. Then decides who may act on what: a user only on their own
 * account, wallet and cards; a staff member only what their role is permitted (`STAFF_PERMISSIONS`).
 */
export type Role = AccessTokenRole;

export interface Principal {
  userId: string;
  role: Role;
  deviceId: string;
  /** `<role>:<id>`: the `actor` header of a user's commands (`user:<id>`); staff routes send the actor their permission names (`requireStaff`). */
  actor: string;
}

const unauthenticated = (detail: string) =>
  new ProblemError(GATEWAY_ERROR.UNAUTHENTICATED, detail, undefined, { 'WWW-Authenticate': 'Bearer realm="ledger"' });

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
    if (!check.ok)
      throw unauthenticated(check.reason === 'expired' ? 'the access token has expired; log in again' : 'the access token is invalid');
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

/**
 * What each staff role may do, deny by default: customer service freezes, unfreezes, resets a lost
 * authenticator and looks at a user's payments (audited); a teller takes cash at the counter; a
 * supervisor may do what customer service does, opens maintenance windows and keeps the merchant
 * and biller registry. Each permission names
 * the actor its commands carry, which the services check and record with the agent's id.
 */
export const STAFF_PERMISSIONS = {
  freezeAccount: { roles: ['support', 'supervisor'], actorKind: 'support' },
  unfreezeAccount: { roles: ['support', 'supervisor'], actorKind: 'support' },
  resetSecondFactor: { roles: ['support', 'supervisor'], actorKind: 'support' },
  readUserPayments: { roles: ['support', 'supervisor'], actorKind: 'support' },
  readSupportAccess: { roles: ['support', 'supervisor'], actorKind: 'support' },
  counterDeposit: { roles: ['teller'], actorKind: 'teller' },
  /** Maker-checker: the teller makes a large counter deposit, a supervisor approves or rejects it. */
  decideCounterDeposit: { roles: ['supervisor'], actorKind: 'supervisor' },
  /** The trail of what a member of staff did (their actions and logins). */
  readStaffActions: { roles: ['supervisor'], actorKind: 'supervisor' },
  maintenance: { roles: ['supervisor'], actorKind: 'support' },
  /** Onboarding, suspending and resuming merchants and billers, and their merchants' API keys. */
  manageRegistry: { roles: ['supervisor'], actorKind: 'supervisor' },
} as const satisfies Record<string, { roles: readonly StaffRole[]; actorKind: 'support' | 'teller' | 'supervisor' }>;
export type StaffPermission = keyof typeof STAFF_PERMISSIONS;

/** Refuses (403) a principal whose role is not permitted `permission`; else the actor its commands carry, e.g. `teller:<agentId>`. */
export function requireStaff(principal: Principal, permission: StaffPermission): string {
  const granted = STAFF_PERMISSIONS[permission];
  if (!(granted.roles as readonly string[]).includes(principal.role))
    throw new ProblemError(GATEWAY_ERROR.FORBIDDEN, `this route needs the role ${granted.roles.join(' or ')}`, { permission });
  return `${granted.actorKind}:${principal.userId}`;
}
