import {
  ARGON2_OWASP_PARAMS,
  loadFieldKeyring,
  loadPepperKeyring,
  openingKeysFromEnv,
  sealingKeyFromEnv,
  signingKeyFromEnv,
  type Argon2Params,
  type Keyring,
  type OpeningKeys,
  type SealingKey,
  type SigningKey,
} from '@ledger/crypto';
import { DEFAULT_IDENTITY_POLICY, type IdentityPolicy } from '@ledger/identity-domain';
import { parseMinor, systemClock, type Clock } from '@ledger/util';
import { partnerEndpointFromEnv, type PartnerClientOptions } from '@ledger/partners-http';
import { STAFF_REGISTRY_VARIABLE, staffRegistryFrom, type StaffMember } from './use-cases/staff/staff-registry';

/**
 * Everything the identity service reads from its environment, resolved once at start-up. Tests
 * pass overrides (their own keyrings, a manual clock, a temp outbox, their own database and topic
 * prefix) instead of mutating `process.env`.
 *
 * Keys: `FIELD_KEYS`/`FIELD_KEY_ACTIVE` (field encryption at rest and between the services),
 * `IDENTITY_SEAL_PRIVATE_KEYS` (opens what the gateway sealed for identity), `GATEWAY_SEAL_PUBLIC_KEY`
 * (seals the tokens of a result for the gateway),
 * `HASH_PEPPER_KEYS`/`HASH_PEPPER_ACTIVE` (keyed hashes: phone fingerprints, payment passwords,
 * SMS codes, refresh tokens) and `ACCESS_TOKEN_SIGNING_KEY` (the users' token issuer's Ed25519
 * private JWK with its `kid`: only identity holds it; the gateway verifies with its public half),
 * `STAFF_TOKEN_SIGNING_KEY` (the staff issuer's, another key) and the staff registry
 * `IDENTITY_STAFF` (password hashes and authenticator secrets: only identity holds them).
 * In development mode (`LEDGER_DEV_MODE=1`) each falls back to a well-known development key;
 * otherwise a missing key stops the service at start-up, whatever `NODE_ENV` says.
 */
export interface IdentityConfig {
  fieldKeyring: Keyring;
  /** Identity's X25519 private keys (`IDENTITY_SEAL_PRIVATE_KEYS`): they open the fields the gateway sealed for identity. */
  sealOpeningKeys: OpeningKeys;
  /** The gateway's public key (`GATEWAY_SEAL_PUBLIC_KEY`): tokens and provisioning URIs in results are sealed for it. */
  gatewaySealingKey: SealingKey;
  pepperKeyring: Keyring;
  accessTokenSigningKey: SigningKey;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** The staff who may log in (`IDENTITY_STAFF`), by agent id. */
  staff: ReadonlyMap<string, StaffMember>;
  /** Signs staff access tokens (issuer `ledger-staff`). */
  staffTokenSigningKey: SigningKey;
  /** Lifetime of a staff access token (`IDENTITY_STAFF_TOKEN_TTL_MS`, default 15 min). */
  staffTokenTtlMs: number;
  /** Staff login attempts allowed per client address and window, counted in PostgreSQL across instances (`IDENTITY_STAFF_LOGINS_PER_ADDRESS`, default 30 in 10 min). */
  staffLoginsPerAddress: StaffLoginLimit;
  clock: Clock;
  /**
   * The deciders' limits: the defaults, except the amount above which a money movement asks a user
   * with the second factor on for a dynamic code (`IDENTITY_SECOND_FACTOR_ABOVE_MINOR`, fen, default
   * 50000 = ¥500). Tests pass a whole policy instead.
   */
  policy: Readonly<IdentityPolicy>;
  argon2: Readonly<Argon2Params>;
  /**
   * The SMS gateway's HTTP API: IDENTITY_SMS_URL, IDENTITY_SMS_KEY (`<keyId>:<secret>`),
   * IDENTITY_SMS_TIMEOUT_MS; in development mode the partner simulator app (its inbox) when unset.
   */
  sms: PartnerClientOptions;
  /** Prefix of the event topic and of consumer groups; the command topic's prefix is applied by `startCommandService`. */
  topicPrefix: string;
  /** The event store (`postgres://` or `kurrentdb://`); defaults to EVENT_STORE_URL, then DATABASE_URL. */
  eventStoreUrl: string;
  /** PostgreSQL for the read models. */
  databaseUrl: string;
  /** Start the Kafka relay of committed events (tests of pure command handling may turn it off). */
  relay: boolean;
}

