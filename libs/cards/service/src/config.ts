import { loadFieldKeyring, loadPepperKeyring, openingKeysFromEnv, type Keyring, type OpeningKeys } from '@ledger/crypto';
import { DEFAULT_BIN_TABLE, DEFAULT_MAX_CARDS_PER_USER, type CardBinTable } from '@ledger/cards-domain';
import { partnerEndpointFromEnv, type PartnerClientOptions } from '@ledger/partners-http';
import { systemClock, type Clock } from '@ledger/util';

/**
 * Everything the cards service reads from its environment, resolved once at start-up. Tests pass
 * overrides (their own keyrings, clock, database and topic prefix) instead of mutating `process.env`.
 *
 * Keys: `FIELD_KEYS`/`FIELD_KEY_ACTIVE` (field encryption, shared with the gateway: opens the
 * encrypted card number) and `HASH_PEPPER_KEYS`/`HASH_PEPPER_ACTIVE` (the keyed card fingerprint).
 * In development mode (`LEDGER_DEV_MODE=1`) each falls back to a well-known development key;
 * otherwise a missing key stops the service at start-up, whatever `NODE_ENV` says.
 */
export interface CardsConfig {
  fieldKeyring: Keyring;
  /** Cards' X25519 private keys (`CARDS_SEAL_PRIVATE_KEYS`): they open the fields the gateway sealed for cards. */
  sealOpeningKeys: OpeningKeys;
  pepperKeyring: Keyring;
  clock: Clock;
  /**
   * The card issuer's HTTP API: CARDS_ISSUER_URL, CARDS_ISSUER_KEY (`<keyId>:<secret>`),
   * CARDS_ISSUER_TIMEOUT_MS; in development mode the partner simulator app when unset.
   */
  issuer: PartnerClientOptions;
  binTable: CardBinTable;
  maxCardsPerUser: number;
  /**
   * A fingerprint reservation whose card never reached its user's stream is treated as abandoned
   * (a crash between the two appends) once it is this old; younger ones answer
   * CARD_BINDING_IN_PROGRESS. Far longer than a binding takes (one issuer call, two appends).
   */
  orphanReservationTtlMs: number;
  /** How long UnbindCard waits for identity's VerifyPaymentPassword result, and BindCard for its VerifySecondFactor result. */
  identityTimeoutMs: number;
  /** Prefix of every topic and consumer group (isolated test runs); the command topic's prefix is applied by `startCommandService`. */
  topicPrefix: string;
  /** The event store (`postgres://` or `kurrentdb://`); defaults to EVENT_STORE_URL, then DATABASE_URL. */
  eventStoreUrl: string;
  /** PostgreSQL for the read model. */
  databaseUrl: string;
  /** Start the Kafka relay of committed events and the wallet-events follower. */
  relay: boolean;
}

export const EVENT_STORE_SCHEMA = 'cards';
export const READ_MODEL_SCHEMA = 'cards_read';

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function loadCardsConfig(
  overrides: Partial<CardsConfig> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): CardsConfig {
  const databaseUrl = overrides.databaseUrl ?? env['DATABASE_URL'];
  if (!databaseUrl) throw new ConfigurationError('DATABASE_URL is not set');
  return {
    fieldKeyring: overrides.fieldKeyring ?? loadFieldKeyring(env, { allowDevelopmentKeys: true }),
    sealOpeningKeys: overrides.sealOpeningKeys ?? openingKeysFromEnv(env, 'cards'),
    pepperKeyring: overrides.pepperKeyring ?? loadPepperKeyring(env, { allowDevelopmentKeys: true }),
    clock: overrides.clock ?? systemClock,
    issuer:
      overrides.issuer ??
      partnerEndpointFromEnv(
        { partner: 'issuer', urlVariable: 'CARDS_ISSUER_URL', keyVariable: 'CARDS_ISSUER_KEY', timeoutVariable: 'CARDS_ISSUER_TIMEOUT_MS' },
        env,
      ),
    binTable: overrides.binTable ?? DEFAULT_BIN_TABLE,
    maxCardsPerUser: overrides.maxCardsPerUser ?? DEFAULT_MAX_CARDS_PER_USER,
    orphanReservationTtlMs: overrides.orphanReservationTtlMs ?? 2 * 60_000,
    identityTimeoutMs: overrides.identityTimeoutMs ?? 10_000,
    topicPrefix: overrides.topicPrefix ?? env['KAFKA_TOPIC_PREFIX'] ?? '',
    eventStoreUrl: overrides.eventStoreUrl ?? env['EVENT_STORE_URL'] ?? databaseUrl,
    databaseUrl,
    relay: overrides.relay ?? true,
  };
}

/** Injection token of the resolved `CardsConfig`. */
export const CARDS_CONFIG = Symbol('CARDS_CONFIG');
