import { createHmac, timingSafeEqual } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';
import { requireDevMode } from '@ledger/util';

const { DEV_PROVIDER_SECRETS, PROVIDERS, PROVIDER_CALLBACK_WINDOW_MS, providerCallbackSigningString } = paymentsContract;
type ProviderName = paymentsContract.ProviderName;

/** One callback secret per provider, as each provider issues its own. */
export type ProviderSecrets = Readonly<Record<ProviderName, string>>;

/**
 * The secrets provider callbacks are verified with: PAYMENTS_PROVIDER_SECRETS (`alipay=<secret>,wechat=<secret>`,
 * every provider named); in development mode the public development secrets when it is unset. Otherwise
 * an unset or incomplete list stops the service at start-up: a public secret would let anyone forge a
 * top-up callback.
 */
export function providerSecretsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ProviderSecrets {
  const listed = env.PAYMENTS_PROVIDER_SECRETS;
  if (!listed) {
    requireDevMode('PAYMENTS_PROVIDER_SECRETS is not set (the secrets third-party providers sign their callbacks with)', env);
    return DEV_PROVIDER_SECRETS;
  }
  const secrets = new Map<string, string>();
  for (const entry of listed.split(',')) {
    const at = entry.indexOf('=');
    const provider = entry.slice(0, at).trim();
    const secret = entry.slice(at + 1).trim();
    if (at <= 0 || !secret || !(PROVIDERS as readonly string[]).includes(provider))
      throw new RangeError(
        `PAYMENTS_PROVIDER_SECRETS: "${entry.slice(0, Math.max(at, 0))}=…" is not <provider>=<secret> with a provider of ${PROVIDERS.join(', ')}`,
      );
    secrets.set(provider, secret);
  }
  const missing = PROVIDERS.filter((provider: ProviderName) => !secrets.has(provider));
  if (missing.length > 0) throw new RangeError(`PAYMENTS_PROVIDER_SECRETS has no secret for ${missing.join(', ')}`);
  return Object.fromEntries(secrets) as ProviderSecrets;
}

export interface CallbackFields {
  provider: ProviderName;
  paymentId: string;
  providerReference: string;
  amountMinor: string;
  timestamp: string;
  nonce: string;
}

/** The signature a provider puts on a callback (see `paymentsContract.providerCallback`). */
export function signProviderCallback(secret: string, fields: CallbackFields): string {
  return createHmac('sha256', secret).update(providerCallbackSigningString(fields)).digest('hex');
}

/**
 * Whether a callback may be acted on, before its nonce is checked: signed with its provider's own
 * secret (timing-safe), and signed within PROVIDER_CALLBACK_WINDOW_MS of `nowMs`.
 */
export function checkProviderCallback(
  secrets: ProviderSecrets,
  fields: CallbackFields,
  signature: string,
  nowMs: number,
): 'ok' | 'INVALID_SIGNATURE' | 'CALLBACK_STALE' {
  const expected = Buffer.from(signProviderCallback(secrets[fields.provider], fields), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'INVALID_SIGNATURE';
  return Math.abs(nowMs - Number(fields.timestamp)) > PROVIDER_CALLBACK_WINDOW_MS ? 'CALLBACK_STALE' : 'ok';
}
