import { generateTotpSecret } from '@ledger/crypto';
import { staffRegistryFrom } from './staff-registry';

describe('the staff registry (IDENTITY_STAFF)', () => {
  it('reads one role and a mandatory authenticator secret per agent, and refuses anything less', () => {
    const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    const { base32, secret } = generateTotpSecret();
    const staff = staffRegistryFrom(JSON.stringify({ 'teller-3': { passwordHash, role: 'teller', totpSecret: base32 } }));
    expect(staff.get('teller-3')).toEqual({ passwordHash, role: 'teller', totpSecret: secret });
    expect(staffRegistryFrom(undefined).size).toBe(0);
    expect(() => staffRegistryFrom('[]')).toThrow(/JSON object/);
    expect(() => staffRegistryFrom(JSON.stringify({ 'teller 3': { passwordHash, role: 'teller', totpSecret: base32 } }))).toThrow(
      /letters, digits or dashes/,
    );
    expect(() => staffRegistryFrom(JSON.stringify({ 'teller-3': { passwordHash, role: 'teller' } }))).toThrow(/second factor is mandatory/);
    expect(() => staffRegistryFrom(JSON.stringify({ 'teller-3': { passwordHash, role: 'teller', totpSecret: 'AAAA' } }))).toThrow(
      /at least 128 bits/,
    );
    expect(() => staffRegistryFrom(JSON.stringify({ 'teller-3': { passwordHash, role: 'admin', totpSecret: base32 } }))).toThrow(
      /support, teller, supervisor/,
    );
    expect(() => staffRegistryFrom(JSON.stringify({ 'teller-3': passwordHash }))).toThrow(/passwordHash/);
  });
});
