/**
 * The card issuer as the payments service sees it: take money from a bound card (top-up) or send it
 * back (refund of a failed top-up, withdrawal). Same shape as the cards context's `CardIssuer`
 * `charge`/`payout`, so its simulator fits; declared here because a context never imports another
 * context's code (module boundaries). The card is named by the issuer's token, which payments obtain
 * from `cards.CheckCard.v1` right before each use and never store.
 *
 * `reference` is the idempotency key: the same reference never moves money twice. A call that gets
 * no answer throws (`CardGatewayUnavailable` or any error): the money may or may not have moved, so
 * the caller retries with the same reference until it gets an answer.
 */
export type CardMoneyResult = { readonly outcome: 'approved'; readonly issuerReference: string } | { readonly outcome: 'declined'; readonly reason: string };

export interface CardMoneyGateway {
  charge(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult>;
  payout(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult>;
}

export class CardGatewayUnavailable extends Error {
  constructor(readonly operation: 'charge' | 'payout') {
    super(`card issuer did not answer the ${operation}`);
    this.name = 'CardGatewayUnavailable';
  }
}

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

  private move(operation: 'charge' | 'payout', cardToken: string, amountMinor: bigint, reference: string, ledger: Map<string, bigint>): CardMoneyResult {
    if (this.unavailable.has(operation)) throw new CardGatewayUnavailable(operation);
    const key = `${operation}:${reference}`;
    const known = this.answers.get(key);
    if (known) return known;
    const answer: CardMoneyResult = this.declineTokens.has(cardToken) ? { outcome: 'declined', reason: 'insufficient_funds' } : { outcome: 'approved', issuerReference: `iss-${key}` };
    if (answer.outcome === 'approved') ledger.set(reference, amountMinor);
    this.answers.set(key, answer);
    return answer;
  }
}
