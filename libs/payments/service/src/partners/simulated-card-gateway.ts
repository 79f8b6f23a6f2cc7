import { CardGatewayUnavailable, type CardMoneyGateway, type CardMoneyResult } from '@ledger/payments-domain';

/**
 * Approves every charge and payout unless told otherwise; remembers answers by reference, like the
 * issuer. `moved` is what reached or left the cards, for tests to check nothing moved twice.
 */
export class SimulatedCardGateway implements CardMoneyGateway {
  readonly declineTokens = new Set<string>();
  /** Operations that throw (no answer) while set. */
  readonly unavailable = new Set<'charge' | 'payout'>();
  readonly charged = new Map<string, bigint>();
  readonly paidOut = new Map<string, bigint>();
  private readonly answers = new Map<string, CardMoneyResult>();

  async charge(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.move('charge', cardToken, amountMinor, reference, this.charged);
  }

  async payout(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.move('payout', cardToken, amountMinor, reference, this.paidOut);
  }

  private move(
    operation: 'charge' | 'payout',
    cardToken: string,
    amountMinor: bigint,
    reference: string,
    ledger: Map<string, bigint>,
  ): CardMoneyResult {
    if (this.unavailable.has(operation)) throw new CardGatewayUnavailable(operation);
    const key = `${operation}:${reference}`;
    const known = this.answers.get(key);
    if (known) return known;
    const answer: CardMoneyResult = this.declineTokens.has(cardToken)
      ? { outcome: 'declined', reason: 'insufficient_funds' }
      : { outcome: 'approved', issuerReference: `iss-${key}` };
    if (answer.outcome === 'approved') ledger.set(reference, amountMinor);
    this.answers.set(key, answer);
    return answer;
  }
}
