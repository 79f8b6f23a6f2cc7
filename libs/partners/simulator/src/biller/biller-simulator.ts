import type { BillerBillAnswer, BillerPaymentAnswer, BillerPaymentBody } from '@ledger/partners-http';
import { SimulatedFailure } from '../simulated-failure';

/**
 * The billers (utilities, phone top-up): every reference exists; a utility bill is due
 * `bills.get(reference)` (any amount when not set). Switches: unknown references, declined
 * references, an operation that does not answer. A payment is idempotent on its payment id.
 */
export class BillerSimulator {
  readonly bills = new Map<string, bigint>();
  readonly unknownReferences = new Set<string>();
  readonly declineReferences = new Set<string>();
  readonly unavailable = new Set<'checkBill' | 'payBill'>();
  /** What was paid, by payment id. */
  readonly paid = new Map<string, bigint>();
  private readonly answers = new Map<string, BillerPaymentAnswer>();

  async checkBill(_billerId: string, billReference: string): Promise<BillerBillAnswer> {
    if (this.unavailable.has('checkBill')) throw new SimulatedFailure('unavailable', 'checkBill');
    if (this.unknownReferences.has(billReference)) return { found: false };
    const due = this.bills.get(billReference);
    return due === undefined ? { found: true } : { found: true, amountDueMinor: String(due) };
  }

  async payBill(request: BillerPaymentBody): Promise<BillerPaymentAnswer> {
    if (this.unavailable.has('payBill')) throw new SimulatedFailure('unavailable', 'payBill');
    const known = this.answers.get(request.paymentId);
    if (known) return known;
    const answer: BillerPaymentAnswer = this.declineReferences.has(request.billReference)
      ? { accepted: false, reason: 'declined by the biller' }
      : { accepted: true, receipt: `rcpt-${request.paymentId}`.slice(0, 64) };
    if (answer.accepted) this.paid.set(request.paymentId, BigInt(request.amountMinor));
    this.answers.set(request.paymentId, answer);
    return answer;
  }
}
