/**
 * Tamper evidence: every stream is a hash chain.
 *
 *   contentDigest(e) = SHA-256( canonicalJson({ id, stream, type, data, metadata }) )
 *   hash(e_n)        = SHA-256( hash(e_{n-1}) ‖ int64-big-endian(revision_n) ‖ contentDigest(e_n) )
 *   hash(e_{-1})     = genesisHash() (32 zero bytes)
 *
 * The link is split in two steps so an adapter can compute the digest of an event's content before
 * it knows where the event lands (an append with expected revision `any`), and let the database
 * finish the link once it holds the stream's lock: PostgreSQL computes
 * `sha256(prev || int8send(revision) || digest)` inside the append function, in the same round trip.
 * Editing any stored field, deleting or reordering events breaks the chain from that event on.
 */
import { createHash } from 'node:crypto';
import type { EventMetadata } from './port';

/** The "previous hash" of a stream's first event: 32 zero bytes (a fresh copy, so nobody can alter it). */
export function genesisHash(): Buffer {
  return Buffer.alloc(32);
}

/** The fields of a stored event that the chain protects (as stored, i.e. before any upcasting). */
export interface ChainedContent {
  id: string;
  stream: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface StoredLink extends ChainedContent {
  revision: bigint;
  /** The hash recorded with the event (hex). */
  hash: string;
}

/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit, no whitespace, and otherwise exactly
 * what `JSON.stringify` produces (so `toJSON`, dropped `undefined` properties and `null` for
 * non-finite numbers all match what was sent to storage). A JSONB round trip preserves this form.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, 0) ?? 'null';
}

/** Nesting bound: a payload deeper than this is a bug, and recursion must not blow the stack. */
const MAX_DEPTH = 100;

function serialize(input: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new Error(`JSON nesting deeper than ${MAX_DEPTH}`);
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('BigInt values must be encoded as decimal strings before they are stored');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => serialize(item, depth + 1) ?? 'null').join(',')}]`;
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const serialized = serialize(record[key], depth + 1);
        if (serialized !== undefined) parts.push(`${JSON.stringify(key)}:${serialized}`);
      }
      return `{${parts.join(',')}}`;
    }
  }
  return undefined;
}

export function contentDigest(content: ChainedContent): Buffer {
  const canonical = canonicalJson({
    id: content.id.toLowerCase(),
    stream: content.stream,
    type: content.type,
    data: content.data,
    metadata: content.metadata,
  });
  return createHash('sha256').update(canonical, 'utf8').digest();
}

export function linkHash(previousHash: Buffer, revision: bigint, digest: Buffer): Buffer {
  const revisionBytes = Buffer.alloc(8);
  revisionBytes.writeBigInt64BE(revision);
  return createHash('sha256').update(previousHash).update(revisionBytes).update(digest).digest();
}

export function eventHash(previousHash: Buffer, revision: bigint, content: ChainedContent): Buffer {
  return linkHash(previousHash, revision, contentDigest(content));
}

/**
 * Walks a stream's stored events (in revision order, as stored, never upcast) and reports the first
 * broken link. `events` may be any iterable so callers can feed pages without holding the stream.
 */
export class ChainVerifier {
  private previousHash: Buffer = genesisHash();
  private expectedRevision = 0n;
  private count = 0;

  constructor(readonly stream: string) {}

  /** Returns a failure description, or undefined when the event extends the chain correctly. */
  check(event: StoredLink): { revision: bigint; reason: string } | undefined {
    if (event.stream !== this.stream) return { revision: event.revision, reason: `event ${event.id} belongs to stream ${event.stream}` };
    if (event.revision !== this.expectedRevision) {
      return { revision: this.expectedRevision, reason: `revision ${this.expectedRevision} is missing (found ${event.revision})` };
    }
    const expected = eventHash(this.previousHash, event.revision, event);
    if (expected.toString('hex') !== event.hash.toLowerCase()) {
      return { revision: event.revision, reason: `hash mismatch at revision ${event.revision}: the event or its predecessor was altered` };
    }
    this.previousHash = expected;
    this.expectedRevision += 1n;
    this.count += 1;
    return undefined;
  }

  get events(): number {
    return this.count;
  }

  get headHash(): string | undefined {
    return this.count === 0 ? undefined : this.previousHash.toString('hex');
  }
}
