import type { AcquirerAuthorizationAnswer, AcquirerAuthorizationBody } from '@ledger/partners-http';
import { SimulatedFailure } from '../simulated-failure';

/**
 * The card acquirer: approves every merchant payment unless told otherwise. Answers are remembered by
 * payment id, so a repeated authorization gets the first answer (as an acquirer keyed by the
 * merchant's order number does), whichever switch changed since.
 */
export class AcquirerSimulator {
  /** Merchants whose payments are declined. */
  readonly declineMerchants = new Set<string>();
  /** Amounts (fen) that are declined, whatever the merchant. */
  readonly declineAmounts = new Set<bigint>();
  /** Merchants whose acquirer never answers. */
  readonly timeoutMerchants = new Set<string>();
  /** Delay before each answer, to keep payments in flight (restart tests). */
  delayMs = 0;
  /** Authorizations asked for, repeats included. */
  calls = 0;
  private readonly answers = new Map<string, AcquirerAuthorizationAnswer>();

  async authorize(request: AcquirerAuthorizationBody): Promise<AcquirerAuthorizationAnswer> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.timeoutMerchants.has(request.merchantId)) throw new SimulatedFailure('timeout', 'authorize');
    const known = this.answers.get(request.paymentId);
    if (known) return known;
    const answer: AcquirerAuthorizationAnswer =
      this.declineMerchants.has(request.merchantId) || this.declineAmounts.has(BigInt(request.amountMinor))
        ? { approved: false, reason: 'declined by the acquirer' }
        : { approved: true, authorizationCode: `AUTH-${request.paymentId}`.slice(0, 64) };
    this.answers.set(request.paymentId, answer);
    return answer;
  }

  /** How many different payments were authorized (a repeat is not a second authorization). */
  get authorizations(): number {
    return this.answers.size;
  }
}
