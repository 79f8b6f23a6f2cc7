import { DEV_PROVIDER_SECRET, providerSecretFromEnv, signProviderCallback, verifyProviderCallback } from './provider-signature';

describe('provider callback signatures', () => {
  const fields = { provider: 'wechat', paymentId: 'p-1', providerReference: 'wx-1', amountMinor: '2000' };

  it('verifies a signature made with the same secret, and refuses another secret or another amount', () => {
    const signature = signProviderCallback('s3cret', fields);
    expect(verifyProviderCallback('s3cret', fields, signature)).toBe(true);
    expect(verifyProviderCallback('other', fields, signature)).toBe(false);
    expect(verifyProviderCallback('s3cret', { ...fields, amountMinor: '2001' }, signature)).toBe(false);
    expect(verifyProviderCallback('s3cret', fields, 'zz')).toBe(false);
  });

  it('takes PAYMENTS_PROVIDER_SECRET; falls back to the development secret only in development mode', () => {
    expect(providerSecretFromEnv({ PAYMENTS_PROVIDER_SECRET: 'from-env' })).toBe('from-env');
    expect(providerSecretFromEnv({ LEDGER_DEV_MODE: '1' })).toBe(DEV_PROVIDER_SECRET);
    expect(() => providerSecretFromEnv({})).toThrow(/PAYMENTS_PROVIDER_SECRET is not set.*LEDGER_DEV_MODE=1/);
    expect(() => providerSecretFromEnv({ NODE_ENV: 'development' })).toThrow(/LEDGER_DEV_MODE=1/);
  });
});
