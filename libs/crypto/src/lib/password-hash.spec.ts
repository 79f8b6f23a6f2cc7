import { argon2Sync } from 'node:crypto';
import {
  ARGON2_OWASP_PARAMS,
  ARGON2_TEST_PARAMS,
  PasswordHashFormatError,
  hashLoginPassword,
  isLoginPasswordHash,
  loginPasswordNeedsRehash,
  verifyLoginPassword,
} from './password-hash';

describe('login password hashing (argon2id)', () => {
  it('matches the RFC 9106 §5.3 argon2id test vector (the primitive is sound)', () => {
    const tag = argon2Sync('argon2id', {
      message: Buffer.alloc(32, 0x01),
      nonce: Buffer.alloc(16, 0x02),
      secret: Buffer.alloc(8, 0x03),
      associatedData: Buffer.alloc(12, 0x04),
      memory: 32,
      passes: 3,
      parallelism: 4,
      tagLength: 32,
    });
    expect(tag.toString('hex')).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('produces a PHC string and verifies the right password only', async () => {
    const stored = await hashLoginPassword('Wallet2026ok', ARGON2_TEST_PARAMS);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=64,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(isLoginPasswordHash(stored)).toBe(true);
    await expect(verifyLoginPassword('Wallet2026ok', stored)).resolves.toBe(true);
    await expect(verifyLoginPassword('Wallet2026oK', stored)).resolves.toBe(false);
    await expect(verifyLoginPassword('', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashLoginPassword('Same1234', ARGON2_TEST_PARAMS)).not.toBe(await hashLoginPassword('Same1234', ARGON2_TEST_PARAMS));
  });

  it('verifies with the parameters stored in the hash (interoperable with argon2 CLI output)', async () => {
    // Built by hand from the raw primitive, as the reference `argon2` tool would print it.
    const salt = Buffer.from('somesaltsomesalt');
    const hash = argon2Sync('argon2id', { message: 'password', nonce: salt, memory: 128, passes: 3, parallelism: 2, tagLength: 24 });
    const phc = `$argon2id$v=19$m=128,t=3,p=2$${salt.toString('base64').replace(/=+$/, '')}$${hash.toString('base64').replace(/=+$/, '')}`;
    await expect(verifyLoginPassword('password', phc)).resolves.toBe(true);
    await expect(verifyLoginPassword('passwore', phc)).resolves.toBe(false);
  });

  it('uses the OWASP parameters by default', async () => {
    const stored = await hashLoginPassword('Default99');
    expect(stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(loginPasswordNeedsRehash(stored)).toBe(false);
    expect(loginPasswordNeedsRehash(await hashLoginPassword('x', ARGON2_TEST_PARAMS), ARGON2_OWASP_PARAMS)).toBe(true);
  });

  it.each([
    ['not a hash', 'hunter2'],
    ['another variant', '$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA'],
    ['an old version', '$argon2id$v=16$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA'],
    ['absurd memory', '$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA'],
    ['a short salt', '$argon2id$v=19$m=64,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA'],
  ])('refuses a stored value that is %s', async (_label, stored) => {
    await expect(verifyLoginPassword('x', stored)).rejects.toThrow(PasswordHashFormatError);
  });
});
