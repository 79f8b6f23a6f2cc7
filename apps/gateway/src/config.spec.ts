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
    expect(() => loadGatewayConfig({}, {})).toThrow(/FIELD_KEYS is not set.*LEDGER_DEV_MODE=1/);
    expect(() => loadGatewayConfig({}, { NODE_ENV: 'staging' })).toThrow(/LEDGER_DEV_MODE=1/);
    expect(loadGatewayConfig({}, DEV).fieldKeyring.isDevelopmentKeyring).toBe(true);
  });
});
