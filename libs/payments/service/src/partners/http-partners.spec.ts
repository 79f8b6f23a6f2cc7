import { DevModeRequired } from '@ledger/util';
import { closePaymentsPartners, paymentsPartnersFromEnv } from './http-partners';

describe('the partners payments talks to', () => {
  it('are configured by URL and credential each; without them a service outside development mode refuses to start', () => {
    expect(() => paymentsPartnersFromEnv({})).toThrow(DevModeRequired);
    expect(() => paymentsPartnersFromEnv({ NODE_ENV: 'production', PAYMENTS_ACQUIRER_URL: 'https://acq.example' })).toThrow(
      /PAYMENTS_ACQUIRER_KEY is not set.*LEDGER_DEV_MODE=1/,
    );
    const configured = paymentsPartnersFromEnv({
      PAYMENTS_ACQUIRER_URL: 'https://acquirer.example/api',
      PAYMENTS_ACQUIRER_KEY: 'k1:s1',
      PAYMENTS_ACQUIRER_TIMEOUT_MS: '1500',
      PAYMENTS_CARD_ISSUER_URL: 'https://issuer.example',
      PAYMENTS_CARD_ISSUER_KEY: 'k2:s2',
      PAYMENTS_BILLER_URL: 'https://biller.example',
      PAYMENTS_BILLER_KEY: 'k3:s3',
    });
    expect(configured.acquirer.client.options).toMatchObject({
      baseUrl: 'https://acquirer.example/api',
      credential: { keyId: 'k1', secret: 's1' },
      timeoutMs: 1500,
      allowSimulator: false,
    });
    expect(configured.biller.client.options).toMatchObject({ baseUrl: 'https://biller.example', credential: { keyId: 'k3' } });
    closePaymentsPartners(configured);
  });

  it('in development mode fall back to the partner simulator app, one path per partner, with its public credentials', () => {
    const local = paymentsPartnersFromEnv({ LEDGER_DEV_MODE: '1', PARTNERS_URL: 'http://127.0.0.1:4999/' });
    expect(local.acquirer.client.options).toMatchObject({
      baseUrl: 'http://127.0.0.1:4999/acquirer',
      credential: { keyId: 'dev' },
      allowSimulator: true,
    });
    expect(local.cards.client.options.baseUrl).toBe('http://127.0.0.1:4999/issuer');
    expect(local.biller.client.options.baseUrl).toBe('http://127.0.0.1:4999/biller');
    closePaymentsPartners(local);
  });
});
