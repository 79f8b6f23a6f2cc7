import { createHmac, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Keyring, KeyringError, developmentKeyring, loadFieldKeyring, loadPepperKeyring, secretKey } from './keyring';

const key = (byte: number): string => Buffer.alloc(32, byte).toString('base64');

describe('Keyring', () => {
  it('parses kid:base64 pairs with an explicit active key', () => {
    const ring = Keyring.fromSpec(`k1:${key(1)}, k2:${key(2)}`, 'k2');
    expect(ring.keyIds).toEqual(['k1', 'k2']);
    expect(ring.activeKey().keyId).toBe('k2');
    expect(ring.keyFor('k1')).toEqual(Buffer.alloc(32, 1));
  });

  it('accepts URL-safe base64', () => {
    const raw = Buffer.alloc(32, 0xfb);
    expect(Keyring.fromSpec(`k1:${raw.toString('base64url')}`, 'k1').keyFor('k1')).toEqual(raw);
  });

  it.each([
    ['a wrong key length', `k1:${Buffer.alloc(16).toString('base64')}`, 'k1'],
    ['a missing active key', `k1:${key(1)}`, 'k9'],
    ['a key id with a colon-free but invalid character', `k.1:${key(1)}`, 'k.1'],
    ['a duplicate key id', `k1:${key(1)},k1:${key(2)}`, 'k1'],
    ['an entry without a key id', `${key(1)}`, 'k1'],
    ['an empty spec', '', 'k1'],
  ])('rejects %s', (_label, spec, active) => {
    expect(() => Keyring.fromSpec(spec, active)).toThrow(KeyringError);
  });

  it('throws for an unknown key id', () => {
    expect(() => Keyring.generate(['k1']).keyFor('k2')).toThrow(KeyringError);
  });

  it('round-trips through its spec format', () => {
    const ring = Keyring.generate(['a', 'b'], 'b');
    const copy = Keyring.fromSpec(ring.toSpec(), 'b');
    expect(copy.keyFor('a')).toEqual(ring.keyFor('a'));
    expect(copy.keyFor('b')).toEqual(ring.keyFor('b'));
  });

  it('never shows key material in logs or JSON', () => {
    const ring = Keyring.fromSpec(`k1:${key(7)}`, 'k1');
    const secretText = key(7);
    expect(inspect(ring)).not.toContain(secretText);
    expect(JSON.stringify(ring)).toBe('{"activeKeyId":"k1","keyIds":["k1"]}');
    expect(String(inspect(ring))).toContain('k1');
  });
});

describe('loading keyrings from the environment', () => {
  it('reads FIELD_KEYS and FIELD_KEY_ACTIVE', () => {
    const ring = loadFieldKeyring({ FIELD_KEYS: `k1:${key(1)},k2:${key(2)}`, FIELD_KEY_ACTIVE: 'k1' });
    expect(ring.activeKeyId).toBe('k1');
    expect(ring.isDevelopmentKeyring).toBe(false);
  });

  it('reads HASH_PEPPER_KEYS and HASH_PEPPER_ACTIVE', () => {
    expect(loadPepperKeyring({ HASH_PEPPER_KEYS: `p1:${key(3)}`, HASH_PEPPER_ACTIVE: 'p1' }).keyIds).toEqual(['p1']);
  });

  it('requires explicit keys unless development keys are allowed and development mode is on', () => {
    expect(() => loadFieldKeyring({ LEDGER_DEV_MODE: '1' })).toThrow(/FIELD_KEYS is not set/);
    expect(loadFieldKeyring({ LEDGER_DEV_MODE: '1' }, { allowDevelopmentKeys: true }).isDevelopmentKeyring).toBe(true);
  });

  it('never falls back to development keys outside development mode, whatever NODE_ENV says', () => {
    for (const env of [{}, { NODE_ENV: 'production' }, { NODE_ENV: 'staging' }, { NODE_ENV: 'development' }]) {
      expect(() => loadFieldKeyring(env, { allowDevelopmentKeys: true })).toThrow(KeyringError);
      expect(() => loadPepperKeyring(env, { allowDevelopmentKeys: true })).toThrow(/LEDGER_DEV_MODE=1/);
    }
  });

  it('requires the active key id to be named', () => {
    expect(() => loadFieldKeyring({ FIELD_KEYS: `k1:${key(1)}` })).toThrow(/FIELD_KEY_ACTIVE/);
  });

  it('derives stable development keys, distinct per purpose', () => {
    expect(developmentKeyring('field-encryption').keyFor('dev')).toEqual(developmentKeyring('field-encryption').keyFor('dev'));
    expect(developmentKeyring('field-encryption').keyFor('dev')).not.toEqual(developmentKeyring('hash-pepper').keyFor('dev'));
  });
});

describe('secretKey', () => {
  it('makes one KeyObject per key buffer, which signs exactly as the buffer does', () => {
    const key = randomBytes(32);
    const object = secretKey(key);
    expect(secretKey(key)).toBe(object);
    expect(secretKey(Buffer.from(key))).not.toBe(object);
    expect(createHmac('sha256', object).update('payload').digest('hex')).toBe(createHmac('sha256', key).update('payload').digest('hex'));
  });
});
