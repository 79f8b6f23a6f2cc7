import { AcquirerUnavailable, type AcquirerAnswer, type AcquirerRequest, type MerchantAcquirer } from '@ledger/payments-domain';

/**
 * Approves everything unless told otherwise. Answers are remembered by payment id, so a retried
 * authorization gets the first answer (like a real acquirer keyed by the merchant order number).
 */
export class SimulatedAcquirer implements MerchantAcquirer {
  /** Merchants whose payments are declined. */
  readonly declineMerchants = new Set<string>();
  /** Amounts (fen) that are declined, whatever the merchant. */
  readonly declineAmounts = new Set<bigint>();
  /** Merchants whose acquirer never answers (every call throws a timeout). */
  readonly timeoutMerchants = new Set<string>();
  /** Delay before each answer, to keep payments in flight (restart tests). */
  delayMs = 0;
  calls = 0;
  private readonly answers = new Map<string, AcquirerAnswer>();

  async authorize(request: AcquirerRequest): Promise<AcquirerAnswer> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.timeoutMerchants.has(request.merchantId)) throw new AcquirerUnavailable('timeout');
    const known = this.answers.get(request.paymentId);
    if (known) return known;
    const answer: AcquirerAnswer =
      this.declineMerchants.has(request.merchantId) || this.declineAmounts.has(request.amountMinor)
        ? { approved: false, reason: 'declined by the acquirer' }
        : { approved: true, authorizationCode: `AUTH-${request.paymentId}`.slice(0, 64) };
    this.answers.set(request.paymentId, answer);
    return answer;
  }
}
