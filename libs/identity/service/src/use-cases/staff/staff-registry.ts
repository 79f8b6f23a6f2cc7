import { STAFF_ROLES, base32Decode, isLoginPasswordHash, type StaffRole } from '@ledger/crypto';

/** One staff account: the password's argon2id hash, the one role it has, and its TOTP secret (the second factor is mandatory). */
export interface StaffMember {
  passwordHash: string;
  role: StaffRole;
  totpSecret: Buffer;
}

export class StaffRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaffRegistryError';
  }
}

const AGENT_ID = /^[A-Za-z0-9-]{1,64}$/;
export const STAFF_REGISTRY_VARIABLE = 'IDENTITY_STAFF';

/**
 * The staff registry from `IDENTITY_STAFF`: a JSON object of agent id → `{ passwordHash, role,
 * totpSecret }` (argon2id PHC hash; `support`, `teller` or `supervisor`; base32, at least 128 bits).
 * `node -r @swc-node/register apps/identity/src/cli/add-staff-member.ts <agentId> <role>` prints
 * one entry and the authenticator's provisioning URI. Only hashes and second-factor secrets are
 * configured, never passwords; a malformed entry stops the start rather than locking an agent out
 * silently. Only identity holds it: the internet-facing gateway never sees a staff secret.
 */
export function staffRegistryFrom(raw: string | undefined): ReadonlyMap<string, StaffMember> {
  if (raw === undefined || raw.trim() === '') return new Map();
  const shape = `${STAFF_REGISTRY_VARIABLE} must be a JSON object of agent id → { passwordHash, role, totpSecret }`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new StaffRegistryError(shape);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new StaffRegistryError(shape);
  const staff = new Map<string, StaffMember>();
  for (const [agentId, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `${STAFF_REGISTRY_VARIABLE}: ${JSON.stringify(agentId)}`;
    if (!AGENT_ID.test(agentId)) throw new StaffRegistryError(`${where}: an agent id is 1–64 letters, digits or dashes`);
    const { passwordHash, role, totpSecret } = (entry ?? {}) as Record<string, unknown>;
    if (!isLoginPasswordHash(passwordHash)) throw new StaffRegistryError(`${where}: the passwordHash is not an argon2id PHC string`);
    if (!(STAFF_ROLES as readonly unknown[]).includes(role))
      throw new StaffRegistryError(`${where}: the role must be one of ${STAFF_ROLES.join(', ')}`);
    const secret = typeof totpSecret === 'string' && /^[A-Z2-7]+=*$/.test(totpSecret) ? base32Decode(totpSecret) : Buffer.alloc(0);
    if (secret.length < 16)
      throw new StaffRegistryError(`${where}: needs a totpSecret (base32, at least 128 bits): the second factor is mandatory for staff`);
    staff.set(agentId, { passwordHash: passwordHash as string, role: role as StaffRole, totpSecret: secret });
  }
  return staff;
}
