import { Keyring } from '@ledger/crypto';
import { RECOVERY_CODE_COUNT, hashRecoveryCode, matchingRecoveryCodeHash, normalizeRecoveryCode, recoveryCodesFor } from './recovery-codes';

const pepper = Keyring.fromSpec(`p1:${Buffer.alloc(32, 7).toString('base64')}`, 'p1');

describe('second-factor recovery codes', () => {
  it('given a confirmation, then 10 distinct human-typeable codes without look-alikes, the same for the same command', () => {
    const codes = recoveryCodesFor('u-1', 'cmd-1', pepper);
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    expect(recoveryCodesFor('u-1', 'cmd-1', pepper)).toEqual(codes);
    expect(recoveryCodesFor('u-1', 'cmd-2', pepper)).not.toEqual(codes);
    expect(recoveryCodesFor('u-2', 'cmd-1', pepper)).not.toEqual(codes);
    expect(recoveryCodesFor('u-1', 'cmd-1', Keyring.generate(['p1']))).not.toEqual(codes);
  });

  it('given a typed code, then case, spaces and the dash are forgiven, other symbols are not', () => {
    expect(normalizeRecoveryCode(' ABCDE-fghjk ')).toBe('abcde-fghjk');
    expect(normalizeRecoveryCode('abcdefghjk')).toBe('abcde-fghjk');
    expect(normalizeRecoveryCode('abcde-fghj0')).toBeUndefined();
    expect(normalizeRecoveryCode('123456')).toBeUndefined();
  });

  it('given the stored hashes, then a typed code finds the hash it matches, and only for its own user', () => {
    const codes = recoveryCodesFor('u-1', 'cmd-1', pepper);
    const hashes = codes.map((code) => hashRecoveryCode('u-1', code, pepper));
    expect(hashes.every((hash) => hash.startsWith('hs256:p1:'))).toBe(true);
    expect(matchingRecoveryCodeHash('u-1', codes[3]!.toUpperCase(), hashes, pepper)).toBe(hashes[3]);
    expect(matchingRecoveryCodeHash('u-2', codes[3]!, hashes, pepper)).toBeUndefined();
    expect(matchingRecoveryCodeHash('u-1', codes[3]!, [...hashes.slice(0, 3), ...hashes.slice(4)], pepper)).toBeUndefined();
    expect(matchingRecoveryCodeHash('u-1', '123456', hashes, pepper)).toBeUndefined();
  });
});
