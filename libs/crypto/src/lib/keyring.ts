import { createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { DEV_MODE_VARIABLE, isDevMode } from '@ledger/util';

/** AES-256 and HMAC-SHA-256 keys are both 32 bytes; one keyring type serves both uses. */
export const KEY_LENGTH_BYTES = 32;

/**
 * Key ids travel inside every ciphertext and keyed hash, so they must never contain the `:` or `.`
 * separators and should stay short.
 */
const KEY_ID = /^[A-Za-z0-9-]{1,32}$/;

const secretKeys = new WeakMap<Buffer, KeyObject>();

/**
 * The key as a `KeyObject`, made once per key buffer. Node checks a key given as a Buffer on every
 * HMAC or cipher by trying it as a KeyObject first, a failed check that costs ~16 µs each time
 * (~19 µs against ~3 µs per HMAC on this machine); identity checks a password hash and decrypts a
 * field for every payment, the gateway checks a token and encrypts a field. Keys are never changed
 * in place, so a buffer's KeyObject stays right for as long as the buffer lives.
 */
export function secretKey(key: Buffer): KeyObject {
  let object = secretKeys.get(key);
  if (!object) {
    object = createSecretKey(key);
    secretKeys.set(key, object);
  }
  return object;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

/**
 * A set of named 32-byte keys with one active key. New ciphertexts and hashes use the active key;
 * older ones name their key id, so they stay readable after a rotation for as long as the old key
 * remains in the ring.
 *
 * Key material is kept private and hidden from `console.log`/`JSON.stringify`, so a keyring that
 * ends up in a log line leaks only its key ids.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Buffer> | Record<string, Buffer>,
    readonly activeKeyId: string,
    /** True only for the well-known development keys; services refuse them in production. */
    readonly isDevelopmentKeyring = false,
  ) {
    const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
    if (entries.length === 0) throw new KeyringError('a keyring needs at least one key');
    const copy = new Map<string, Buffer>();
    for (const [keyId, key] of entries) {
      if (!KEY_ID.test(keyId)) throw new KeyringError(`invalid key id ${JSON.stringify(keyId)}: use 1–32 letters, digits or '-'`);
      if (key.length !== KEY_LENGTH_BYTES) throw new KeyringError(`key ${keyId} must be ${KEY_LENGTH_BYTES} bytes, got ${key.length}`);
      copy.set(keyId, Buffer.from(key));
    }
    if (!copy.has(activeKeyId)) throw new KeyringError(`active key id ${JSON.stringify(activeKeyId)} is not in the keyring`);
    this.#keys = copy;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /** The active key, used for everything new. */
  activeKey(): { keyId: string; key: Buffer } {
    return { keyId: this.activeKeyId, key: this.keyFor(this.activeKeyId) };
  }

  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** The key with this id; throws if the ring does not hold it (a retired key or a misconfiguration). */
  keyFor(keyId: string): Buffer {
    const key = this.#keys.get(keyId);
    if (key === undefined) throw new KeyringError(`unknown key id ${JSON.stringify(keyId)}`);
    return key;
  }

  /**
   * Parses `"k1:<base64 32 bytes>,k2:<base64 32 bytes>"` (standard or URL-safe base64). The active
   * key must be named explicitly: guessing "the last one" would silently switch keys when someone
   * reorders the list.
   */
  static fromSpec(spec: string, activeKeyId: string): Keyring {
    const keys = new Map<string, Buffer>();
    for (const entry of spec
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)) {
      const separator = entry.indexOf(':');
      if (separator <= 0) throw new KeyringError('each key must look like <kid>:<base64 key>');
      const keyId = entry.slice(0, separator);
      if (keys.has(keyId)) throw new KeyringError(`duplicate key id ${JSON.stringify(keyId)}`);
      const encoded = entry.slice(separator + 1);
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw new KeyringError(`key ${keyId} is not base64`);
      keys.set(keyId, Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64'));
    }
    return new Keyring(keys, activeKeyId);
  }

  /** A keyring of fresh random keys, for tests and for generating production key material. */
  static generate(keyIds: readonly string[] = ['k1'], activeKeyId = keyIds[0]): Keyring {
    if (activeKeyId === undefined) throw new KeyringError('a keyring needs at least one key');
    return new Keyring(new Map(keyIds.map((keyId) => [keyId, randomBytes(KEY_LENGTH_BYTES)])), activeKeyId);
  }

  /** Renders a keyring in the `fromSpec` format, for writing a freshly generated ring into a secret store. */
  toSpec(): string {
    return [...this.#keys.entries()].map(([keyId, key]) => `${keyId}:${key.toString('base64')}`).join(',');
  }

  toJSON(): { activeKeyId: string; keyIds: string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `Keyring(active=${this.activeKeyId}, keys=[${this.keyIds.join(', ')}]${this.isDevelopmentKeyring ? ', development' : ''})`;
  }
}

/**
 * Deterministic, publicly known keys for local development and tests. They are derived from a fixed
 * label (not random) so that a restarted local service can still read what it wrote before; that
 * also means they protect nothing, hence `isDevelopmentKeyring` and the production guard below.
 */
export function developmentKeyring(purpose: KeyringPurpose): Keyring {
  const key = Buffer.from(hkdfSync('sha256', 'e-wallet-ledger development key (not secret)', 'ledger', purpose, KEY_LENGTH_BYTES));
  return new Keyring(new Map([['dev', key]]), 'dev', true);
}

/** What a keyring is for: each purpose has its own keys. */
export type KeyringPurpose = 'field-encryption' | 'hash-pepper' | 'message-key';

export interface KeyringEnvNames {
  /** Variable with `kid:base64,kid:base64`. */
  keys: string;
  /** Variable with the active key id. */
  activeKeyId: string;
}

export const FIELD_KEYRING_ENV: KeyringEnvNames = { keys: 'FIELD_KEYS', activeKeyId: 'FIELD_KEY_ACTIVE' };
export const PEPPER_KEYRING_ENV: KeyringEnvNames = { keys: 'HASH_PEPPER_KEYS', activeKeyId: 'HASH_PEPPER_ACTIVE' };
export const MESSAGE_KEYRING_ENV: KeyringEnvNames = { keys: 'MESSAGE_KEYS', activeKeyId: 'MESSAGE_KEY_ACTIVE' };

export interface LoadKeyringOptions {
  /**
   * Fall back to `developmentKeyring` when the variables are absent, in development mode only
   * (`LEDGER_DEV_MODE=1`); otherwise an error is thrown, so a forgotten secret can never silently
   * downgrade a deployed service to public keys.
   */
  allowDevelopmentKeys?: boolean;
}

function loadKeyring(
  names: KeyringEnvNames,
  purpose: KeyringPurpose,
  env: Readonly<Record<string, string | undefined>>,
  options: LoadKeyringOptions,
): Keyring {
  const spec = env[names.keys];
  if (spec === undefined || spec.trim() === '') {
    if (options.allowDevelopmentKeys === true && isDevMode(env)) return developmentKeyring(purpose);
    throw new KeyringError(
      `${names.keys} is not set: give explicit keys ("k1:<base64 32 bytes>") and ${names.activeKeyId} (the public development keys need ${DEV_MODE_VARIABLE}=1)`,
    );
  }
  const activeKeyId = env[names.activeKeyId];
  if (activeKeyId === undefined || activeKeyId.trim() === '')
    throw new KeyringError(`${names.activeKeyId} is not set: name the active key id explicitly`);
  return Keyring.fromSpec(spec, activeKeyId.trim());
}

/** The field-encryption keyring from `FIELD_KEYS` and `FIELD_KEY_ACTIVE`. */
export function loadFieldKeyring(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadKeyringOptions = {},
): Keyring {
  return loadKeyring(FIELD_KEYRING_ENV, 'field-encryption', env, options);
}

/** The keyed-hash (pepper) keyring from `HASH_PEPPER_KEYS` and `HASH_PEPPER_ACTIVE`. */
export function loadPepperKeyring(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadKeyringOptions = {},
): Keyring {
  return loadKeyring(PEPPER_KEYRING_ENV, 'hash-pepper', env, options);
}

/**
 * The keyring of Kafka message keys for personal values (`messageKeyOf`) from `MESSAGE_KEYS` and
 * `MESSAGE_KEY_ACTIVE`: the gateway's, which keys phone-addressed commands by it and holds no key
 * that opens or fingerprints anything.
 */
export function loadMessageKeyring(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadKeyringOptions = {},
): Keyring {
  return loadKeyring(MESSAGE_KEYRING_ENV, 'message-key', env, options);
}
