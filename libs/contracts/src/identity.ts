/**
 * The identity context's public contract: its command payload schemas (what arrives on
 * `identity.commands`) and the events it publishes on `identity.events` that other contexts consume.
 *
 * Secret fields (passwords, SMS and dynamic codes, the ID card number) never travel in plain text:
 * the edge (the gateway) encrypts each one with the field keyring (AES-256-GCM with a key id, see
 * `@ledger/crypto` `encryptField`) and the associated data `secretAad(field)`, so a ciphertext made
 * for one field cannot be replayed as another. The identity service decrypts them only in memory.
 * Results that carry secrets (tokens, the second-factor provisioning URI and recovery codes) are encrypted the same way.
 */
export {
  CONTEXT,
  EncryptedString,
  PaymentPasswordPurpose,
  SECOND_FACTOR_REJECTS,
  VerificationPurpose,
  secretAad,
  type SecretField,
} from './identity-fields';
export * from './identity-commands';
export * from './identity-events';

/**
 * Stable rejection codes the identity service answers with, besides the transport's
 * (`INVALID_COMMAND`, `UNKNOWN_COMMAND`, `PROCESSING_FAILED`, `TIMEOUT`). The meaning of each is in
 * apps/identity/README.md.
 */
export const ERROR_CODES = [
  'RESEND_TOO_SOON',
  'SMS_UNAVAILABLE',
  'TOO_MANY_CODES',
  'INVALID_CODE',
  'CODE_EXPIRED',
  'CODE_ATTEMPTS_EXHAUSTED',
  'CODE_ALREADY_USED',
  'CODE_NOT_REQUESTED',
  'PHONE_ALREADY_REGISTERED',
  'WEAK_PASSWORD',
  'SYSTEM_MAINTENANCE',
  'USER_NOT_FOUND',
  'INVALID_CREDENTIALS',
  'LOGIN_LOCKED',
  'STEP_UP_REQUIRED',
  'PAYMENT_PASSWORD_NOT_SET',
  'PAYMENT_PASSWORD_ALREADY_SET',
  'WRONG_PAYMENT_PASSWORD',
  'PAYMENT_PASSWORD_LOCKED',
  'SECOND_FACTOR_ALREADY_ENABLED',
  'SECOND_FACTOR_NOT_ENABLED',
  'SECOND_FACTOR_REQUIRED',
  'INVALID_SECOND_FACTOR',
  'SECOND_FACTOR_LOCKED',
  'SECOND_FACTOR_NOT_PENDING',
  'SECOND_FACTOR_CODE_INVALID',
  'ACCOUNT_FROZEN',
  'ALREADY_FROZEN',
  'IDENTITY_ALREADY_VERIFIED',
  'NOT_FROZEN',
  'UNFREEZE_REQUIRES_SUPPORT',
  'INVALID_INPUT',
  'FORBIDDEN',
  'INVALID_REFRESH_TOKEN',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'SESSION_REVOKED',
  'USER_ALREADY_EXISTS',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
