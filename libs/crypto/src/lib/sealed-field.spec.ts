import { FieldDecryptionError, encryptField } from './field-encryption';
import { Keyring } from './keyring';
import {
  developmentSealKeyPair,
  generateSealKeyPair,
  isSealedField,
  openField,
  openSealedField,
  openingKeysFromEnv,
  sealField,
  sealKeyJwks,
  sealingKeyFromEnv,
  type SealKeyPair,
} from './sealed-field';

const opening = (...pairs: SealKeyPair[]) => new Map(pairs.map((pair) => [pair.kid, pair.privateKey]));
const failure = (open: () => unknown) => {
  try {
    open();
  } catch (error) {
    return error instanceof FieldDecryptionError ? error.reason : 'other';
  }
  return 'opened';
};

describe('sealed fields', () => {
  const identity = generateSealKeyPair('identity-1');
  const cards = generateSealKeyPair('cards-1');

  it("opens with the recipient's private key only; each seal differs (an ephemeral key and IV every time)", () => {
    const sealed = sealField('135790', identity, 'identity:paymentPassword');
    expect(isSealedField(sealed)).toBe(true);
    expect(sealed).not.toContain('135790');
    expect(openSealedField(sealed, opening(identity), 'identity:paymentPassword')).toBe('135790');
    expect(sealField('135790', identity, 'identity:paymentPassword')).not.toBe(sealed);
    // Another recipient's key does not open it, whatever kid it is filed under.
    expect(failure(() => openSealedField(sealed, opening(cards), 'identity:paymentPassword'))).toBe('unknown_key');
    expect(failure(() => openSealedField(sealed, new Map([['identity-1', cards.privateKey]]), 'identity:paymentPassword'))).toBe(
      'authentication_failed',
    );
  });

  it('is bound to its field, its key id and every byte', () => {
    const sealed = sealField('13812345678', identity, 'identity:phone');
    expect(failure(() => openSealedField(sealed, opening(identity), 'identity:loginPassword'))).toBe('authentication_failed');
    const parts = sealed.split(':');
    const flipped = (index: number) =>
      parts.map((part, i) => (i === index ? `${part.slice(0, -2)}${part.endsWith('AA') ? 'BA' : 'AA'}` : part)).join(':');
    for (const index of [3, 4, 5, 6])
      expect(failure(() => openSealedField(flipped(index), opening(identity), 'identity:phone'))).toBe('authentication_failed');
    const relabelled = opening({ ...identity, kid: 'identity-2' });
    expect(failure(() => openSealedField(sealed.replace(':identity-1:', ':identity-2:'), relabelled, 'identity:phone'))).toBe(
      'authentication_failed',
    );
    expect(failure(() => openSealedField('seal:v1:nonsense', opening(identity)))).toBe('malformed');
  });

  it('a service opens sealed fields and keyring-encrypted ones alike (openField)', () => {
    const keyring = Keyring.generate(['k1']);
    const openers = { keyring, opening: opening(identity) };
    expect(openField(sealField('a', identity, 'x'), openers, 'x')).toBe('a');
    expect(openField(encryptField('b', keyring, 'x'), openers, 'x')).toBe('b');
    expect(failure(() => openField(encryptField('b', keyring, 'x'), openers, 'y'))).toBe('authentication_failed');
  });

  it('reads keys from the environment: opening keys a JWK Set of private keys, the sealing key one public JWK; development keys only in development mode', () => {
    const { privateJwk, publicJwk } = sealKeyJwks(identity);
    const keys = openingKeysFromEnv({ IDENTITY_SEAL_PRIVATE_KEYS: JSON.stringify({ keys: [privateJwk] }) }, 'identity');
    const sealing = sealingKeyFromEnv({ IDENTITY_SEAL_PUBLIC_KEY: JSON.stringify(publicJwk) }, 'identity');
    expect(openSealedField(sealField('x', sealing), keys)).toBe('x');
    expect(() => sealingKeyFromEnv({ IDENTITY_SEAL_PUBLIC_KEY: JSON.stringify(privateJwk) }, 'identity')).toThrow(/holds a private key/);
    expect(() => openingKeysFromEnv({ CARDS_SEAL_PRIVATE_KEYS: JSON.stringify({ keys: [publicJwk] }) }, 'cards')).toThrow(
      /X25519 private JWK/,
    );
    expect(() => sealingKeyFromEnv({ NODE_ENV: 'staging' }, 'payments')).toThrow(/PAYMENTS_SEAL_PUBLIC_KEY is not set.*LEDGER_DEV_MODE=1/);
    expect(() => openingKeysFromEnv({}, 'gateway')).toThrow(/GATEWAY_SEAL_PRIVATE_KEYS is not set/);
    const dev = { LEDGER_DEV_MODE: '1' };
    expect(openSealedField(sealField('y', sealingKeyFromEnv(dev, 'cards')), openingKeysFromEnv(dev, 'cards'))).toBe('y');
    expect(developmentSealKeyPair('cards').kid).toBe('dev-cards-seal');
    expect(failure(() => openSealedField(sealField('y', sealingKeyFromEnv(dev, 'cards')), openingKeysFromEnv(dev, 'identity')))).toBe(
      'unknown_key',
    );
  });
});
