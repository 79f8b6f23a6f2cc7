import fc from 'fast-check';
import { Keyring } from './keyring';
import {
  FieldDecryptionError,
  decryptField,
  encryptField,
  encryptedFieldKeyId,
  isEncryptedField,
  reencryptField,
} from './field-encryption';

const keyring = Keyring.generate(['k1']);

function failure(run: () => unknown): FieldDecryptionError {
  try {
    run();
  } catch (error) {
    if (error instanceof FieldDecryptionError) return error;
    throw error;
  }
  throw new Error('expected a FieldDecryptionError');
}

describe('field encryption (AES-256-GCM with key id)', () => {
  it('round-trips any string, including empty and non-ASCII text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.option(fc.string(), { nil: undefined }), (plain, aad) => {
        expect(decryptField(encryptField(plain, keyring, aad), keyring, aad)).toBe(plain);
      }),
      { numRuns: 200 },
    );
    expect(decryptField(encryptField('', keyring), keyring)).toBe('');
    expect(decryptField(encryptField('张三 110101199003077777', keyring), keyring)).toBe('张三 110101199003077777');
  });

  it('produces a self-describing token with a fresh IV every time', () => {
    const first = encryptField('123456', keyring, 'paymentPassword');
    const second = encryptField('123456', keyring, 'paymentPassword');
    expect(first).toMatch(/^enc:v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]*:[A-Za-z0-9_-]{22}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('123456');
    expect(encryptedFieldKeyId(first)).toBe('k1');
  });

  it('detects tampering with ciphertext, IV, tag or key id', () => {
    const token = encryptField('secret value', keyring);
    const parts = token.split(':');
    const flip = (text: string): string => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    for (const index of [3, 4, 5]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join(':');
      expect(failure(() => decryptField(tampered, keyring)).reason).toBe('authentication_failed');
    }
    const rotated = Keyring.fromSpec(`k1:${keyring.keyFor('k1').toString('base64')},k2:${keyring.keyFor('k1').toString('base64')}`, 'k1');
    // Same key bytes under another id: the key id is authenticated, so relabelling is caught.
    expect(failure(() => decryptField(token.replace(':k1:', ':k2:'), rotated)).reason).toBe('authentication_failed');
  });

  it('binds a ciphertext to its field through the AAD', () => {
    const token = encryptField('123456', keyring, 'loginPassword');
    expect(failure(() => decryptField(token, keyring, 'smsCode')).reason).toBe('authentication_failed');
    expect(failure(() => decryptField(token, keyring)).reason).toBe('authentication_failed');
    expect(decryptField(token, keyring, 'loginPassword')).toBe('123456');
  });

  it('decrypts with old keys after a rotation and re-encrypts under the new key', () => {
    const before = Keyring.generate(['k1']);
    const token = encryptField('110101199003077777', before, 'idNumber');
    const after = Keyring.fromSpec(`${before.toSpec()},k2:${Buffer.alloc(32, 9).toString('base64')}`, 'k2');
    expect(decryptField(token, after, 'idNumber')).toBe('110101199003077777');
    expect(encryptedFieldKeyId(encryptField('x', after))).toBe('k2');
    const rewrapped = reencryptField(token, after, 'idNumber');
    expect(encryptedFieldKeyId(rewrapped)).toBe('k2');
    expect(decryptField(rewrapped, after, 'idNumber')).toBe('110101199003077777');
    expect(reencryptField(rewrapped, after, 'idNumber')).toBe(rewrapped);
  });

  it('refuses a token whose key is not in the ring', () => {
    const token = encryptField('x', Keyring.generate(['old']));
    expect(failure(() => decryptField(token, keyring)).reason).toBe('unknown_key');
  });

  it('refuses the right key id with the wrong key bytes', () => {
    const token = encryptField('x', Keyring.generate(['k1']));
    expect(failure(() => decryptField(token, keyring)).reason).toBe('authentication_failed');
  });

  it.each([['plain text'], ['enc:v2:k1:a:b:c'], ['enc:v1:k1:short:abc:def'], ['']])('calls %p malformed', (token) => {
    expect(failure(() => decryptField(token, keyring)).reason).toBe('malformed');
    expect(isEncryptedField(token)).toBe(false);
  });

  it('recognises encrypted fields by shape', () => {
    expect(isEncryptedField(encryptField('x', keyring))).toBe(true);
    expect(isEncryptedField(42)).toBe(false);
  });
});
