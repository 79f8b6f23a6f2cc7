/**
 * The partners' HTTP APIs as the adapters speak them and the partner simulator serves them: paths
 * (from each partner's base URL) and bodies. Amounts travel as strings of fen, like everywhere else.
 * Every business answer (a decline, an unknown bill) is a 200 with its outcome; a non-2xx status means
 * the request itself was refused or failed.
 */

/** Card acquirer: authorizes a merchant payment. Idempotent on `paymentId` (also the Idempotency-Key). */
export const ACQUIRER_API = { authorizations: '/v1/authorizations' } as const;
export interface AcquirerAuthorizationBody {
  readonly paymentId: string;
  readonly merchantId: string;
  readonly channel: string;
  readonly amountMinor: string;
}
export type AcquirerAuthorizationAnswer = { approved: true; authorizationCode: string } | { approved: false; reason: string };

/** Card issuer and core banking: verifies and checks cards, charges and pays out. Money calls are idempotent on `reference`. */
export const ISSUER_API = {
  verifications: '/v1/card-verifications',
  cardStatus: (cardToken: string) => `/v1/cards/${encodeURIComponent(cardToken)}/status`,
  charges: '/v1/charges',
  payouts: '/v1/payouts',
} as const;
export interface IssuerVerificationBody {
  readonly cardNumber: string;
  readonly holderName: string;
  readonly reservedPhone: string;
}
export type IssuerVerificationAnswer =
  | { outcome: 'valid'; cardToken: string; cardType: 'debit' | 'credit'; expiresOn: string }
  | { outcome: 'expired' | 'blocked' | 'holder_mismatch' | 'phone_mismatch' | 'unknown_card' };
export interface IssuerCardStatusAnswer {
  status: 'active' | 'expired' | 'blocked';
}
export interface IssuerMoneyBody {
  readonly cardToken: string;
  readonly amountMinor: string;
  readonly reference: string;
}
export type IssuerMoneyAnswer = { outcome: 'approved'; issuerReference: string } | { outcome: 'declined'; reason: string };

/** Billers: look a bill up, pay it (idempotent on `paymentId`). */
export const BILLER_API = {
  bill: (billerId: string, billReference: string) =>
    `/v1/billers/${encodeURIComponent(billerId)}/bills/${encodeURIComponent(billReference)}`,
  payments: '/v1/payments',
} as const;
export type BillerBillAnswer = { found: true; amountDueMinor?: string } | { found: false };
export interface BillerPaymentBody {
  readonly paymentId: string;
  readonly billerId: string;
  readonly billReference: string;
  readonly amountMinor: string;
}
export type BillerPaymentAnswer = { accepted: true; receipt: string } | { accepted: false; reason: string };

/** SMS gateway: sends one message (idempotent on the Idempotency-Key). */
export const SMS_API = { messages: '/v1/messages' } as const;
export interface SmsMessageBody {
  readonly to: string;
  readonly text: string;
}
export interface SmsMessageAnswer {
  messageId: string;
}
