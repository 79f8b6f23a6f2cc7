/**
 * The pieces the identity contract's commands and events share: the context's name, its secret
 * fields and the associated data they are encrypted with, and the field schemas (ids, the phone,
 * purposes, risk signals). `identity.ts` re-exports the public ones.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN } from './command';

export const CONTEXT = 'identity';

/** The associated data an encrypted identity field is bound to, e.g. `identity:loginPassword`. */
export function secretAad(field: SecretField): string {
  return `identity:${field}`;
}

export type SecretField =
  | 'phone'
  | 'name'
  | 'code'
  | 'loginPassword'
  | 'newLoginPassword'
  | 'paymentPassword'
  | 'newPaymentPassword'
  | 'idNumber'
  | 'secondFactorCode'
  | 'stepUpCode'
  | 'accessToken'
  | 'refreshToken'
  | 'provisioningUri'
  | 'recoveryCodes'
  | 'staffPassword'
  | 'staffAuthenticatorCode'
  | 'staffClientAddress';

/**
 * A secret field, never plaintext: sealed for this context's public key by the gateway
 * (`seal:v1:…`, see `@ledger/crypto` sealField) or encrypted with the services' field keyring
 * (`enc:v1:<kid>:<iv>:<ciphertext>:<tag>`) by another service.
 */
export const EncryptedString = (description: string) => Type.String({ pattern: ENCRYPTED_FIELD_PATTERN, maxLength: 4096, description });

export const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
/**
 * A mainland China mobile number (`+86`, spaces and dashes are tolerated and normalized), encrypted
 * for identity like every personal field: a number never travels in clear on the bus.
 */
export const Phone = EncryptedString('the mobile number, e.g. 13812345678, encrypted for identity (field phone)');
export const DeviceId = Type.String({ minLength: 1, maxLength: 128 });
// A pattern rather than `format: 'date-time'`: TypeBox checks formats only once registered.
export const Instant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$',
  description: 'ISO-8601 UTC instant',
});

export const VerificationPurpose = Type.Union([
  Type.Literal('registration'),
  Type.Literal('payment_password_reset'),
  Type.Literal('login_step_up'),
  Type.Literal('unfreeze'),
]);
export type VerificationPurpose = Static<typeof VerificationPurpose>;

export const PaymentPasswordPurpose = Type.Union([
  Type.Literal('payment'),
  Type.Literal('transfer'),
  Type.Literal('bill_payment'),
  Type.Literal('top_up'),
  Type.Literal('withdrawal'),
  Type.Literal('bind_card'),
  Type.Literal('unbind_card'),
  Type.Literal('change_payment_password'),
  Type.Literal('unfreeze'),
  Type.Literal('disable_second_factor'),
]);
export type PaymentPasswordPurpose = Static<typeof PaymentPasswordPurpose>;

export const RiskSignal = Type.Union([
  Type.Literal('repeated_login_failures'),
  Type.Literal('payment_password_locked'),
  Type.Literal('second_factor_locked'),
  Type.Literal('suspicious_login'),
  Type.Literal('suspicious_transactions'),
]);
export const RiskSeverity = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]);

export const strict = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

/** Identity's refusals of a protected operation for the user's second factor (no code, a wrong one, a lock): one list for every command that carries a secondFactorCode. */
export const SECOND_FACTOR_REJECTS = ['SECOND_FACTOR_REQUIRED', 'INVALID_SECOND_FACTOR', 'SECOND_FACTOR_LOCKED'] as const;
