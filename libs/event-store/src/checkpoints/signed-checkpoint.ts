/**
 * A signed checkpoint: what a store's history looked like at one moment, in a form nobody without
 * the signing key can forge or move.
 *
 *   body      = canonicalJson({ version, store, sequence, previous, root, streams, events, logHead, createdAt, keyId })
 *   signature = Ed25519( "ledger event checkpoint v1\n" ‖ body )
 *   hash      = SHA-256( "ledger event checkpoint hash v1\n" ‖ body )
 *
 * `root` is the Merkle root over every stream's head (`merkle.ts`), `logHead` the last event of the
 * global log it covers, `previous` the hash of checkpoint `sequence - 1` (32 zero bytes for the first):
 * the checkpoints form a chain of their own, so one cannot be dropped from the middle or replaced
 * without breaking every later link. The body is kept as the exact text that was signed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../hash-chain';
import { signBytes, verifyBytes, type CheckpointSigningKey, type CheckpointVerificationKeys } from './checkpoint-keys';

export const CHECKPOINT_VERSION = 1;
const SIGNATURE_CONTEXT = Buffer.from('ledger event checkpoint v1\n', 'utf8');
const HASH_CONTEXT = Buffer.from('ledger event checkpoint hash v1\n', 'utf8');
/** The `previous` of a store's first checkpoint. */
export const GENESIS_CHECKPOINT_HASH = '0'.repeat(64);

/** The last event of the global log a checkpoint covers (the PostgreSQL cursor's parts and the event's place in its stream). */
export interface CheckpointLogHead {
  transactionId: string;
  position: string;
  stream: string;
  revision: string;
}

/** What is signed. Numbers are decimal strings, hashes lower-case hex. */
export interface CheckpointBody {
  version: typeof CHECKPOINT_VERSION;
  /** Which store (the PostgreSQL schema): a checkpoint of one store is no evidence for another. */
  store: string;
  sequence: string;
  previous: string;
  root: string;
  streams: string;
  events: string;
  logHead: CheckpointLogHead;
  createdAt: string;
  keyId: string;
}

export interface SignedCheckpoint {
  body: CheckpointBody;
  /** The exact text that was signed. */
  bodyText: string;
  keyId: string;
  /** Base64 Ed25519 signature. */
  signature: string;
  /** Hex SHA-256 of the body: what the next checkpoint's `previous` names. */
  hash: string;
}

/** A checkpoint as stored or published, before anything about it is believed. */
export interface CheckpointRecord {
  sequence: bigint;
  hash: string;
  previous: string;
  keyId: string;
  bodyText: string;
  signature: string;
}

export function checkpointHash(bodyText: string): string {
  return createHash('sha256').update(HASH_CONTEXT).update(bodyText, 'utf8').digest('hex');
}

export function signCheckpoint(body: Omit<CheckpointBody, 'version' | 'keyId'>, key: CheckpointSigningKey): SignedCheckpoint {
  const full: CheckpointBody = { version: CHECKPOINT_VERSION, ...body, keyId: key.keyId };
  const bodyText = canonicalJson(full);
  const signature = signBytes(key, Buffer.concat([SIGNATURE_CONTEXT, Buffer.from(bodyText, 'utf8')])).toString('base64');
  return { body: full, bodyText, keyId: key.keyId, signature, hash: checkpointHash(bodyText) };
}

export function recordOf(checkpoint: SignedCheckpoint): CheckpointRecord {
  return {
    sequence: BigInt(checkpoint.body.sequence),
    hash: checkpoint.hash,
    previous: checkpoint.body.previous,
    keyId: checkpoint.keyId,
    bodyText: checkpoint.bodyText,
    signature: checkpoint.signature,
  };
}

export type CheckpointCheck = { ok: true; checkpoint: SignedCheckpoint } | { ok: false; reason: string };

/**
 * Checks one checkpoint on its own: the body parses, is in canonical form and agrees with the
 * record's columns, the hash is the body's, and the signature verifies under the named key. The
 * link to the previous checkpoint is the caller's check (it needs the previous one).
 */
export function checkCheckpoint(record: CheckpointRecord, keys: CheckpointVerificationKeys, store: string): CheckpointCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.bodyText);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (!isBody(parsed)) return { ok: false, reason: 'the body does not have the fields of a checkpoint' };
  if (canonicalJson(parsed) !== record.bodyText) return { ok: false, reason: 'the body is not in canonical form' };
  if (parsed.store !== store) return { ok: false, reason: `the checkpoint is of store ${parsed.store}, not ${store}` };
  if (parsed.sequence !== record.sequence.toString()) return { ok: false, reason: `the body says sequence ${parsed.sequence}` };
  if (parsed.keyId !== record.keyId) return { ok: false, reason: `the body names key ${parsed.keyId}, the record ${record.keyId}` };
  if (parsed.previous !== record.previous.toLowerCase())
    return { ok: false, reason: 'the body names another previous checkpoint than the record' };
  if (checkpointHash(record.bodyText) !== record.hash.toLowerCase())
    return { ok: false, reason: 'the recorded hash is not the hash of the body' };
  if (!keys.has(record.keyId)) return { ok: false, reason: `signed under key ${record.keyId}, which is not among the trusted public keys` };
  const message = Buffer.concat([SIGNATURE_CONTEXT, Buffer.from(record.bodyText, 'utf8')]);
  if (!verifyBytes(keys, record.keyId, message, Buffer.from(record.signature, 'base64'))) {
    return { ok: false, reason: `the signature does not verify under key ${record.keyId}` };
  }
  return {
    ok: true,
    checkpoint: {
      body: parsed,
      bodyText: record.bodyText,
      keyId: record.keyId,
      signature: record.signature,
      hash: record.hash.toLowerCase(),
    },
  };
}

const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

function isBody(value: unknown): value is CheckpointBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const body = value as Record<string, unknown>;
  const head = body['logHead'] as Record<string, unknown> | null | undefined;
  return (
    body['version'] === CHECKPOINT_VERSION &&
    typeof body['store'] === 'string' &&
    isDecimal(body['sequence']) &&
    typeof body['previous'] === 'string' &&
    HEX_HASH.test(body['previous']) &&
    typeof body['root'] === 'string' &&
    HEX_HASH.test(body['root']) &&
    isDecimal(body['streams']) &&
    isDecimal(body['events']) &&
    typeof body['createdAt'] === 'string' &&
    typeof body['keyId'] === 'string' &&
    typeof head === 'object' &&
    head !== null &&
    isDecimal(head['transactionId']) &&
    isDecimal(head['position']) &&
    typeof head['stream'] === 'string' &&
    isDecimal(head['revision']) &&
    Object.keys(body).length === 10 &&
    Object.keys(head).length === 4
  );
}

function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}
