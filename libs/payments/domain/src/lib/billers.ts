/**
 * Billers (缴费: utilities, phone top-up) and the port to them, with a simulator. The registry is an
 * in-code table, like the merchant registry.
 */
export interface BillerEntry {
  billerId: string;
  name: string;
  category: 'electricity' | 'water' | 'gas' | 'phone';
  /** Phone top-ups take any amount; utility bills must be paid exactly. */
  exactAmount: boolean;
}

export const BILLERS: readonly BillerEntry[] = [
  { billerId: 'b-power', name: '国家电网', category: 'electricity', exactAmount: true },
  { billerId: 'b-water', name: '自来水公司', category: 'water', exactAmount: true },
  { billerId: 'b-mobile', name: '中国移动', category: 'phone', exactAmount: false },
];

export type BillCheck = { found: true; amountDueMinor?: bigint } | { found: false };
export type BillPaymentAnswer = { accepted: true; receipt: string } | { accepted: false; reason: string };

export interface Biller {
  /** Looks the bill (or phone number) up; throws `BillerUnavailable` without an answer. */
  checkBill(billerId: string, billReference: string): Promise<BillCheck>;
  /** Pays it; `paymentId` is the idempotency key. Throws `BillerUnavailable` without an answer. */
  payBill(request: { paymentId: string; billerId: string; billReference: string; amountMinor: bigint }): Promise<BillPaymentAnswer>;
}

export class BillerUnavailable extends Error {
  constructor(readonly operation: 'checkBill' | 'payBill') {
    super(`biller did not answer ${operation}`);
    this.name = 'BillerUnavailable';
  }
}

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
