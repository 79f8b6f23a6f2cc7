/**
 * The pieces the payments contract's commands and events share: the context's name, its secret
 * fields and their associated data, and the field schemas (ids, the forwarded password and step-up
 * code, the channel). `payments.ts` re-exports the public ones.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN } from './command';

export const CONTEXT = 'payments';

/** The fields sealed (or encrypted) for payments: personal data that never travels in clear. */
export type SecretField = 'recipientPhone' | 'billReference' | 'merchantApiKey' | 'depositorIdNumber';

/** The associated data of a field encrypted for payments, e.g. `payments:recipientPhone`. */
export function secretAad(field: SecretField): string {
  return `${CONTEXT}:${field}`;
}

/** The third-party top-up providers. */
export const PROVIDERS = ['alipay', 'wechat'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * The secret each provider simulator signs its callbacks with in development mode (`LEDGER_DEV_MODE=1`),
 * one per provider like the real ones, public on purpose so testers can sign their own; a deployment
 * sets PAYMENTS_PROVIDER_SECRETS.
 */
export const DEV_PROVIDER_SECRETS: Readonly<Record<ProviderName, string>> = {
  alipay: 'dev-alipay-callback-secret-not-for-production',
  wechat: 'dev-wechat-callback-secret-not-for-production',
};

/** How far a callback's timestamp may be from the ledger's clock, either way, before it is refused as stale. */
export const PROVIDER_CALLBACK_WINDOW_MS = 5 * 60_000;

/**
 * What a provider signs for a callback: hex HMAC-SHA256(the provider's secret, this string). The
 * timestamp (Unix milliseconds) and the one-time nonce make a copied callback useless: stale after
 * the window, refused as a replay within it.
 */
export function providerCallbackSigningString(fields: {
  provider: string;
  paymentId: string;
  providerReference: string;
  amountMinor: string;
  timestamp: string;
  nonce: string;
}): string {
  return [fields.provider, fields.paymentId, fields.providerReference, fields.amountMinor, fields.timestamp, fields.nonce].join('|');
}

/** A payment id doubles as a stream name segment (`payment-<id>`) and a hold id segment. */
export const PaymentId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' });
export const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
/** The payment password, encrypted at the edge exactly as identity expects it; forwarded, never stored. */
export const EncryptedPassword = Type.String({ pattern: ENCRYPTED_FIELD_PATTERN, maxLength: 4096 });
/** The device the user pays from (as the app reports it): the new-device risk rule keys on it. */
export const DeviceId = Type.String({ minLength: 1, maxLength: 128 });
/** The user's login_step_up SMS code, encrypted at the edge exactly as identity expects it; forwarded to identity.VerifyStepUpCode.v1 when the new-device rule asks for it, never stored. */
export const StepUpCode = Type.Optional(Type.String({ pattern: ENCRYPTED_FIELD_PATTERN, maxLength: 4096 }));
/**
 * The user's second-factor code (the authenticator's TOTP code or a one-time recovery code), encrypted at the edge exactly as identity expects it
 * (`identity:secondFactorCode`); forwarded with the payment-password check, never stored.
 */
export const SecondFactorCode = Type.Optional(
  Type.String({
    pattern: ENCRYPTED_FIELD_PATTERN,
    maxLength: 4096,
    description:
      "the user's dynamic code (TOTP or a recovery code), encrypted for identity; needed when the second factor is on and the payment is above identity's threshold or from a new device",
  }),
);
export const Channel = Type.Union([Type.Literal('online'), Type.Literal('qr'), Type.Literal('pos')]);

export const object = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { additionalProperties: false });
