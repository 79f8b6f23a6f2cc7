import fc from 'fast-check';
import { base32Decode, base32Encode, generateTotpSecret, hotp, totp, totpProvisioningUri, verifyTotp } from './totp';
import { generateNumericCode, generateSmsCode } from './random-code';

const SHA1_SEED = Buffer.from('12345678901234567890');
const SHA256_SEED = Buffer.from('12345678901234567890123456789012');
const SHA512_SEED = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');

describe('HOTP (RFC 4226 Appendix D)', () => {
  it.each([
    [0, '755224'],
    [1, '287082'],
    [2, '359152'],
    [3, '969429'],
    [4, '338314'],
    [5, '254676'],
    [6, '287922'],
    [7, '162583'],
    [8, '399871'],
    [9, '520489'],
  ])('counter %i → %s', (counter, expected) => {
    expect(hotp(SHA1_SEED, counter)).toBe(expected);
  });
});

describe('TOTP (RFC 6238 Appendix B, 8 digits)', () => {
  it.each([
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ])('at %i s: SHA1 %s, SHA256 %s, SHA512 %s', (seconds, sha1, sha256, sha512) => {
    expect(totp(SHA1_SEED, seconds * 1000, { digits: 8 })).toBe(sha1);
    expect(totp(SHA256_SEED, seconds * 1000, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totp(SHA512_SEED, seconds * 1000, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });
});

describe('verifyTotp', () => {
  const at = 1_111_111_111_000; // inside step 37037037
  const step = Math.floor(at / 30_000);

  it('accepts the current step and one step either side, and reports which step matched', () => {
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step), at)).toEqual({ valid: true, timeStep: step });
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step - 1), at)).toEqual({ valid: true, timeStep: step - 1 });
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step + 1), at)).toEqual({ valid: true, timeStep: step + 1 });
  });

  it('rejects codes two steps away, wrong codes and malformed input', () => {
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step - 2), at).valid).toBe(false);
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step + 2), at).valid).toBe(false);
    expect(verifyTotp(SHA1_SEED, '12345', at).valid).toBe(false);
    expect(verifyTotp(SHA1_SEED, '12345a', at).valid).toBe(false);
    expect(verifyTotp(SHA1_SEED, hotp(SHA1_SEED, step - 1), at, { windowSteps: 0 }).valid).toBe(false);
  });

  it('refuses unsafe digit counts', () => {
    expect(() => hotp(SHA1_SEED, 0, { digits: 10 })).toThrow(RangeError);
  });
});

describe('base32 and provisioning', () => {
  it('encodes the RFC 4648 test vectors (without padding)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZ1')).toThrow(RangeError);
  });

  it('round-trips arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expect([...base32Decode(base32Encode(bytes))]).toEqual([...bytes])));
  });

  it('generates 160-bit secrets', () => {
    const { secret, base32 } = generateTotpSecret();
    expect(secret).toHaveLength(20);
    expect(base32).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(base32)).toEqual(secret);
  });

  it('builds an otpauth:// URI', () => {
    expect(totpProvisioningUri({ issuer: 'ICBC e-Wallet', accountName: '138****5678', secretBase32: 'JBSWY3DPEHPK3PXP' })).toBe(
      'otpauth://totp/ICBC%20e-Wallet:138****5678?secret=JBSWY3DPEHPK3PXP&issuer=ICBC%20e-Wallet&algorithm=SHA1&digits=6&period=30',
    );
    expect(() => totpProvisioningUri({ issuer: 'a:b', accountName: 'x', secretBase32: 'AA' })).toThrow(RangeError);
  });
});

describe('SMS codes', () => {
  it('are six crypto-random digits', () => {
    const codes = Array.from({ length: 200 }, () => generateSmsCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(190);
    expect(generateNumericCode(10)).toMatch(/^\d{10}$/);
    expect(() => generateNumericCode(3)).toThrow(RangeError);
  });
});
