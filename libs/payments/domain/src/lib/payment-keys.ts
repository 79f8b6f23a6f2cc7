/** The names a payment is known by: its stream, its hold, and the fingerprint of its idempotency. */
import { assertNever } from '@ledger/util';
import type { PaymentRequest } from './payment-requests';

/** The stream a payment's events are kept in. */
export const paymentStreamId = (paymentId: string): string => `payment-${paymentId}`;

/** The hold a payment reserves in the wallet: deterministic, so a retried reservation is the same hold. */
export const holdIdFor = (paymentId: string): string => `payment-${paymentId}`;

/** The payload that makes a payment id's idempotency: same fingerprint = same payment. */
export function fingerprintOf(request: PaymentRequest): string {
  switch (request.kind) {
    case 'merchant':
      return JSON.stringify([
        'merchant',
        request.userId,
        request.walletId,
        request.merchantId,
        request.channel,
        request.amountMinor.toString(),
        request.description,
      ]);
    case 'topup':
      return JSON.stringify(['topup', request.userId, request.walletId, request.cardId, request.amountMinor.toString()]);
    case 'transfer':
      return JSON.stringify([
        'transfer',
        request.userId,
        request.walletId,
        request.recipientPhone.fingerprint,
        request.amountMinor.toString(),
        request.description,
      ]);
    case 'withdrawal':
      return JSON.stringify(['withdrawal', request.userId, request.walletId, request.cardId, request.amountMinor.toString()]);
    case 'bill':
      return JSON.stringify([
        'bill',
        request.userId,
        request.walletId,
        request.billerId,
        request.billReference.fingerprint,
        request.amountMinor.toString(),
      ]);
    case 'provider_topup':
      return JSON.stringify(['provider_topup', request.userId, request.walletId, request.provider, request.amountMinor.toString()]);
    case 'counter':
      return JSON.stringify([
        'counter',
        request.userId,
        request.walletId,
        request.branchId,
        request.tellerId,
        request.amountMinor.toString(),
      ]);
    case 'refund':
      return JSON.stringify(['refund', request.originalPaymentId, request.amountMinor.toString(), request.reason]);
    default:
      return assertNever(request, 'payment request');
  }
}
