import {
  loadMessageKeyring,
  openingKeysFromEnv,
  sealingKeyFromEnv,
  verificationKeysFromEnv,
  type Keyring,
  type OpeningKeys,
  type SealingKey,
  type TokenKind,
  type VerificationKeys,
} from '@ledger/crypto';

/**
 * Everything the gateway reads from its environment, resolved once at start-up. Tests pass
 * overrides (the identity harness's keyring, low rate limits, a free port) instead of mutating
 * `process.env`.
 *
 * Keys, each for one duty, none that opens what the services keep: `IDENTITY_SEAL_PUBLIC_KEY`,
 * `CARDS_SEAL_PUBLIC_KEY`, `PAYMENTS_SEAL_PUBLIC_KEY` (the gateway seals each secret field for the
 * service that reads it, and cannot open it again); `GATEWAY_SEAL_PRIVATE_KEYS` (its own: it opens
 * the tokens identity seals for it in a login's result); `MESSAGE_KEYS`/`MESSAGE_KEY_ACTIVE` (the
 * keyed hash of a phone number that keys its commands on Kafka); `ACCESS_TOKEN_PUBLIC_KEYS`
 * (the public keys of identity's token issuer: the gateway verifies users' tokens and cannot mint
 * one); `STAFF_TOKEN_PUBLIC_KEYS` (the public keys of the staff issuer, also identity's; during a
 * rotation the old and the new). The gateway holds no signing key and no staff secret: staff log in
 * through identity. In development mode (`LEDGER_DEV_MODE=1`) each falls back to a well-known
 * development key; otherwise a missing one stops the start.
 */
export interface RateLimit {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** The public key of each service the gateway seals secret fields for. */
  sealFor: Readonly<Record<'identity' | 'cards' | 'payments', SealingKey>>;
  /** The gateway's own private keys: they open what identity seals for it (tokens, a provisioning URI). */
  sealOpeningKeys: OpeningKeys;
  /** Keys the Kafka message key of a phone-addressed command (a keyed hash, never the number). */
  messageKeyring: Keyring;
  /** Identity's public keys: users' access tokens. */
  accessTokenKeys: VerificationKeys;
  /** The staff issuer's public keys: the staff's access tokens. */
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

/** The public keys of each issuer; one key id names one issuer's key only, so a token's kind is never in doubt. */
function tokenKeys(env: Env, overrides: Partial<GatewayConfig>): Record<TokenKind, VerificationKeys> {
  const user = overrides.accessTokenKeys ?? configured(() => verificationKeysFromEnv(env, 'ACCESS_TOKEN_PUBLIC_KEYS', 'user'));
  const staff = overrides.staffTokenKeys ?? configured(() => verificationKeysFromEnv(env, 'STAFF_TOKEN_PUBLIC_KEYS', 'staff'));
  const shared = [...user.keys()].filter((kid) => staff.has(kid));
  if (shared.length > 0) throw new ConfigurationError(`the users' and the staff's token keys share the key id(s) ${shared.join(', ')}`);
  return { user, staff };
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new ConfigurationError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadGatewayConfig(overrides: Partial<GatewayConfig> = {}, env: Env = process.env): GatewayConfig {
  const trustProxyRaw = env['GATEWAY_TRUST_PROXY'];
  const trustProxy =
    trustProxyRaw === undefined || trustProxyRaw === '' || trustProxyRaw === 'false'
      ? false
      : trustProxyRaw === 'true'
        ? true
        : integer(env, 'GATEWAY_TRUST_PROXY', 0);
  const keys = tokenKeys(env, overrides);
  return {
    host: overrides.host ?? env['GATEWAY_HOST'] ?? '127.0.0.1',
    port: overrides.port ?? integer(env, 'GATEWAY_PORT', 3000),
    sealFor: overrides.sealFor ?? {
      identity: configured(() => sealingKeyFromEnv(env, 'identity')),
      cards: configured(() => sealingKeyFromEnv(env, 'cards')),
      payments: configured(() => sealingKeyFromEnv(env, 'payments')),
    },
    sealOpeningKeys: overrides.sealOpeningKeys ?? configured(() => openingKeysFromEnv(env, 'gateway')),
    messageKeyring: overrides.messageKeyring ?? configured(() => loadMessageKeyring(env, { allowDevelopmentKeys: true })),
    accessTokenKeys: keys.user,
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
  };
}

/** Injection token of the resolved `GatewayConfig`. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
