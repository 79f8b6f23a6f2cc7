import { STAFF_ROLES, base32Decode, isLoginPasswordHash, loadFieldKeyring, signingKeyFromEnv, verificationKeysFromEnv, verificationKeysOf, type Keyring, type SigningKey, type StaffRole, type TokenKind, type VerificationKeys } from '@ledger/crypto';

/**
 * Everything the gateway reads from its environment, resolved once at start-up. Tests pass
 * overrides (the identity harness's keyring, low rate limits, a free port) instead of mutating
 * `process.env`.
 *
 * Keys: `FIELD_KEYS`/`FIELD_KEY_ACTIVE` (identity's: the gateway encrypts secret fields with them
 * before they reach Kafka, and decrypts the tokens of a login result); `ACCESS_TOKEN_PUBLIC_KEYS`
 * (the public keys of identity's token issuer: the gateway verifies users' tokens and cannot mint
 * one); `STAFF_TOKEN_SIGNING_KEY` (the staff login's issuer key, which signs support agents' tokens)
 * and `STAFF_TOKEN_PUBLIC_KEYS` (the staff tokens it accepts; by default the signing key's public
 * half, during a rotation the old and the new). In development mode (`LEDGER_DEV_MODE=1`) each falls
 * back to a well-known development key; otherwise a missing one stops the start.
 */
export interface RateLimit {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  fieldKeyring: Keyring;
  /** Identity's public keys: users' access tokens. */
  accessTokenKeys: VerificationKeys;
  /** The staff login's signing key: support agents' access tokens. */
  staffTokenSigningKey: SigningKey;
  /** The staff tokens accepted. */
  staffTokenKeys: VerificationKeys;
  /** Prefix of topics and groups (KAFKA_TOPIC_PREFIX), shared with the services. */
  topicPrefix: string;
  /** How long a route waits for a command's result before answering 504 TIMEOUT. */
  commandTimeoutMs: number;
  /** How long a payment route waits (payments answers `pending` after 25 s), then 504 TIMEOUT. */
  paymentTimeoutMs: number;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Express `trust proxy`: when true/number, the client IP comes from X-Forwarded-For. */
  trustProxy: boolean | number;
  rateLimits: {
    codeRequestsPerIp: RateLimit;
    codeRequestsPerPhone: RateLimit;
    loginsPerIp: RateLimit;
    loginsPerPhone: RateLimit;
  };
  /** Bound on the keys each rate limiter remembers (oldest evicted first). */
  rateLimiterMaxKeys: number;
  /** The staff who may log in at `POST /support/sessions`, by agent id. */
  staff: ReadonlyMap<string, StaffMember>;
  /** Lifetime of a staff access token. */
  supportTokenTtlMs: number;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

const MINUTE_MS = 60_000;

type Env = Readonly<Record<string, string | undefined>>;

/** A key from the environment (rules in libs/crypto), as a configuration error if missing or wrong. */
function configured<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
}

/** The staff login's signing key (`STAFF_TOKEN_SIGNING_KEY`); tests and the demo sign support tokens with it. */
export function staffTokenSigningKeyFrom(env: Env): SigningKey {
  return configured(() => signingKeyFromEnv(env, 'STAFF_TOKEN_SIGNING_KEY', 'staff'));
}

