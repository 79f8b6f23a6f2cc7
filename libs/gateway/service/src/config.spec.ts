import { Keyring, generateSealKeyPair, generateSigningKey, publicKeyJwk, sealKeyJwks, signingKeyJwk } from '@ledger/crypto';
import { ConfigurationError, loadGatewayConfig } from './config';

const DEV = { LEDGER_DEV_MODE: '1' };

describe('gateway configuration', () => {
  it('allows 30 logins per client IP in 10 minutes unless GATEWAY_LOGINS_PER_IP says otherwise', () => {
    expect(loadGatewayConfig({}, DEV).rateLimits.loginsPerIp).toEqual({ max: 30, windowMs: 600_000 });
    expect(loadGatewayConfig({}, { ...DEV, GATEWAY_LOGINS_PER_IP: '5000' }).rateLimits.loginsPerIp).toEqual({
      max: 5000,
      windowMs: 600_000,
    });
  });

  it('refuses a login limit that is not a whole number', () => {
    expect(() => loadGatewayConfig({}, { ...DEV, GATEWAY_LOGINS_PER_IP: 'lots' })).toThrow(ConfigurationError);
  });

  it('refuses to start on the public development keys unless development mode is asked for, whatever NODE_ENV says', () => {
    const staff = generateSigningKey('staff-1');
    const identity = generateSigningKey('identity-1');
    const sealPublic = (kid: string) => JSON.stringify(sealKeyJwks(generateSealKeyPair(kid)).publicJwk);
    const keys = {
      MESSAGE_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      MESSAGE_KEY_ACTIVE: 'k1',
      IDENTITY_SEAL_PUBLIC_KEY: sealPublic('identity-seal-1'),
      CARDS_SEAL_PUBLIC_KEY: sealPublic('cards-seal-1'),
      PAYMENTS_SEAL_PUBLIC_KEY: sealPublic('payments-seal-1'),
      GATEWAY_SEAL_PRIVATE_KEYS: JSON.stringify({ keys: [sealKeyJwks(generateSealKeyPair('gateway-seal-1')).privateJwk] }),
      STAFF_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(staff)] }),
      ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(identity)] }),
    };
    const without = (name: keyof typeof keys) => Object.fromEntries(Object.entries(keys).filter(([key]) => key !== name));
    for (const name of Object.keys(keys) as Array<keyof typeof keys>) {
      if (name.endsWith('_ACTIVE')) continue;
      expect(() => loadGatewayConfig({}, { ...without(name), NODE_ENV: 'staging' })).toThrow(
        new RegExp(`${name} is not set.*LEDGER_DEV_MODE=1`),
      );
    }
    const configured = loadGatewayConfig({}, keys);
    expect(configured.messageKeyring.isDevelopmentKeyring).toBe(false);
    expect(Object.values(configured.sealFor).map((key) => key.kid)).toEqual(['identity-seal-1', 'cards-seal-1', 'payments-seal-1']);
    expect([...configured.sealOpeningKeys.keys()]).toEqual(['gateway-seal-1']);
    expect([...configured.accessTokenKeys.keys()]).toEqual(['identity-1']);
    expect([...configured.staffTokenKeys.keys()]).toEqual(['staff-1']);
    expect(loadGatewayConfig({}, DEV).messageKeyring.isDevelopmentKeyring).toBe(true);
  });

  it('holds no key that opens what it seals for the services: their public keys only (a private one is refused)', () => {
    const identitySeal = sealKeyJwks(generateSealKeyPair('identity-seal-1'));
    expect(() => loadGatewayConfig({}, { ...DEV, IDENTITY_SEAL_PUBLIC_KEY: JSON.stringify(identitySeal.privateJwk) })).toThrow(
      /IDENTITY_SEAL_PUBLIC_KEY holds a private key/,
    );
    expect('fieldKeyring' in loadGatewayConfig({}, DEV)).toBe(false);
  });

  it("holds the issuers' public keys only, and refuses a key id shared by the users' and the staff's issuers", () => {
    const identity = generateSigningKey('shared-1');
    expect(() => loadGatewayConfig({}, { ...DEV, ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [signingKeyJwk(identity)] }) })).toThrow(
      /holds a private key/,
    );
    expect(() => loadGatewayConfig({}, { ...DEV, STAFF_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [signingKeyJwk(identity)] }) })).toThrow(
      /holds a private key/,
    );
    const staffKeys = JSON.stringify({ keys: [publicKeyJwk(generateSigningKey('shared-1'))] });
    expect(() =>
      loadGatewayConfig(
        { messageKeyring: Keyring.generate(['k']) },
        { ...DEV, ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(identity)] }), STAFF_TOKEN_PUBLIC_KEYS: staffKeys },
      ),
    ).toThrow(/share the key id\(s\) shared-1/);
  });
});
