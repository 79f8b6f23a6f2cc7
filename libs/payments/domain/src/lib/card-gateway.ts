/**
 * The card issuer as the payments service sees it: take money from a bound card (top-up) or send it
 * back (refund of a failed top-up, withdrawal). Same shape as the cards context's `CardIssuer`
 * `charge`/`payout`; declared here because a context never imports another
 * context's code (module boundaries). The card is named by the issuer's token, which payments obtain
 * from `cards.CheckCard.v1` right before each use and never store.
 *
 * `reference` is the idempotency key: the same reference never moves money twice. A call that gets
 * no answer throws (`CardGatewayUnavailable` or any error): the money may or may not have moved, so
 * the caller retries with the same reference until it gets an answer.
 */
export type CardMoneyResult =
  { readonly outcome: 'approved'; readonly issuerReference: string } | { readonly outcome: 'declined'; readonly reason: string };

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
