import { createHmac } from 'node:crypto';
import { Keyring } from './keyring';
import { constantTimeEqual } from './constant-time';
import {
  HASH_PURPOSE,
  KeyedHashFormatError,
  fingerprint,
  fingerprintCandidates,
  hashPaymentPassword,
  hashVerificationCode,
  keyedHash,
  keyedHashNeedsRehash,
  messageKeyOf,
  verifyKeyedHash,
  verifyPaymentPassword,
  verifyVerificationCode,
} from './keyed-hash';

const ring = Keyring.fromSpec(`p1:${Buffer.alloc(32, 1).toString('base64')}`, 'p1');

describe('keyed hash (HMAC-SHA-256 with a pepper key)', () => {
  it('is HMAC-SHA-256 over length-prefixed purpose and parts', () => {
    const lp = (text: string): Buffer => {
      const bytes = Buffer.from(text);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const expected = createHmac('sha256', Buffer.alloc(32, 1))
      .update(Buffer.concat([lp('purpose'), lp('a'), lp('b')]))
      .digest('base64url');
    expect(keyedHash('purpose', ['a', 'b'], ring)).toBe(`hs256:p1:${expected}`);
  });

  it('separates purposes and part boundaries', () => {
    expect(keyedHash('x', ['ab', 'c'], ring)).not.toBe(keyedHash('x', ['a', 'bc'], ring));
    expect(fingerprint(HASH_PURPOSE.phone, '13812345678', ring)).not.toBe(fingerprint(HASH_PURPOSE.card, '13812345678', ring));
  });

  it('verifies payment passwords bound to the user', () => {
    const stored = hashPaymentPassword('user-1', '135790', ring);
    expect(stored).not.toContain('135790');
    expect(verifyPaymentPassword('user-1', '135790', stored, ring)).toBe(true);
    expect(verifyPaymentPassword('user-1', '135791', stored, ring)).toBe(false);
    expect(verifyPaymentPassword('user-2', '135790', stored, ring)).toBe(false);
    expect(hashPaymentPassword('user-2', '135790', ring)).not.toBe(stored);
  });

  it('verifies SMS codes bound to phone, purpose and code id', () => {
    const stored = hashVerificationCode('p1.abc', 'registration', 'code-1', '482913', ring);
    expect(verifyVerificationCode('p1.abc', 'registration', 'code-1', '482913', stored, ring)).toBe(true);
    expect(verifyVerificationCode('p1.abc', 'unfreeze', 'code-1', '482913', stored, ring)).toBe(false);
    expect(verifyVerificationCode('p1.abc', 'registration', 'code-2', '482913', stored, ring)).toBe(false);
  });

  it('keeps verifying after a pepper rotation and says when to rehash', () => {
    const stored = hashPaymentPassword('u', '135790', ring);
    const rotated = Keyring.fromSpec(`${ring.toSpec()},p2:${Buffer.alloc(32, 2).toString('base64')}`, 'p2');
    expect(verifyPaymentPassword('u', '135790', stored, rotated)).toBe(true);
    expect(keyedHashNeedsRehash(stored, rotated)).toBe(true);
    expect(keyedHashNeedsRehash(hashPaymentPassword('u', '135790', rotated), rotated)).toBe(false);
  });

  it('throws for a malformed stored value or a retired key rather than answering false', () => {
    expect(() => verifyKeyedHash('x', ['a'], 'plain', ring)).toThrow(KeyedHashFormatError);
    const other = Keyring.generate(['p9']);
    expect(() => verifyKeyedHash('x', ['a'], keyedHash('x', ['a'], other), ring)).toThrow(/unknown key id/);
  });

  it('makes deterministic, stream-id-safe fingerprints', () => {
    const first = fingerprint(HASH_PURPOSE.phone, '13812345678', ring);
    expect(first).toBe(fingerprint(HASH_PURPOSE.phone, '13812345678', ring));
    expect(first).toMatch(/^p1\.[0-9a-f]{64}$/);
    expect(first).not.toContain('13812345678');
  });

  it('lists fingerprints under every key, active first', () => {
    const rotated = Keyring.fromSpec(`${ring.toSpec()},p2:${Buffer.alloc(32, 2).toString('base64')}`, 'p2');
    const candidates = fingerprintCandidates(HASH_PURPOSE.phone, '13812345678', rotated);
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toBe(fingerprint(HASH_PURPOSE.phone, '13812345678', rotated));
    expect(candidates[1]).toBe(fingerprint(HASH_PURPOSE.phone, '13812345678', ring));
  });
});

describe('constantTimeEqual', () => {
  it('compares strings and bytes of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
  });

  it('makes Kafka message keys that keep one phone together, differ per phone and purpose, and reveal nothing without the key', () => {
    const key = messageKeyOf('phone', '13812345678', ring);
    expect(key).toMatch(/^mk-[A-Za-z0-9_-]{22}$/);
    expect(messageKeyOf('phone', '13812345678', ring)).toBe(key);
    expect(messageKeyOf('phone', '13812345679', ring)).not.toBe(key);
    expect(messageKeyOf('session', '13812345678', ring)).not.toBe(key);
    expect(messageKeyOf('phone', '13812345678', Keyring.generate(['p9']))).not.toBe(key);
    expect(key).not.toContain('13812345678');
  });
});
