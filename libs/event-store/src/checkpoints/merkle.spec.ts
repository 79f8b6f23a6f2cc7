import { createHash } from 'node:crypto';
import {
  MerkleAccumulator,
  MerkleOrderError,
  compareStreamIds,
  emptyRoot,
  leafHash,
  merkleRoot,
  nodeHash,
  sortStreamIds,
  type StreamHead,
} from './merkle';

function head(stream: string, revision: bigint, seed = stream): StreamHead {
  return { stream, revision, hash: createHash('sha256').update(`${seed}@${revision}`).digest('hex') };
}

function heads(count: number): StreamHead[] {
  return Array.from({ length: count }, (_, index) => head(`wallet-${String(index).padStart(4, '0')}`, BigInt(index % 7)));
}

/** RFC 6962's Merkle Tree Hash written out recursively, independently of the streaming accumulator. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, split)), referenceRoot(leaves.slice(split)));
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

describe('Merkle root over stream heads', () => {
  it('given the same heads in any order, when the root is computed, then it is the same root', () => {
    const given = heads(37);
    const root = merkleRoot(given).toString('hex');
    for (const seed of [1, 2, 3, 42]) expect(merkleRoot(shuffled(given, seed)).toString('hex')).toBe(root);
    expect(merkleRoot([...given].reverse()).toString('hex')).toBe(root);
  });

  it('given one head changed in its revision, its hash or its stream id, then the root changes', () => {
    const given = heads(10);
    const root = merkleRoot(given).toString('hex');
    const changed = (index: number, replacement: StreamHead) =>
      merkleRoot(given.map((item, at) => (at === index ? replacement : item))).toString('hex');
    for (const index of [0, 4, 9]) {
      const original = given[index]!;
      expect(changed(index, { ...original, revision: original.revision + 1n })).not.toBe(root);
      expect(changed(index, { ...original, hash: createHash('sha256').update('other').digest('hex') })).not.toBe(root);
      expect(changed(index, { ...original, stream: `${original.stream}x` })).not.toBe(root);
    }
  });

  it('given a head added or removed, then the root changes', () => {
    const given = heads(16);
    const root = merkleRoot(given).toString('hex');
    expect(merkleRoot(given.slice(1)).toString('hex')).not.toBe(root);
    expect(merkleRoot(given.slice(0, -1)).toString('hex')).not.toBe(root);
    expect(merkleRoot([...given, head('wallet-9999', 0n)]).toString('hex')).not.toBe(root);
  });

  it('given any number of leaves, when streamed through the accumulator, then the root is RFC 6962 tree hash of the sorted leaves', () => {
    for (let count = 0; count <= 70; count++) {
      const given = heads(count);
      const accumulator = new MerkleAccumulator();
      for (const item of given) accumulator.add(item);
      expect(accumulator.root().toString('hex')).toBe(referenceRoot(given.map(leafHash)).toString('hex'));
      expect(accumulator.count).toBe(count);
      expect(accumulator.events).toBe(given.reduce((sum, item) => sum + item.revision + 1n, 0n));
    }
  });

  it('given no heads, then the root is the hash of the empty string', () => {
    expect(merkleRoot([]).toString('hex')).toBe(emptyRoot().toString('hex'));
    expect(emptyRoot().toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('given two leaves, then the root is the node hash with its 0x01 prefix, never the bare concatenation or a leaf', () => {
    const [a, b] = heads(2) as [StreamHead, StreamHead];
    const root = merkleRoot([a, b]);
    const expected = createHash('sha256')
      .update(Buffer.from([1]))
      .update(leafHash(a))
      .update(leafHash(b))
      .digest();
    expect(root.toString('hex')).toBe(expected.toString('hex'));
    expect(root.toString('hex')).not.toBe(createHash('sha256').update(leafHash(a)).update(leafHash(b)).digest('hex'));
    // A lone leaf's root is its leaf hash, which carries the 0x00 prefix.
    const leaf = createHash('sha256')
      .update(Buffer.from([0]))
      .update(Buffer.from([0, 0, 0, a.stream.length]))
      .update(a.stream);
    const revision = Buffer.alloc(8);
    revision.writeBigInt64BE(a.revision);
    expect(merkleRoot([a]).toString('hex')).toBe(leaf.update(revision).update(Buffer.from(a.hash, 'hex')).digest('hex'));
  });

  it('given a stream listed twice, then the root is refused', () => {
    expect(() => merkleRoot([head('wallet-1', 0n), head('wallet-1', 1n)])).toThrow(MerkleOrderError);
  });

  it('given leaves out of byte order, when streamed, then the accumulator refuses them', () => {
    const accumulator = new MerkleAccumulator();
    accumulator.add(head('wallet-b', 0n));
    expect(() => accumulator.add(head('wallet-a', 0n))).toThrow(MerkleOrderError);
  });

  it('given ids beyond the Basic Multilingual Plane, then they are ordered by their UTF-8 bytes, as PostgreSQL\'s COLLATE "C" orders them', () => {
    // U+FF21 (3 bytes in UTF-8) sorts before U+1F600 (4 bytes, a surrogate pair in UTF-16) by bytes, after it by code units.
    expect(compareStreamIds('\uff21', '\u{1f600}')).toBeLessThan(0);
    expect('\uff21' < '\u{1f600}').toBe(false);
    expect(compareStreamIds('Z', 'a')).toBeLessThan(0);
  });

  it('given random ids of every width of UTF-8, then the order is exactly the order of their UTF-8 bytes', () => {
    const alphabet = ['a', 'Z', '-', '0', '\u00e9', '\u4e2d', '\ue000', '\uffff', '\u{1f600}', '\u{10000}', '\u{10ffff}'];
    let state = 7;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
    const ids = Array.from({ length: 400 }, () =>
      Array.from({ length: random() % 5 }, () => alphabet[random() % alphabet.length]).join(''),
    );
    for (let index = 1; index < ids.length; index++) {
      const [left, right] = [ids[index - 1]!, ids[index]!];
      expect(Math.sign(compareStreamIds(left, right))).toBe(
        Math.sign(Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'))),
      );
    }
  });

  it('given ids with and without code points above U+FFFF, when sorted for a checkpoint, then they are in UTF-8 byte order', () => {
    const byBytes = (ids: string[]) =>
      [...ids].sort((left, right) => Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8')));
    const plain = ['wallet-b', 'wallet-a', 'card-\u00e9', 'card-\uffff', 'Z'];
    expect(sortStreamIds([...plain])).toEqual(byBytes(plain));
    const astral = [...plain, 'card-\u{1f600}', 'card-\ue000'];
    expect(sortStreamIds([...astral])).toEqual(byBytes(astral));
    // The engine's own order would put the astral id before U+E000 and U+FFFF: the comparator is needed.
    expect([...astral].sort()).not.toEqual(byBytes(astral));
  });

  it('given a head hash that is not 32 bytes of hex, then the leaf is refused', () => {
    expect(() => leafHash({ stream: 'wallet-1', revision: 0n, hash: 'abcd' })).toThrow(TypeError);
  });
});
