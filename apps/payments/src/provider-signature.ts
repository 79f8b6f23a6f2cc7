import { createHmac, timingSafeEqual } from 'node:crypto';

/** Development secret of the provider simulators; set PAYMENTS_PROVIDER_SECRET in any real deployment. */
export const DEV_PROVIDER_SECRET = 'dev-provider-secret-not-for-production';

/** What a provider signs for a callback (see `paymentsContract.providerCallback`). */
export function signProviderCallback(secret: string, fields: { provider: string; paymentId: string; providerReference: string; amountMinor: string }): string {
  return createHmac('sha256', secret).update(`${fields.provider}|${fields.paymentId}|${fields.providerReference}|${fields.amountMinor}`).digest('hex');
}

export function verifyProviderCallback(secret: string, fields: { provider: string; paymentId: string; providerReference: string; amountMinor: string }, signature: string): boolean {
  const expected = Buffer.from(signProviderCallback(secret, fields), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
