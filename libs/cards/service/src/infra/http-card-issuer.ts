import { randomUUID } from 'node:crypto';
import {
  ISSUER_API,
  PartnerClient,
  orUnavailable,
  type IssuerCardStatusAnswer,
  type IssuerVerificationAnswer,
  type PartnerRequest,
} from '@ledger/partners-http';
import {
  CardIssuerUnavailable,
  type CardCheck,
  type CardIssuer,
  type CardIssuerOperation,
  type CardVerification,
  type VerifyCardRequest,
} from '@ledger/cards-domain';

/**
 * The card issuer over HTTP (`ISSUER_API`). Both calls only read, so the client may repeat them.
 * The card number travels in the request body to the issuer (over TLS to a real one) and nowhere else.
 */
export class HttpCardIssuer implements CardIssuer {
  constructor(readonly client: PartnerClient) {}

  async verifyCard(request: VerifyCardRequest): Promise<CardVerification> {
    return (await this.ask('verifyCard', {
      method: 'POST',
      path: ISSUER_API.verifications,
      body: { cardNumber: request.cardNumber, holderName: request.holderName, reservedPhone: request.reservedPhone },
      // A verification changes nothing at the issuer, so its repeats are safe: one key per verification
      // lets the client repeat it after a lost answer.
      idempotencyKey: `verify:${randomUUID()}`,
    })) as IssuerVerificationAnswer;
  }

  async checkCard(cardToken: string): Promise<CardCheck> {
    return (await this.ask('checkCard', { method: 'GET', path: ISSUER_API.cardStatus(cardToken) })) as IssuerCardStatusAnswer;
  }

  private async ask(operation: CardIssuerOperation, request: Omit<PartnerRequest, 'operation'>): Promise<unknown> {
    const answer = await orUnavailable(
      () => this.client.request({ operation, ...request }),
      (failure) => new CardIssuerUnavailable(failure.failure, operation),
    );
    return answer.body;
  }
}
