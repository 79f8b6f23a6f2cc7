/**
 * The Ed25519 keys of signed checkpoints. The private key never lives in the database the checkpoints
 * protect: it comes from the environment (`EVENT_CHECKPOINT_SIGNING_KEY`), so someone who can rewrite
 * the event tables still cannot sign a checkpoint that matches the rewritten history. Verifiers hold
 * public keys only (`EVENT_CHECKPOINT_PUBLIC_KEYS`), looked up by the key id every checkpoint names.
 *
 *   EVENT_CHECKPOINT_SIGNING_KEY = <keyId>:<base64 of the 32-byte seed, or of the PKCS #8 DER key>
 *   EVENT_CHECKPOINT_PUBLIC_KEYS = <keyId>:<base64 of the 32-byte public key, or of the SPKI DER key>,…
 *
 * Without them, development mode (`LEDGER_DEV_MODE=1`) uses a well-known development key, derived
 * from a public label like the other development keys: it proves nothing and is refused elsewhere.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { requireDevMode } from '@ledger/util';

export const CHECKPOINT_SIGNING_KEY_VARIABLE = 'EVENT_CHECKPOINT_SIGNING_KEY';
export const CHECKPOINT_PUBLIC_KEYS_VARIABLE = 'EVENT_CHECKPOINT_PUBLIC_KEYS';
/** The key id of the development key: a checkpoint signed under it is worthless outside a developer's machine. */
export const DEVELOPMENT_CHECKPOINT_KEY_ID = 'dev-checkpoints';

/** A checkpoint signer's private key and the id its checkpoints name it by. */
export interface CheckpointSigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** The public keys a verifier trusts, by key id (during a rotation, the old and the new). */
export type CheckpointVerificationKeys = ReadonlyMap<string, KeyObject>;

/** A key given in a form that is not an Ed25519 key with a valid id. */
export class CheckpointKeyError extends Error {
  readonly code = 'CHECKPOINT_KEY';

