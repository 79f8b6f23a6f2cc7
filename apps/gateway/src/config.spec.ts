import { ConfigurationError, loadGatewayConfig } from './config';

describe('gateway configuration', () => {
  it('allows 30 logins per client IP in 10 minutes unless GATEWAY_LOGINS_PER_IP says otherwise', () => {
    expect(loadGatewayConfig({}, {}).rateLimits.loginsPerIp).toEqual({ max: 30, windowMs: 600_000 });
    expect(loadGatewayConfig({}, { GATEWAY_LOGINS_PER_IP: '5000' }).rateLimits.loginsPerIp).toEqual({ max: 5000, windowMs: 600_000 });
  });

  it('refuses a login limit that is not a whole number', () => {
    expect(() => loadGatewayConfig({}, { GATEWAY_LOGINS_PER_IP: 'lots' })).toThrow(ConfigurationError);
  });
});
