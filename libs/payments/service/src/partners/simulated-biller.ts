import { BillerUnavailable, type BillCheck, type BillPaymentAnswer, type Biller } from '@ledger/payments-domain';

/**
 * Every reference exists; utility bills are due `bills.get(reference)` (or any amount when not
 * set). Switches: unknown references, declined references, unavailability.
 */
export class SimulatedBiller implements Biller {
  readonly bills = new Map<string, bigint>();
  readonly unknownReferences = new Set<string>();
  readonly declineReferences = new Set<string>();
  readonly unavailable = new Set<'checkBill' | 'payBill'>();
  readonly paid = new Map<string, bigint>();

  async checkBill(_billerId: string, billReference: string): Promise<BillCheck> {
    if (this.unavailable.has('checkBill')) throw new BillerUnavailable('checkBill');
    if (this.unknownReferences.has(billReference)) return { found: false };
    const due = this.bills.get(billReference);
    return due === undefined ? { found: true } : { found: true, amountDueMinor: due };
  }

  async payBill(request: { paymentId: string; billerId: string; billReference: string; amountMinor: bigint }): Promise<BillPaymentAnswer> {
    if (this.unavailable.has('payBill')) throw new BillerUnavailable('payBill');
    if (this.declineReferences.has(request.billReference)) return { accepted: false, reason: 'declined by the biller' };
    this.paid.set(request.paymentId, request.amountMinor);
    return { accepted: true, receipt: `rcpt-${request.paymentId}`.slice(0, 64) };
  }
}
