import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { secretKey, type Keyring } from './keyring';

/**
 * Field-level encryption (docs/design.md §5): AES-256-GCM with a key id, rendered as a self-describing
 * string that can sit in a JSON field of a Kafka message, an event or a table column:
 *
 *     enc:v1:<kid>:<iv b64url>:<ciphertext b64url>:<tag b64url>
 *
 * The version, key id and the caller's associated data (AAD) are authenticated together with the
 * ciphertext. Binding the AAD to the field name means a password ciphertext cannot be replayed as,
 * say, an SMS code, and editing the key id in the header makes decryption fail rather than
 * silently trying another key.
 */
const PREFIX = 'enc';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = '[A-Za-z0-9_-]';
const TOKEN = new RegExp(`^${PREFIX}:${VERSION}:([A-Za-z0-9-]{1,32}):(${B64URL}{16}):(${B64URL}*):(${B64URL}{22})$`);

export type FieldDecryptionFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

export class FieldDecryptionError extends Error {
  constructor(
    readonly reason: FieldDecryptionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

function associatedData(keyId: string, aad: string | undefined): Buffer {
  // A NUL separates header and caller AAD; neither a key id nor the header can contain one, so
  // no two (kid, aad) pairs produce the same bytes.
  return Buffer.from(`${PREFIX}:${VERSION}:${keyId}\u0000${aad ?? ''}`, 'utf8');
}

/** Encrypts a UTF-8 string with the keyring's active key. A fresh random IV is used every time. */
export function encryptField(plaintext: string, keyring: Keyring, aad?: string): string {
  const { keyId, key } = keyring.activeKey();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secretKey(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(keyId, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, VERSION, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join(':');
}

/**
 * Decrypts a token made by `encryptField`, with whichever key of the ring it names (so tokens made
 * before a rotation still open). The same `aad` must be given as at encryption. Throws
 * `FieldDecryptionError` for a malformed token, a key the ring does not hold, or any tampering.
 */
export function decryptField(token: string, keyring: Keyring, aad?: string): string {
  const match = TOKEN.exec(token);
  if (match === null) throw new FieldDecryptionError('malformed', 'not an encrypted field token');
  const [, keyId, ivText, ciphertextText, tagText] = match as unknown as [string, string, string, string, string];
  if (!keyring.hasKey(keyId)) throw new FieldDecryptionError('unknown_key', `no key ${JSON.stringify(keyId)} in the keyring`);
  const decipher = createDecipheriv('aes-256-gcm', secretKey(keyring.keyFor(keyId)), Buffer.from(ivText, 'base64url'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(associatedData(keyId, aad));
  decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // GCM does not say what was wrong, and neither should we: key, AAD and bytes are all suspects.
    throw new FieldDecryptionError('authentication_failed', 'encrypted field failed authentication (tampered, wrong key or wrong field)');
  }
}

/** True for a string shaped like an `encryptField` token (shape only; it says nothing about authenticity). */
export function isEncryptedField(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}

/** The key id an encrypted field names, e.g. to find tokens still under a retired key. */
export function encryptedFieldKeyId(token: string): string {
  const match = TOKEN.exec(token);
  if (match === null || match[1] === undefined) throw new FieldDecryptionError('malformed', 'not an encrypted field token');
  return match[1];
}

/** Re-encrypts a token under the active key (key rotation); a token already under it is returned unchanged. */
export function reencryptField(token: string, keyring: Keyring, aad?: string): string {
  if (encryptedFieldKeyId(token) === keyring.activeKeyId) {
    decryptField(token, keyring, aad); // still authenticate, so rotation never blesses a tampered token
    return token;
  }
  return encryptField(decryptField(token, keyring, aad), keyring, aad);
}
