import { createHmac, timingSafeEqual } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';
import { requireDevMode } from '@ledger/util';

/** Development secret of the provider simulators (the contract's); set PAYMENTS_PROVIDER_SECRET in any real deployment. */
export const DEV_PROVIDER_SECRET = paymentsContract.DEV_PROVIDER_SECRET;

/**
 * The secret provider callbacks are verified with: PAYMENTS_PROVIDER_SECRET; in development mode the
 * development secret when it is unset. Otherwise an unset secret stops the service at start-up: a
 * public secret would let anyone forge a top-up callback.
 */
export function providerSecretFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const secret = env.PAYMENTS_PROVIDER_SECRET;
  if (secret) return secret;
  requireDevMode('PAYMENTS_PROVIDER_SECRET is not set (the secret third-party providers sign their callbacks with)', env);
  return DEV_PROVIDER_SECRET;
}

/** What a provider signs for a callback (see `paymentsContract.providerCallback`). */
export function signProviderCallback(
  secret: string,
  fields: { provider: string; paymentId: string; providerReference: string; amountMinor: string },
): string {
  return createHmac('sha256', secret)
    .update(`${fields.provider}|${fields.paymentId}|${fields.providerReference}|${fields.amountMinor}`)
    .digest('hex');
}

export function verifyProviderCallback(
  secret: string,
  fields: { provider: string; paymentId: string; providerReference: string; amountMinor: string },
  signature: string,
): boolean {
  const expected = Buffer.from(signProviderCallback(secret, fields), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