  constructor(message: string) {
    super(message);
    this.name = 'CheckpointKeyError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Key ids travel in every checkpoint and in the `<keyId>:<key>` specs, so no `:` or `,`. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** Ed25519's PKCS #8 prefix: a private key is this followed by its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** Ed25519's SPKI prefix: a public key is this followed by its 32 bytes (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_BYTES = 32;
/** A public-key list longer than this is a misconfiguration, not a rotation. */
const MAX_PUBLIC_KEYS = 32;

/** Parses `<keyId>:<base64 seed or PKCS #8 DER>`. */
export function parseSigningKey(spec: string, variable = CHECKPOINT_SIGNING_KEY_VARIABLE): CheckpointSigningKey {
  const { keyId, bytes } = splitSpec(spec.trim(), variable);
  let der: Buffer;
  if (bytes.length === KEY_BYTES) der = Buffer.concat([ED25519_PKCS8_PREFIX, bytes]);
  else der = bytes;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new CheckpointKeyError(`${variable}: key ${keyId} is neither a 32-byte Ed25519 seed nor a PKCS #8 DER key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new CheckpointKeyError(`${variable}: key ${keyId} is not an Ed25519 key`);
  return { keyId, privateKey };
}

/** Parses `<keyId>:<base64 public key or SPKI DER>,…`. */
export function parsePublicKeys(spec: string, variable = CHECKPOINT_PUBLIC_KEYS_VARIABLE): CheckpointVerificationKeys {
  const entries = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (entries.length === 0) throw new CheckpointKeyError(`${variable} names no key`);
  if (entries.length > MAX_PUBLIC_KEYS) throw new CheckpointKeyError(`${variable} names more than ${MAX_PUBLIC_KEYS} keys`);
  const keys = new Map<string, KeyObject>();
  for (const entry of entries) {
    const { keyId, bytes } = splitSpec(entry, variable);
    if (keys.has(keyId)) throw new CheckpointKeyError(`${variable}: key id ${keyId} appears twice`);
    const der = bytes.length === KEY_BYTES ? Buffer.concat([ED25519_SPKI_PREFIX, bytes]) : bytes;
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      throw new CheckpointKeyError(`${variable}: key ${keyId} is neither a 32-byte Ed25519 public key nor an SPKI DER key`);
    }
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new CheckpointKeyError(`${variable}: key ${keyId} is not an Ed25519 key`);
    keys.set(keyId, publicKey);
  }
  return keys;
}

/**
 * The signing key from `EVENT_CHECKPOINT_SIGNING_KEY`; in development mode a missing one means the
 * development key. Outside it a missing key stops the caller (`DevModeRequired`), so a deployment
 * never signs with a public key.
 */
export function signingKeyFromEnv(env: Env = process.env): CheckpointSigningKey {
  const configured = env[CHECKPOINT_SIGNING_KEY_VARIABLE]?.trim();
  if (configured) return parseSigningKey(configured);
  requireDevMode(`${CHECKPOINT_SIGNING_KEY_VARIABLE} is not set (the key event checkpoints are signed with)`, env);
  return developmentCheckpointKey();
}

/**
 * The public keys from `EVENT_CHECKPOINT_PUBLIC_KEYS`; in development mode a missing list means the
 * development key's public half.
 */
export function verificationKeysFromEnv(env: Env = process.env): CheckpointVerificationKeys {
  const configured = env[CHECKPOINT_PUBLIC_KEYS_VARIABLE]?.trim();
  if (configured) return parsePublicKeys(configured);
  requireDevMode(`${CHECKPOINT_PUBLIC_KEYS_VARIABLE} is not set (the public keys that verify event checkpoints)`, env);
  return verificationKeysOf(developmentCheckpointKey());
}

/** The well-known development key, derived from a public label: anyone can make it. */
export function developmentCheckpointKey(): CheckpointSigningKey {
  const seed = Buffer.from(
    hkdfSync('sha256', 'e-wallet-ledger development key (not secret)', 'ledger', 'event-checkpoint-ed25519', KEY_BYTES),
  );
  return {
    keyId: DEVELOPMENT_CHECKPOINT_KEY_ID,
    privateKey: createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  };
}

/** A fresh random key (tests; in production, keys come from the key management system). */
export function generateCheckpointKey(keyId: string): CheckpointSigningKey {
  assertKeyId(keyId, 'key id');
  return { keyId, privateKey: generateKeyPairSync('ed25519').privateKey };
}

/** The public keys that verify checkpoints signed with these keys. */
export function verificationKeysOf(...keys: CheckpointSigningKey[]): CheckpointVerificationKeys {
  return new Map(keys.map((key) => [key.keyId, createPublicKey(key.privateKey)]));
}

/** A signing key in the `EVENT_CHECKPOINT_SIGNING_KEY` form (`<keyId>:<base64 seed>`), to provision it. */
export function formatSigningKey(key: CheckpointSigningKey): string {
  const der = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  return `${key.keyId}:${der.subarray(ED25519_PKCS8_PREFIX.length).toString('base64')}`;
}

/** A key's public half in the `EVENT_CHECKPOINT_PUBLIC_KEYS` form (`<keyId>:<base64 public key>`). */
export function formatPublicKey(key: CheckpointSigningKey): string {
  const der = createPublicKey(key.privateKey).export({ format: 'der', type: 'spki' });
  return `${key.keyId}:${der.subarray(ED25519_SPKI_PREFIX.length).toString('base64')}`;
}

export function signBytes(key: CheckpointSigningKey, message: Buffer): Buffer {
  return sign(null, message, key.privateKey);
}

/** True when `signature` is the signature of `message` under the key `keyId` of `keys`; false for an unknown key id. */
export function verifyBytes(keys: CheckpointVerificationKeys, keyId: string, message: Buffer, signature: Buffer): boolean {
  const publicKey = keys.get(keyId);
  if (publicKey === undefined) return false;
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    // A signature of the wrong length makes node throw instead of answering false.
    return false;
  }
}

function splitSpec(spec: string, variable: string): { keyId: string; bytes: Buffer } {
  const separator = spec.indexOf(':');
  if (separator <= 0) throw new CheckpointKeyError(`${variable} must look like <keyId>:<base64 key>`);
  const keyId = spec.slice(0, separator);
  assertKeyId(keyId, variable);
  const encoded = spec.slice(separator + 1).trim();
  if (!BASE64.test(encoded)) throw new CheckpointKeyError(`${variable}: key ${keyId} is not base64`);
  return { keyId, bytes: Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64') };
}

function assertKeyId(keyId: string, what: string): void {
  if (!KEY_ID.test(keyId))
    throw new CheckpointKeyError(`${what}: a key id is 1–64 letters, digits, '.', '_' or '-', got ${JSON.stringify(keyId)}`);
}
