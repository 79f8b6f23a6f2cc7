import { loadFieldKeyring, loadPepperKeyring, openingKeysFromEnv, type Keyring, type OpeningKeys } from '@ledger/crypto';
import { DEFAULT_BIN_TABLE, DEFAULT_MAX_CARDS_PER_USER, type CardBinTable } from '@ledger/cards-domain';
import { DEV_MODE_VARIABLE, isDevMode, systemClock, type Clock } from '@ledger/util';

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
  /** Only the in-process simulator exists; production refuses it (see loadCardsConfig). */
  issuer: 'simulator';
  /** How long the simulator waits before a simulated timeout throws. */
  simulatorTimeoutMs: number;
  /** Generated load-test cards the simulator knows besides its test cards (CARD_SIMULATOR_LOAD_CARDS, for benchmarks). */
  simulatorLoadTestCards: number;
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
  const issuer = env['CARD_ISSUER'] ?? 'simulator';
  if (issuer !== 'simulator') throw new ConfigurationError(`CARD_ISSUER=${issuer} is not supported; only the local simulator exists`);
  // The simulator approves made-up cards: a production service using it would bind cards nobody checked.
  if (!isDevMode(env))
    throw new ConfigurationError(`the card issuer is simulated and no issuer adapter exists: it runs only with ${DEV_MODE_VARIABLE}=1`);
  const databaseUrl = overrides.databaseUrl ?? env['DATABASE_URL'];
  if (!databaseUrl) throw new ConfigurationError('DATABASE_URL is not set');
  return {
    fieldKeyring: overrides.fieldKeyring ?? loadFieldKeyring(env, { allowDevelopmentKeys: true }),
    sealOpeningKeys: overrides.sealOpeningKeys ?? openingKeysFromEnv(env, 'cards'),
    pepperKeyring: overrides.pepperKeyring ?? loadPepperKeyring(env, { allowDevelopmentKeys: true }),
    clock: overrides.clock ?? systemClock,
    issuer: 'simulator',
    simulatorTimeoutMs: overrides.simulatorTimeoutMs ?? 5_000,
    simulatorLoadTestCards: overrides.simulatorLoadTestCards ?? Number(env['CARD_SIMULATOR_LOAD_CARDS'] ?? 0),
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
