/**
 * The merchant acquirer: the outside party that confirms a merchant payment. A port; the service's
 * adapter speaks its HTTP API (`libs/payments/service/src/partners`).
 */
export interface AcquirerRequest {
  /** The idempotency key: asking twice for the same payment gets the same answer. */
  paymentId: string;
  merchantId: string;
  channel: string;
  amountMinor: bigint;
}

export type AcquirerAnswer = { approved: true; authorizationCode: string } | { approved: false; reason: string };

export interface MerchantAcquirer {
  /** Throws `AcquirerUnavailable` when no answer came (timeout) or the acquirer refused to talk. */
  authorize(request: AcquirerRequest): Promise<AcquirerAnswer>;
}

export class AcquirerUnavailable extends Error {
  constructor(readonly failure: 'timeout' | 'unavailable') {
    super(`merchant acquirer ${failure}`);
    this.name = 'AcquirerUnavailable';
  }
}
