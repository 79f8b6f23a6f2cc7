/**
 * The payments context's public contract: its command payload schemas (what arrives on
 * `payments.commands`) and the events it publishes on `payments.events` that other contexts consume.
 *
 * Every money-moving command carries a client-generated `paymentId`: the idempotency key. The same
 * id with the same payload returns the original outcome; with another payload the command is
 * rejected `IDEMPOTENCY_KEY_REUSED`. Amounts are decimal strings of fen. Key: the paymentId.
 */
export {
  CONTEXT,
  Channel,
  DEV_PROVIDER_SECRETS,
  PROVIDERS,
  PROVIDER_CALLBACK_WINDOW_MS,
  PaymentId,
  providerCallbackSigningString,
  secretAad,
  type ProviderName,
  type SecretField,
} from './payments-fields';
export * from './payments-commands';
export * from './payments-events';

/**
 * Every stable code the payments service answers with (a rejected command, or the `code` of a failed
 * payment), besides the transport's and the codes of identity, cards and wallet it passes through
 * unchanged (WRONG_PAYMENT_PASSWORD, INSUFFICIENT_FUNDS, CARD_EXPIRED…). Each is explained at
 * `PAYMENT_ERROR` in `@ledger/payments-domain`; `libs/payments/service/src/payments-contract.spec.ts` checks
 * the list against it.
 */
export const ERROR_CODES = [
  'IDEMPOTENCY_KEY_REUSED',
  'PAYMENTS_BUSY',
  'MERCHANT_NOT_SUPPORTED',
  'CHANNEL_NOT_SUPPORTED',
  'MERCHANT_DECLINED',
  'ACQUIRER_UNAVAILABLE',
  'WALLET_UNAVAILABLE',
  'IDENTITY_UNAVAILABLE',
  'PAYMENT_INTERRUPTED',
  'HOLD_EXPIRED',
  'RECIPIENT_NOT_FOUND',
  'RECIPIENT_WALLET_UNAVAILABLE',
  'SELF_TRANSFER',
  'CARDS_UNAVAILABLE',
  'CARD_CHARGE_DECLINED',
  'CARD_PAYOUT_DECLINED',
  'REFUND_EXCEEDS_PAYMENT',
  'PAYMENT_NOT_REFUNDABLE',
  'PAYMENT_NOT_FOUND',
  'BILLER_NOT_SUPPORTED',
  'BILL_NOT_FOUND',
  'BILL_AMOUNT_MISMATCH',
  'BILLER_DECLINED',
  'BILLER_UNAVAILABLE',
  'TOPUP_EXPIRED',
  'CALLBACK_AFTER_DEADLINE',
  'INVALID_SIGNATURE',
  'CALLBACK_STALE',
  'CALLBACK_REPLAYED',
  'CALLBACK_MISMATCH',
  'APPROVAL_EXPIRED',
  'COUNTER_TOP_UP_REJECTED',
  'NOT_AWAITING_APPROVAL',
  'SELF_APPROVAL_FORBIDDEN',
  'FORBIDDEN',
  'RISK_VELOCITY_EXCEEDED',
  'STEP_UP_REQUIRED',
  'AUDIT_UNAVAILABLE',
  'DEPOSITOR_ID_REQUIRED',
  'ALREADY_ONBOARDED',
  'NOT_ONBOARDED',
  'ALREADY_SUSPENDED',
  'NOT_SUSPENDED',
  'TOO_MANY_API_KEYS',
  'API_KEY_NOT_FOUND',
  'MERCHANT_KEY_INVALID',
  'NOT_MERCHANTS_PAYMENT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
