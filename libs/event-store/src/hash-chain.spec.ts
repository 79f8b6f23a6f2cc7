import { createHash } from 'node:crypto';
import { ChainVerifier, canonicalJson, genesisHash, contentDigest, eventHash, type StoredLink } from './hash-chain';
import type { EventMetadata } from './port';

const metadata: EventMetadata = {
  correlationId: 'c',
  causationId: 'k',
  actor: 'user:1',
  occurredAt: '2026-11-22T00:00:00.000Z',
  schemaVersion: 1,
};

function chain(stream: string, count: number): StoredLink[] {
  let previous = genesisHash();
  return Array.from({ length: count }, (_, index) => {
    const content = { id: `00000000-0000-4000-8000-00000000000${index}`, stream, type: 'test.Happened.v1', data: { index }, metadata };
    previous = eventHash(previous, BigInt(index), content);
    return { ...content, revision: BigInt(index), hash: previous.toString('hex') };
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every level and drops what JSON.stringify drops', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, undefined, 'x'], c: null }, skip: undefined })).toBe(
      '{"a":{"c":null,"d":[3,null,"x"]},"b":1}',
    );
  });

  it('is stable across a JSON round trip (what JSONB storage does to a payload)', () => {
    const value = { z: 1e21, y: 0.1, x: 'ü\n"', w: new Date('2026-01-01T00:00:00Z'), v: [{ b: true, a: false }] };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it('refuses bigint values (amounts travel as decimal strings)', () => {
    expect(() => canonicalJson({ amountMinor: 10n })).toThrow('decimal strings');
  });
});

describe('hash chain', () => {
  it('links each hash to the previous one, the revision and the content', () => {
    const [first, second] = chain('wallet-1', 2);
    const digest = contentDigest(second!);
    const revision = Buffer.alloc(8);
    revision.writeBigInt64BE(1n);
    const expected = createHash('sha256').update(Buffer.from(first!.hash, 'hex')).update(revision).update(digest).digest('hex');
    expect(second!.hash).toBe(expected);
  });

  it('verifies an intact chain and reports its head', () => {
    const events = chain('wallet-1', 3);
    const verifier = new ChainVerifier('wallet-1');
    expect(events.map((event) => verifier.check(event))).toEqual([undefined, undefined, undefined]);
    expect(verifier.events).toBe(3);
    expect(verifier.headHash).toBe(events[2]!.hash);
  });

  it.each([
    ['an edited payload', (events: StoredLink[]) => (events[1] = { ...events[1]!, data: { index: 99 } }), 1n, 'hash mismatch'],
    [
      'edited metadata',
      (events: StoredLink[]) => (events[2] = { ...events[2]!, metadata: { ...metadata, actor: 'user:2' } }),
      2n,
      'hash mismatch',
    ],
    ['a changed type', (events: StoredLink[]) => (events[0] = { ...events[0]!, type: 'test.Other.v1' }), 0n, 'hash mismatch'],
    ['a deleted event', (events: StoredLink[]) => events.splice(1, 1), 1n, 'missing'],
    ['a replaced hash', (events: StoredLink[]) => (events[1] = { ...events[1]!, hash: '00'.repeat(32) }), 1n, 'hash mismatch'],
  ])('finds %s', (_label, tamper, revision, reason) => {
    const events = chain('wallet-1', 4);
    tamper(events);
    const verifier = new ChainVerifier('wallet-1');
    const broken = events.map((event) => verifier.check(event)).find((result) => result !== undefined);
    expect(broken).toMatchObject({ revision, reason: expect.stringContaining(reason) });
  });

  it('an event moved to another stream no longer verifies there', () => {
    const [event] = chain('wallet-1', 1);
    expect(new ChainVerifier('wallet-2').check({ ...event!, stream: 'wallet-2' })).toMatchObject({
      revision: 0n,
      reason: expect.stringContaining('hash mismatch'),
    });
  });
});
