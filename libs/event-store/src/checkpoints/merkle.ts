/**
 * The Merkle tree a signed checkpoint commits to: one leaf per stream, the stream's head.
 *
 *   leaf(s)     = SHA-256( 0x00 ‖ uint32-big-endian(byteLength(id)) ‖ utf8(id) ‖ int64-big-endian(revision) ‖ headHash )
 *   node(l, r)  = SHA-256( 0x01 ‖ l ‖ r )
 *   root([])    = SHA-256( "" )
 *
 * Leaves are ordered by the UTF-8 bytes of the stream id (PostgreSQL's `COLLATE "C"` order, so the
 * database can page heads in the order the tree needs), and the tree has the shape of RFC 6962's
 * Merkle Tree Hash: the left subtree holds the largest power of two of leaves smaller than the count.
 * The 0x00/0x01 prefixes keep a leaf from ever being read as an inner node (and the reverse), and the
 * length prefix keeps `(id, revision)` unambiguous, so no two different sets of heads share a root.
 *
 * `MerkleAccumulator` computes the root in one pass over sorted leaves with memory logarithmic in
 * their count: the checkpointer and the verifier stream a store's heads page by page through it.
 */
import { createHash } from 'node:crypto';

/** A stream's newest event as the tree sees it. */
export interface StreamHead {
  stream: string;
  revision: bigint;
  /** Hex SHA-256 of the stream's hash chain at `revision`. */
  hash: string;
}

/** Leaves handed over out of order (or twice): a caller bug, or a database that sorts differently. */
export class MerkleOrderError extends Error {
  readonly code = 'MERKLE_ORDER';

  constructor(previous: string, next: string) {
    super(`Merkle leaves must be in strictly increasing UTF-8 byte order of the stream id: "${next}" came after "${previous}"`);
    this.name = 'MerkleOrderError';
  }
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/i;

/**
 * The order of the tree's leaves: by the UTF-8 bytes of the stream ids, which is code point order.
 * Compared on the UTF-16 code units without encoding anything (a checkpoint sorts every stream that
 * changed since the last one, and an allocation per comparison stalled the event loop for a quarter
 * of a second at 20,000 streams): code units order as code points, except that a surrogate (half of
 * a code point above U+FFFF) must sort after every other unit.
 */
export function compareStreamIds(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a === b) continue;
    const aSurrogate = a >= 0xd800 && a <= 0xdfff;
    const bSurrogate = b >= 0xd800 && b <= 0xdfff;
    if (aSurrogate !== bSurrogate) return aSurrogate ? 1 : -1;
    return a < b ? -1 : 1;
  }
  return left.length - right.length;
}

const SURROGATE = /[\ud800-\udfff]/;

/**
 * Sorts ids in leaf order, in place. Without a code point above U+FFFF (a surrogate pair in UTF-16),
 * the engine's own string order is that order, and several times faster than a comparator: a
 * checkpoint sorts every stream that changed in one synchronous step, which must stay short for the
 * appends that share the event loop.
 */
export function sortStreamIds(streams: string[]): string[] {
  return streams.some((stream) => SURROGATE.test(stream)) ? streams.sort(compareStreamIds) : streams.sort();
}

export function leafHash(head: StreamHead): Buffer {
  if (!HEX_HASH.test(head.hash)) throw new TypeError(`head hash of stream ${head.stream} must be ${HASH_BYTES} bytes of hex`);
  if (head.revision < 0n) throw new RangeError(`head revision of stream ${head.stream} must be ≥ 0`);
  const id = Buffer.from(head.stream, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(id.length);
  const revision = Buffer.alloc(8);
  revision.writeBigInt64BE(head.revision);
  return createHash('sha256').update(LEAF_PREFIX).update(length).update(id).update(revision).update(Buffer.from(head.hash, 'hex')).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/**
 * Builds the root leaf by leaf. It keeps the perfect subtrees finished so far (at most one per bit
 * of the leaf count) and folds them right to left at the end, which is RFC 6962's tree.
 */
export class MerkleAccumulator {
  private readonly subtrees: Array<{ leaves: number; hash: Buffer }> = [];
  private previousId?: string;
  private leafCount = 0;
  private revisionSum = 0n;

  add(head: StreamHead): void {
    if (this.previousId !== undefined && compareStreamIds(this.previousId, head.stream) >= 0) {
      throw new MerkleOrderError(this.previousId, head.stream);
    }
    this.previousId = head.stream;
    let subtree = { leaves: 1, hash: leafHash(head) };
    // Bounded by log2 of the leaf count: each merge halves the number of equal-sized neighbours.
    while (this.subtrees.length > 0 && this.subtrees[this.subtrees.length - 1]!.leaves === subtree.leaves) {
      const left = this.subtrees.pop()!;
      subtree = { leaves: left.leaves * 2, hash: nodeHash(left.hash, subtree.hash) };
    }
    this.subtrees.push(subtree);
    this.leafCount += 1;
    this.revisionSum += head.revision + 1n;
  }

  /** Leaves added so far (streams). */
  get count(): number {
    return this.leafCount;
  }

  /** Events the heads account for: the sum of each head's revision + 1. */
  get events(): bigint {
    return this.revisionSum;
  }

  root(): Buffer {
    if (this.subtrees.length === 0) return emptyRoot();
    let root = this.subtrees[this.subtrees.length - 1]!.hash;
    for (let index = this.subtrees.length - 2; index >= 0; index--) root = nodeHash(this.subtrees[index]!.hash, root);
    return root;
  }
}

/** The root over `heads` in any order (they are sorted here); a stream listed twice is an error. */
export function merkleRoot(heads: Iterable<StreamHead>): Buffer {
  const sorted = [...heads].sort((left, right) => compareStreamIds(left.stream, right.stream));
  const accumulator = new MerkleAccumulator();
  for (const head of sorted) accumulator.add(head);
  return accumulator.root();
}
