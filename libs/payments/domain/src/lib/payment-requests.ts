/** What a payment is asked to do: one request per kind of payment, as the command that starts it carries it. */
import type { PaymentChannel } from './merchants';

export interface MerchantPaymentRequest {
  kind: 'merchant';
  paymentId: string;
  userId: string;
  walletId: string;
  merchantId: string;
  channel: PaymentChannel;
  amountMinor: bigint;
  description: string;
}

export interface TopUpRequest {
  kind: 'topup';
  paymentId: string;
  userId: string;
  walletId: string;
  cardId: string;
  amountMinor: bigint;
}

/**
 * Personal data as it is kept at rest (a transfer's recipient phone, a bill's reference, which for a
 * mobile bill is the phone number): never in plain text. `encrypted` is field-encrypted
 * (AES-256-GCM, `enc:v1:…`, decrypted only in memory when the recipient is looked up or the biller
 * is called), `masked` is for display (`138****5678`), `fingerprint` a keyed hash (HMAC) that makes
 * the idempotency fingerprint stable (the ciphertext is randomized, so it cannot be compared).
 */
export interface ProtectedValue {
  encrypted: string;
  masked: string;
  fingerprint: string;
}

export type ProtectedPhone = ProtectedValue;

export interface TransferRequest {
  kind: 'transfer';
  paymentId: string;
  userId: string;
  walletId: string;
  recipientPhone: ProtectedPhone;
  amountMinor: bigint;
  description: string;
}

export interface WithdrawalRequest {
  kind: 'withdrawal';
  paymentId: string;
  userId: string;
  walletId: string;
  cardId: string;
  amountMinor: bigint;
}

export interface BillPaymentRequest {
  kind: 'bill';
  paymentId: string;
  userId: string;
  walletId: string;
  billerId: string;
  billReference: ProtectedValue;
  amountMinor: bigint;
}

export type Provider = 'alipay' | 'wechat';

export interface ProviderTopUpRequest {
  kind: 'provider_topup';
  paymentId: string;
  userId: string;
  walletId: string;
  provider: Provider;
  amountMinor: bigint;
  /** The provider's confirmation must arrive before this instant (set at start; not part of the fingerprint). */
  deadline: string;
}

export interface CounterTopUpRequest {
  kind: 'counter';
  paymentId: string;
  userId: string;
  walletId: string;
  branchId: string;
  tellerId: string;
  amountMinor: bigint;
  /**
   * The depositor's resident ID number the teller checked, kept protected (encrypted, masked,
   * fingerprinted): required above `CounterApprovalPolicy.idCheckAboveMinor`, so the payment
   * records whose ID was checked for a large cash deposit.
   */
  depositorId?: ProtectedValue;
}

/** The refund id is the payment id of the refund's own stream. */
export interface RefundRequest {
  kind: 'refund';
  paymentId: string;
  originalPaymentId: string;
  amountMinor: bigint;
  reason: string;
}

export type PaymentRequest =
  | MerchantPaymentRequest
  | TopUpRequest
  | TransferRequest
  | WithdrawalRequest
  | BillPaymentRequest
  | RefundRequest
  | ProviderTopUpRequest
  | CounterTopUpRequest;
export type PaymentKind = PaymentRequest['kind'];
