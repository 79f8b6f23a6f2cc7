/**
 * Billers (缴费: utilities, phone top-up) and the port to them (the service's adapter speaks their HTTP API). The registry is
 * data, like the merchants' (`registry.ts`); `BILLERS` are the billers it is seeded with.
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
