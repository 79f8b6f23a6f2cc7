import { Keyring, generateSigningKey, publicKeyJwk, signingKeyJwk } from '@ledger/crypto';
import { ConfigurationError, loadGatewayConfig } from './config';

const DEV = { LEDGER_DEV_MODE: '1' };

describe('gateway configuration', () => {
  it('allows 30 logins per client IP in 10 minutes unless GATEWAY_LOGINS_PER_IP says otherwise', () => {
    expect(loadGatewayConfig({}, DEV).rateLimits.loginsPerIp).toEqual({ max: 30, windowMs: 600_000 });
    expect(loadGatewayConfig({}, { ...DEV, GATEWAY_LOGINS_PER_IP: '5000' }).rateLimits.loginsPerIp).toEqual({ max: 5000, windowMs: 600_000 });
  });

  it('refuses a login limit that is not a whole number', () => {
    expect(() => loadGatewayConfig({}, { ...DEV, GATEWAY_LOGINS_PER_IP: 'lots' })).toThrow(ConfigurationError);
  });

  it('refuses to start on the public development keys unless development mode is asked for, whatever NODE_ENV says', () => {
    const staff = generateSigningKey('staff-1');
    const identity = generateSigningKey('identity-1');
    const keys = {
      FIELD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      FIELD_KEY_ACTIVE: 'k1',
      STAFF_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(staff)] }),
      ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(identity)] }),
    };
    const without = (name: keyof typeof keys) => Object.fromEntries(Object.entries(keys).filter(([key]) => key !== name));
    expect(() => loadGatewayConfig({}, without('FIELD_KEYS'))).toThrow(/FIELD_KEYS is not set.*LEDGER_DEV_MODE=1/);
    expect(() => loadGatewayConfig({}, without('STAFF_TOKEN_PUBLIC_KEYS'))).toThrow(/STAFF_TOKEN_PUBLIC_KEYS is not set.*LEDGER_DEV_MODE=1/);
    expect(() => loadGatewayConfig({}, { ...without('ACCESS_TOKEN_PUBLIC_KEYS'), NODE_ENV: 'staging' })).toThrow(/ACCESS_TOKEN_PUBLIC_KEYS is not set.*LEDGER_DEV_MODE=1/);
    const configured = loadGatewayConfig({}, keys);
    expect(configured.fieldKeyring.isDevelopmentKeyring).toBe(false);
    expect([...configured.accessTokenKeys.keys()]).toEqual(['identity-1']);
    expect([...configured.staffTokenKeys.keys()]).toEqual(['staff-1']);
    expect(loadGatewayConfig({}, DEV).fieldKeyring.isDevelopmentKeyring).toBe(true);
  });

  it("holds the issuers' public keys only, and refuses a key id shared by the users' and the staff's issuers", () => {
    const identity = generateSigningKey('shared-1');
    expect(() => loadGatewayConfig({}, { ...DEV, ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [signingKeyJwk(identity)] }) })).toThrow(/holds a private key/);
    expect(() => loadGatewayConfig({}, { ...DEV, STAFF_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [signingKeyJwk(identity)] }) })).toThrow(/holds a private key/);
    const staffKeys = JSON.stringify({ keys: [publicKeyJwk(generateSigningKey('shared-1'))] });
    expect(() => loadGatewayConfig({ fieldKeyring: Keyring.generate(['k']) }, { ...DEV, ACCESS_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [publicKeyJwk(identity)] }), STAFF_TOKEN_PUBLIC_KEYS: staffKeys })).toThrow(/share the key id\(s\) shared-1/);
  });
});
