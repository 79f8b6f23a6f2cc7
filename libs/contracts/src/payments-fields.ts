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

/**
 * The secret the provider simulators sign callbacks with in development mode (`LEDGER_DEV_MODE=1`),
 * public on purpose so testers can sign their own; a deployment sets PAYMENTS_PROVIDER_SECRET.
 */
export const DEV_PROVIDER_SECRET = 'dev-provider-secret-not-for-production';

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