export interface StaffLoginLimit {
  /** Attempts allowed per client address and window. */
  max: number;
  windowMs: number;
}

/** 30 staff login attempts per client address in 10 minutes (see use-cases/staff/staff-login-limits.ts). */
export const DEFAULT_STAFF_LOGINS_PER_ADDRESS: StaffLoginLimit = { max: 30, windowMs: 10 * 60_000 };

export const EVENT_STORE_SCHEMA = 'identity';
export const READ_MODEL_SCHEMA = 'identity_read';

const MINUTE_MS = 60_000;

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Any configuration error as a ConfigurationError, so a bad start names what is wrong and nothing else. */
function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new ConfigurationError((error as Error).message);
  }
}

export function loadIdentityConfig(
  overrides: Partial<IdentityConfig> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): IdentityConfig {
  const databaseUrl = overrides.databaseUrl ?? env['DATABASE_URL'];
  if (!databaseUrl) throw new ConfigurationError('DATABASE_URL is not set');
  return {
    fieldKeyring: overrides.fieldKeyring ?? loadFieldKeyring(env, { allowDevelopmentKeys: true }),
    sealOpeningKeys: overrides.sealOpeningKeys ?? configured(() => openingKeysFromEnv(env, 'identity')),
    gatewaySealingKey: overrides.gatewaySealingKey ?? configured(() => sealingKeyFromEnv(env, 'gateway')),
    pepperKeyring: overrides.pepperKeyring ?? loadPepperKeyring(env, { allowDevelopmentKeys: true }),
    accessTokenSigningKey: overrides.accessTokenSigningKey ?? configured(() => signingKeyFromEnv(env, 'ACCESS_TOKEN_SIGNING_KEY', 'user')),
    accessTokenTtlMs: overrides.accessTokenTtlMs ?? 15 * MINUTE_MS,
    refreshTokenTtlMs: overrides.refreshTokenTtlMs ?? 30 * 24 * 60 * MINUTE_MS,
    staff: overrides.staff ?? configured(() => staffRegistryFrom(env[STAFF_REGISTRY_VARIABLE])),
    staffTokenSigningKey: overrides.staffTokenSigningKey ?? configured(() => signingKeyFromEnv(env, 'STAFF_TOKEN_SIGNING_KEY', 'staff')),
    staffTokenTtlMs: overrides.staffTokenTtlMs ?? positiveInteger(env, 'IDENTITY_STAFF_TOKEN_TTL_MS', 15 * MINUTE_MS),
    staffLoginsPerAddress: overrides.staffLoginsPerAddress ?? {
      ...DEFAULT_STAFF_LOGINS_PER_ADDRESS,
      max: positiveInteger(env, 'IDENTITY_STAFF_LOGINS_PER_ADDRESS', DEFAULT_STAFF_LOGINS_PER_ADDRESS.max),
    },
    clock: overrides.clock ?? systemClock,
    policy:
      overrides.policy ??
      Object.freeze({
        ...DEFAULT_IDENTITY_POLICY,
        secondFactorAboveMinor: amountMinor(env, 'IDENTITY_SECOND_FACTOR_ABOVE_MINOR', DEFAULT_IDENTITY_POLICY.secondFactorAboveMinor),
      }),
    argon2: overrides.argon2 ?? ARGON2_OWASP_PARAMS,
    sms:
      overrides.sms ??
      configured(() =>
        partnerEndpointFromEnv(
          { partner: 'sms', urlVariable: 'IDENTITY_SMS_URL', keyVariable: 'IDENTITY_SMS_KEY', timeoutVariable: 'IDENTITY_SMS_TIMEOUT_MS' },
          env,
        ),
      ),
    topicPrefix: overrides.topicPrefix ?? env['KAFKA_TOPIC_PREFIX'] ?? '',
    eventStoreUrl: overrides.eventStoreUrl ?? env['EVENT_STORE_URL'] ?? databaseUrl,
    databaseUrl,
    relay: overrides.relay ?? true,
  };
}

function positiveInteger(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ConfigurationError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** An amount of fen from the environment: a whole, non-negative decimal number, or the fallback when unset. */
function amountMinor(env: Readonly<Record<string, string | undefined>>, name: string, fallback: bigint): bigint {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  try {
    return parseMinor(raw.trim());
  } catch {
    throw new ConfigurationError(`${name} must be a whole number of fen (e.g. 50000 for ¥500), got ${JSON.stringify(raw)}`);
  }
}

/** Injection token of the resolved `IdentityConfig`. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