/** The public keys of each issuer; one key id names one issuer's key only, so a token's kind is never in doubt. */
function tokenKeys(env: Env, overrides: Partial<GatewayConfig>, staffTokenSigningKey: SigningKey): Record<TokenKind, VerificationKeys> {
  const user = overrides.accessTokenKeys ?? configured(() => verificationKeysFromEnv(env, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user'));
  const staff = overrides.staffTokenKeys ?? (env['STAFF_TOKEN_PUBLIC_KEYS']?.trim() ? configured(() => verificationKeysFromEnv(env, 'STAFF_TOKEN_PUBLIC_KEYS', 'staff')) : verificationKeysOf(staffTokenSigningKey));
  const shared = [...user.keys()].filter((kid) => staff.has(kid));
  if (shared.length > 0) throw new ConfigurationError(`the users' and the staff's token keys share the key id(s) ${shared.join(', ')}`);
  return { user, staff };
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadGatewayConfig(overrides: Partial<GatewayConfig> = {}, env: Env = process.env): GatewayConfig {
  const trustProxyRaw = env['GATEWAY_TRUST_PROXY'];
  const trustProxy = trustProxyRaw === undefined || trustProxyRaw === '' || trustProxyRaw === 'false' ? false : trustProxyRaw === 'true' ? true : integer(env, 'GATEWAY_TRUST_PROXY', 0);
  const staffTokenSigningKey = overrides.staffTokenSigningKey ?? staffTokenSigningKeyFrom(env);
  const keys = tokenKeys(env, overrides, staffTokenSigningKey);
  return {
    host: overrides.host ?? env['GATEWAY_HOST'] ?? '127.0.0.1',
    port: overrides.port ?? integer(env, 'GATEWAY_PORT', 3000),
    fieldKeyring: overrides.fieldKeyring ?? loadFieldKeyring(env, { allowDevelopmentKeys: true }),
    accessTokenKeys: keys.user,
    staffTokenSigningKey,
    staffTokenKeys: keys.staff,
    topicPrefix: overrides.topicPrefix ?? env['KAFKA_TOPIC_PREFIX'] ?? '',
    commandTimeoutMs: overrides.commandTimeoutMs ?? integer(env, 'GATEWAY_COMMAND_TIMEOUT_MS', 10_000),
    paymentTimeoutMs: overrides.paymentTimeoutMs ?? integer(env, 'GATEWAY_PAYMENT_TIMEOUT_MS', 30_000),
    bodyLimitBytes: overrides.bodyLimitBytes ?? integer(env, 'GATEWAY_BODY_LIMIT_BYTES', 16 * 1024),
    trustProxy: overrides.trustProxy ?? trustProxy,
    rateLimits: overrides.rateLimits ?? {
      codeRequestsPerIp: { max: 20, windowMs: 10 * MINUTE_MS },
      codeRequestsPerPhone: { max: 5, windowMs: 10 * MINUTE_MS },
      // Many users behind one address (an office NAT, a load test) need more than the default.
      loginsPerIp: { max: integer(env, 'GATEWAY_LOGINS_PER_IP', 30), windowMs: 10 * MINUTE_MS },
      loginsPerPhone: { max: 10, windowMs: 10 * MINUTE_MS },
    },
    rateLimiterMaxKeys: overrides.rateLimiterMaxKeys ?? 100_000,
    staff: overrides.staff ?? staffFrom(env['GATEWAY_STAFF']),
    supportTokenTtlMs: overrides.supportTokenTtlMs ?? integer(env, 'GATEWAY_SUPPORT_TOKEN_TTL_MS', 15 * MINUTE_MS),
  };
}

const AGENT_ID = /^[A-Za-z0-9-]{1,64}$/;

/** One staff account: the password's argon2id hash, the one role it has, and its TOTP secret (the second factor is mandatory). */
export interface StaffMember {
  passwordHash: string;
  role: StaffRole;
  totpSecret: Buffer;
}

/**
 * The staff registry from `GATEWAY_STAFF`: a JSON object of agent id → `{ passwordHash, role,
 * totpSecret }` (argon2id PHC hash; `support`, `teller` or `supervisor`; base32, at least 128 bits).
 * `node -r @swc-node/register apps/gateway/src/cli/add-staff-member.ts <role>` prints one entry and
 * the authenticator's provisioning URI. Only hashes and second-factor secrets are configured, never
 * passwords; a malformed entry stops the start rather than locking an agent out silently.
 */
export function staffFrom(raw: string | undefined): ReadonlyMap<string, StaffMember> {
  if (raw === undefined || raw.trim() === '') return new Map();
  const shape = 'GATEWAY_STAFF must be a JSON object of agent id → { passwordHash, role, totpSecret }';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(shape);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigurationError(shape);
  const staff = new Map<string, StaffMember>();
  for (const [agentId, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!AGENT_ID.test(agentId)) throw new ConfigurationError(`GATEWAY_STAFF: agent id ${JSON.stringify(agentId)} must be 1–64 letters, digits or dashes`);
    const { passwordHash, role, totpSecret } = (entry ?? {}) as Record<string, unknown>;
    if (!isLoginPasswordHash(passwordHash)) throw new ConfigurationError(`GATEWAY_STAFF: the passwordHash of ${agentId} is not an argon2id PHC string`);
    if (!(STAFF_ROLES as readonly unknown[]).includes(role)) throw new ConfigurationError(`GATEWAY_STAFF: the role of ${agentId} must be one of ${STAFF_ROLES.join(', ')}`);
    const secret = typeof totpSecret === 'string' && /^[A-Z2-7]+=*$/.test(totpSecret) ? base32Decode(totpSecret) : Buffer.alloc(0);
    if (secret.length < 16) throw new ConfigurationError(`GATEWAY_STAFF: ${agentId} needs a totpSecret (base32, at least 128 bits): the second factor is mandatory for staff`);
    staff.set(agentId, { passwordHash: passwordHash as string, role: role as StaffRole, totpSecret: secret });
  }
  return staff;
}

/** Injection token of the resolved `GatewayConfig`. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
