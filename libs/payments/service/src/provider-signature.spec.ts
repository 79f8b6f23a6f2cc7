import { paymentsContract } from '@ledger/contracts';
import { checkProviderCallback, providerSecretsFromEnv, signProviderCallback, type CallbackFields } from './provider-signature';

const { DEV_PROVIDER_SECRETS, PROVIDER_CALLBACK_WINDOW_MS } = paymentsContract;

describe('provider callback signatures', () => {
  const now = Date.parse('2026-12-08T10:00:00Z');
  const fields: CallbackFields = {
    provider: 'wechat',
    paymentId: 'p-1',
    providerReference: 'wx-1',
    amountMinor: '2000',
    timestamp: String(now),
    nonce: 'n0nce-0123456789ab',
  };
  const secrets = { alipay: 'alipay-s3cret', wechat: 'wechat-s3cret' };

  it("verifies a callback signed with its provider's secret, and refuses another provider's secret or any changed field", () => {
    const signature = signProviderCallback('wechat-s3cret', fields);
    expect(checkProviderCallback(secrets, fields, signature, now)).toBe('ok');
    expect(checkProviderCallback(secrets, fields, signProviderCallback('alipay-s3cret', fields), now)).toBe('INVALID_SIGNATURE');
    for (const changed of [{ amountMinor: '2001' }, { nonce: 'n0nce-0123456789ac' }, { timestamp: String(now + 1) }, { paymentId: 'p-2' }])
      expect(checkProviderCallback(secrets, { ...fields, ...changed }, signature, now)).toBe('INVALID_SIGNATURE');
    expect(checkProviderCallback(secrets, fields, 'zz', now)).toBe('INVALID_SIGNATURE');
  });

  it('refuses a well-signed callback whose timestamp is outside the window, either way', () => {
    const signature = signProviderCallback('wechat-s3cret', fields);
    expect(checkProviderCallback(secrets, fields, signature, now + PROVIDER_CALLBACK_WINDOW_MS)).toBe('ok');
    expect(checkProviderCallback(secrets, fields, signature, now + PROVIDER_CALLBACK_WINDOW_MS + 1)).toBe('CALLBACK_STALE');
    expect(checkProviderCallback(secrets, fields, signature, now - PROVIDER_CALLBACK_WINDOW_MS - 1)).toBe('CALLBACK_STALE');
  });

  it('takes one secret per provider from PAYMENTS_PROVIDER_SECRETS; the development secrets only in development mode', () => {
    expect(providerSecretsFromEnv({ PAYMENTS_PROVIDER_SECRETS: 'alipay=a1, wechat=w1' })).toEqual({ alipay: 'a1', wechat: 'w1' });
    expect(() => providerSecretsFromEnv({ PAYMENTS_PROVIDER_SECRETS: 'alipay=a1' })).toThrow(/no secret for wechat/);
    expect(() => providerSecretsFromEnv({ PAYMENTS_PROVIDER_SECRETS: 'alipay=a1,paypal=p,wechat=w' })).toThrow(/paypal=…/);
    expect(providerSecretsFromEnv({ LEDGER_DEV_MODE: '1' })).toBe(DEV_PROVIDER_SECRETS);
    expect(() => providerSecretsFromEnv({})).toThrow(/PAYMENTS_PROVIDER_SECRETS is not set.*LEDGER_DEV_MODE=1/);
    expect(() => providerSecretsFromEnv({ NODE_ENV: 'development' })).toThrow(/LEDGER_DEV_MODE=1/);
  });
});
