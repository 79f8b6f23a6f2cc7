import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { secretKey, type Keyring } from './keyring';

/**
 * Keyed hashes: HMAC-SHA-256 with a server-side pepper key (docs/design.md §5).
 *
 * Used where a slow password hash is the wrong tool: a 6-digit payment password has only 10^6
 * values, so no hash cost can protect it offline, and argon2 on every payment would cost tens of
 * milliseconds of CPU. The pepper key, which never sits next to the data, is what protects it;
 * online lockout does the rest. The same primitive gives stable fingerprints of phone and card
 * numbers, used for stream ids such as `phone-<fingerprint>` and duplicate detection.
 *
 * Every hash is domain-separated by a purpose label and its inputs are length-prefixed, so the
 * fingerprint of a phone number can never equal the hash of a code, and ("ab","c") never collides
 * with ("a","bc").
 */
export const HASH_PURPOSE = {
  paymentPassword: 'payment-password',
  verificationCode: 'verification-code',
  phone: 'phone',
  card: 'card',
  idNumber: 'id-number',
  /** What is stored of a second-factor recovery code. */
  recoveryCode: 'recovery-code',
  /** The derivation of a recovery code itself (never stored), distinct from its stored hash. */
  recoveryCodeSecret: 'recovery-code-secret',
} as const;

const HASH_PREFIX = 'hs256';
const STORED = /^hs256:([A-Za-z0-9-]{1,32}):([A-Za-z0-9_-]{43})$/;

export class KeyedHashFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyedHashFormatError';
  }
}

function mac(key: Buffer, purpose: string, parts: readonly string[]): Buffer {
  const hmac = createHmac('sha256', secretKey(key));
  for (const part of [purpose, ...parts]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest();
}

/** `hs256:<kid>:<b64url digest>` under the active key; store this, never the input. */
export function keyedHash(purpose: string, parts: readonly string[], keyring: Keyring): string {
  const { keyId, key } = keyring.activeKey();
  return `${HASH_PREFIX}:${keyId}:${mac(key, purpose, parts).toString('base64url')}`;
}

/**
 * Recomputes the hash with the key the stored value names and compares in constant time. A stored
 * value under a key the ring no longer holds throws (a configuration error, not a wrong password:
 * answering `false` would lock users out silently).
 */
export function verifyKeyedHash(purpose: string, parts: readonly string[], stored: string, keyring: Keyring): boolean {
  const match = STORED.exec(stored);
  if (match === null || match[1] === undefined || match[2] === undefined)
    throw new KeyedHashFormatError('not a keyed hash (hs256:<kid>:<digest>)');
  const expected = Buffer.from(match[2], 'base64url');
  const actual = mac(keyring.keyFor(match[1]), purpose, parts);
  return timingSafeEqual(expected, actual);
}

/** True when the stored hash was made with a key other than the active one (rehash on next success). */
export function keyedHashNeedsRehash(stored: string, keyring: Keyring): boolean {
  const match = STORED.exec(stored);
  if (match === null) throw new KeyedHashFormatError('not a keyed hash (hs256:<kid>:<digest>)');
  return match[1] !== keyring.activeKeyId;
}

/**
 * A deterministic identifier for a value, `<kid>.<64 hex>`, safe to put in stream ids
 * (`phone-<fingerprint>`) and Kafka keys. The key id is part of it so that a rotation cannot make
 * two different fingerprints look alike.
 */
export function fingerprint(purpose: string, value: string, keyring: Keyring): string {
  const { keyId, key } = keyring.activeKey();
  return `${keyId}.${mac(key, purpose, [value]).toString('hex')}`;
}

/**
 * The fingerprints of a value under every key in the ring, active key first. Uniqueness checks
 * must look at all of them after a rotation, because a reservation made under the old key has the
 * old fingerprint.
 */
export function fingerprintCandidates(purpose: string, value: string, keyring: Keyring): string[] {
  const keyIds = [keyring.activeKeyId, ...keyring.keyIds.filter((keyId) => keyId !== keyring.activeKeyId)];
  return keyIds.map((keyId) => `${keyId}.${mac(keyring.keyFor(keyId), purpose, [value]).toString('hex')}`);
}

/**
 * Payment passwords are hashed together with the user id: with only 10^6 possible passwords, an
 * unsalted keyed hash would reveal which users share a password to anyone reading the events.
 */
export function hashPaymentPassword(userId: string, paymentPassword: string, keyring: Keyring): string {
  return keyedHash(HASH_PURPOSE.paymentPassword, [userId, paymentPassword], keyring);
}

export function verifyPaymentPassword(userId: string, paymentPassword: string, stored: string, keyring: Keyring): boolean {
  return verifyKeyedHash(HASH_PURPOSE.paymentPassword, [userId, paymentPassword], stored, keyring);
}

/**
 * SMS codes are hashed bound to the phone fingerprint, purpose and code id, so a hash of one code
 * says nothing about another and cannot be moved between phones or purposes.
 */
export function hashVerificationCode(phoneFingerprint: string, purpose: string, codeId: string, code: string, keyring: Keyring): string {
  return keyedHash(HASH_PURPOSE.verificationCode, [phoneFingerprint, purpose, codeId, code], keyring);
}

export function verifyVerificationCode(
  phoneFingerprint: string,
  purpose: string,
  codeId: string,
  code: string,
  stored: string,
  keyring: Keyring,
): boolean {
  return verifyKeyedHash(HASH_PURPOSE.verificationCode, [phoneFingerprint, purpose, codeId, code], stored, keyring);
}

/** Subkeys for Kafka message keys, one per ring key, derived once (HKDF): the ring's key itself is never used for two primitives. */
const messageKeySubkeys = new WeakMap<Buffer, Buffer>();

/**
 * A Kafka message key for a personal value (a phone number) that must not travel in clear: a keyed
 * hash under a subkey derived from the ring's active key, so records of one value stay in one
 * partition while a reader of the topic, without the key, cannot tell whose they are. Stable until
 * the ring's active key changes (after a rotation a value's records may move partition once; the
 * services never relied on order across senders).
 */
export function messageKeyOf(purpose: string, value: string, keyring: Keyring): string {
  const { key } = keyring.activeKey();
  let subkey = messageKeySubkeys.get(key);
  if (subkey === undefined) {
    subkey = Buffer.from(hkdfSync('sha256', key, 'ledger', 'kafka-message-key', 32));
    messageKeySubkeys.set(key, subkey);
  }
  return `mk-${mac(subkey, purpose, [value]).subarray(0, 16).toString('base64url')}`;
}
