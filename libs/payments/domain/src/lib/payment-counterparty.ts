/**
 * What a user is shown of the other side of a payment, and which payment a wallet entry belongs to.
 * Both read stored data (a payment's recorded request, a wallet hold or credit id), so the payments
 * service's list of a user's payments and the analysts' statements show the same thing.
 */
import { maskMobilePhone, normalizeMobilePhone } from '@ledger/contracts';
import { holdIdFor } from './payment-keys';

type Stored = Readonly<Record<string, unknown>>;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The counterparty of a recorded payment request as its payer sees it: `merchant:<id>`,
 * `phone:<masked>`, `biller:<id>`, `card:<cardId>`, `provider:<name>`, `branch:<id>` or
 * `payment:<refunded payment>`. Never a plain phone number.
 */
export function shownCounterpartyOf(request: Stored): string {
  switch (request.kind) {
    case 'merchant':
      return `merchant:${text(request.merchantId)}`;
    case 'topup':
    case 'withdrawal':
      return `card:${text(request.cardId)}`;
    case 'transfer': {
      const phone = request.recipientPhone;
      // Transfers recorded before phones were protected hold the plain number: mask it here too.
      if (typeof phone !== 'string') return `phone:${text((phone as Stored | undefined)?.masked)}`;
      const canonical = normalizeMobilePhone(phone);
      return `phone:${canonical === undefined ? '*'.repeat(phone.length) : maskMobilePhone(canonical)}`;
    }
    case 'bill':
      return `biller:${text(request.billerId)}`;
    case 'provider_topup':
      return `provider:${text(request.provider)}`;
    case 'counter':
      return `branch:${text(request.branchId)}`;
    case 'refund':
      return `payment:${text(request.originalPaymentId)}`;
    default:
      return 'unknown';
  }
}

/** The wallet credits a payment asks for, by what brings the money in: deterministic, so a retried credit is the same credit. */
export type PaymentCreditKind = 'transfer' | 'topup' | 'refund';
export const creditIdFor = (kind: PaymentCreditKind, paymentId: string): string => `${kind}-${paymentId}`;

const HOLD_PREFIX = holdIdFor('');
const CREDIT_ID = /^(transfer|topup|refund)-(.+)$/;

/** The payment a wallet hold (`holdIdFor`) or credit (`creditIdFor`) belongs to; undefined for one no payment asked for. */
export function paymentIdOfWalletEntry(entry: { holdId: string } | { creditId: string }): string | undefined {
  if ('holdId' in entry) return entry.holdId.startsWith(HOLD_PREFIX) ? entry.holdId.slice(HOLD_PREFIX.length) || undefined : undefined;
  return CREDIT_ID.exec(entry.creditId)?.[2];
}
