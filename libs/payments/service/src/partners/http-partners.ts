import {
  ACQUIRER_API,
  BILLER_API,
  ISSUER_API,
  PartnerClient,
  orUnavailable,
  partnerEndpointFromEnv,
  refuseSimulatorOutsideDevMode,
  type AcquirerAuthorizationAnswer,
  type PartnerEndpointSpec,
  type BillerBillAnswer,
  type BillerPaymentAnswer,
  type IssuerMoneyAnswer,
} from '@ledger/partners-http';
import {
  AcquirerUnavailable,
  BillerUnavailable,
  CardGatewayUnavailable,
  type AcquirerAnswer,
  type AcquirerRequest,
  type BillCheck,
  type BillPaymentAnswer,
  type Biller,
  type CardMoneyGateway,
  type CardMoneyResult,
  type MerchantAcquirer,
} from '@ledger/payments-domain';

type Env = Readonly<Record<string, string | undefined>>;

/** The card acquirer over HTTP (`ACQUIRER_API`); the payment id is the idempotency key. */
export class HttpAcquirer implements MerchantAcquirer {
  constructor(readonly client: PartnerClient) {}

  authorize(request: AcquirerRequest): Promise<AcquirerAnswer> {
    return orUnavailable(
      async () => {
        const { body } = await this.client.request({
          operation: 'authorize',
          method: 'POST',
          path: ACQUIRER_API.authorizations,
          idempotencyKey: request.paymentId,
          body: {
            paymentId: request.paymentId,
            merchantId: request.merchantId,
            channel: request.channel,
            amountMinor: String(request.amountMinor),
          },
        });
        return body as AcquirerAuthorizationAnswer;
      },
      (failure) => new AcquirerUnavailable(failure.failure),
    );
  }
}

/** Charges and payouts at the card issuer over HTTP (`ISSUER_API`); the reference is the idempotency key. */
export class HttpCardGateway implements CardMoneyGateway {
  constructor(readonly client: PartnerClient) {}

  charge(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.move('charge', ISSUER_API.charges, cardToken, amountMinor, reference);
  }

  payout(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.move('payout', ISSUER_API.payouts, cardToken, amountMinor, reference);
  }

  private move(
    operation: 'charge' | 'payout',
    path: string,
    cardToken: string,
    amountMinor: bigint,
    reference: string,
  ): Promise<CardMoneyResult> {
    return orUnavailable(
      async () => {
        const { body } = await this.client.request({
          operation,
          method: 'POST',
          path,
          idempotencyKey: `${operation}:${reference}`,
          body: { cardToken, amountMinor: String(amountMinor), reference },
        });
        return body as IssuerMoneyAnswer;
      },
      () => new CardGatewayUnavailable(operation),
    );
  }
}

/** The billers over HTTP (`BILLER_API`); a payment's id is its idempotency key. */
export class HttpBiller implements Biller {
  constructor(readonly client: PartnerClient) {}

  checkBill(billerId: string, billReference: string): Promise<BillCheck> {
    return orUnavailable(
      async () => {
        const { body } = await this.client.request({
          operation: 'checkBill',
          method: 'GET',
          path: BILLER_API.bill(billerId, billReference),
        });
        const answer = body as BillerBillAnswer;
        if (!answer.found) return { found: false };
        return answer.amountDueMinor === undefined ? { found: true } : { found: true, amountDueMinor: BigInt(answer.amountDueMinor) };
      },
      () => new BillerUnavailable('checkBill'),
    );
  }

  payBill(request: { paymentId: string; billerId: string; billReference: string; amountMinor: bigint }): Promise<BillPaymentAnswer> {
    return orUnavailable(
      async () => {
        const { body } = await this.client.request({
          operation: 'payBill',
          method: 'POST',
          path: BILLER_API.payments,
          idempotencyKey: request.paymentId,
          body: { ...request, amountMinor: String(request.amountMinor) },
        });
        return body as BillerPaymentAnswer;
      },
      () => new BillerUnavailable('payBill'),
    );
  }
}

export interface PaymentsPartners {
  readonly acquirer: HttpAcquirer;
  readonly cards: HttpCardGateway;
  readonly biller: HttpBiller;
}

/**
 * The payments service's partners, each from its URL and credential (`PAYMENTS_ACQUIRER_URL` /
 * `_KEY` / `_TIMEOUT_MS`, the same for `PAYMENTS_CARD_ISSUER` and `PAYMENTS_BILLER`); in development
 * mode the partner simulator app stands in for any that is not set.
 */
export function paymentsPartnersFromEnv(env: Env = process.env): PaymentsPartners {
  const client = (spec: PartnerEndpointSpec) => new PartnerClient(partnerEndpointFromEnv(spec, env));
  return {
    acquirer: new HttpAcquirer(
      client({
        partner: 'acquirer',
        urlVariable: 'PAYMENTS_ACQUIRER_URL',
        keyVariable: 'PAYMENTS_ACQUIRER_KEY',
        timeoutVariable: 'PAYMENTS_ACQUIRER_TIMEOUT_MS',
      }),
    ),
    cards: new HttpCardGateway(
      client({
        partner: 'issuer',
        urlVariable: 'PAYMENTS_CARD_ISSUER_URL',
        keyVariable: 'PAYMENTS_CARD_ISSUER_KEY',
        timeoutVariable: 'PAYMENTS_CARD_ISSUER_TIMEOUT_MS',
      }),
    ),
    biller: new HttpBiller(
      client({
        partner: 'biller',
        urlVariable: 'PAYMENTS_BILLER_URL',
        keyVariable: 'PAYMENTS_BILLER_KEY',
        timeoutVariable: 'PAYMENTS_BILLER_TIMEOUT_MS',
      }),
    ),
  };
}

const clientsOf = (partners: PaymentsPartners) => [partners.acquirer.client, partners.cards.client, partners.biller.client];

/** Refuses to start against a simulator outside development mode (see `refuseSimulatorOutsideDevMode`). */
export async function checkPaymentsPartners(partners: PaymentsPartners): Promise<void> {
  await Promise.all(clientsOf(partners).map((client) => refuseSimulatorOutsideDevMode(client.options)));
}

export function closePaymentsPartners(partners: PaymentsPartners): void {
  for (const client of clientsOf(partners)) client.close();
}
