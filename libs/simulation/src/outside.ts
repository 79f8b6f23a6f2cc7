/**
 * Everything outside the payment path under test, as small deterministic fakes: identity (payment
 * password, user by phone) and cards (a bound card's token) as Kafka services on the simulated bus,
 * and the partners (acquirer, card issuer, biller) behind the payments domain's ports.
 *
 * The partners keep what a real one keeps: every answer by its idempotency key (the payment id, the
 * issuer reference), so asking again gets the same answer and never moves money twice, and a ledger
 * of what they did (charges, payouts, bills paid), which the invariants hold against the payments.
 * A partner call is an event of the calling payments instance; a `partner` fault makes it unanswered,
 * before the partner acted or after (the answer was lost).
 */
import { cardsContract, identityContract, type CommandResult } from '@ledger/contracts';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
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
import type { SimContext } from './context';
import type { Endpoint } from './network';
import type { Random } from './random';
import type { Owner } from './scheduler';

/** What the fakes know about the users of a schedule. */
export interface SimUser {
  userId: string;
  walletId: string;
  phone: string;
  cardId: string;
  password: string;
}

/** A sealed field as the fakes read it: the simulation seals nothing, it only prefixes (`enc:v1:`), so the schemas accept it. */
export const seal = (plain: string): string => `enc:v1:${plain}`;
const unseal = (sealed: string): string => sealed.replace(/^(enc|seal):v1:/, '');

export const tokenOf = (cardId: string): string => `tok-${cardId}`;

/** Identity's two answers payments asks for. */
export class FakeIdentity implements Endpoint {
  constructor(
    readonly owner: Owner,
    private readonly users: readonly SimUser[],
  ) {}

  async handle(envelope: CommandEnvelope): Promise<CommandResult> {
    if (envelope.type === identityContract.verifyPaymentPassword.type) {
      const { userId, paymentPassword } = envelope.payload as { userId: string; paymentPassword: string };
      const user = this.users.find((u) => u.userId === userId);
      if (!user) return rejected(envelope, 'USER_NOT_FOUND', `no user ${userId}`);
      if (unseal(paymentPassword) !== user.password) return rejected(envelope, 'WRONG_PAYMENT_PASSWORD', 'the payment password is wrong');
      return accepted(envelope, { verified: true });
    }
    if (envelope.type === identityContract.findUserByPhone.type) {
      const phone = unseal((envelope.payload as { phone: string }).phone);
      const user = this.users.find((u) => u.phone === phone);
      return user ? accepted(envelope, { userId: user.userId }) : rejected(envelope, 'USER_NOT_FOUND', 'no user has this phone');
    }
    return rejected(envelope, 'UNKNOWN_COMMAND', `the identity fake does not answer ${envelope.type}`);
  }
}

/** Cards' check of a bound card: its token, asked for before each use. */
export class FakeCards implements Endpoint {
  constructor(
    readonly owner: Owner,
    private readonly users: readonly SimUser[],
  ) {}

  async handle(envelope: CommandEnvelope): Promise<CommandResult> {
    if (envelope.type !== cardsContract.checkCard.type)
      return rejected(envelope, 'UNKNOWN_COMMAND', `the cards fake does not answer ${envelope.type}`);
    const { cardId, userId } = envelope.payload as { cardId: string; userId?: string };
    const owner = this.users.find((u) => u.cardId === cardId);
    if (!owner) return rejected(envelope, 'CARD_NOT_FOUND', `no card ${cardId}`);
    if (userId !== undefined && owner.userId !== userId) return rejected(envelope, 'NOT_CARD_OWNER', `card ${cardId} is not ${userId}'s`);
    return accepted(envelope, {
      userId: owner.userId,
      cardId,
      status: 'active',
      cardToken: tokenOf(cardId),
      last4: '0000',
      issuer: 'ICBC',
      cardType: 'debit',
    });
  }
}

/** The partners' durable books: what each did, by idempotency key. */
export class PartnerBooks {
  readonly authorizations = new Map<string, AcquirerAnswer>();
  readonly charges = new Map<string, { amountMinor: bigint; answer: CardMoneyResult }>();
  readonly payouts = new Map<string, { amountMinor: bigint; answer: CardMoneyResult }>();
  readonly bills = new Map<string, { billerId: string; reference: string; amountMinor: bigint; answer: BillPaymentAnswer }>();
  /** Cards the issuer declines (insufficient funds on the card), bills the billers know and what is due. */
  readonly decliningCards = new Set<string>();
  readonly knownBills = new Map<string, { amountDueMinor?: bigint }>();

  constructor(private readonly random: Random) {}

  /** The acquirer approves most payments, the same way every time it is asked about one. */
  authorize(request: AcquirerRequest): AcquirerAnswer {
    let answer = this.authorizations.get(request.paymentId);
    if (!answer) {
      answer = this.random.chance(0.85)
        ? { approved: true, authorizationCode: `auth-${request.paymentId}` }
        : { approved: false, reason: 'do not honour' };
      this.authorizations.set(request.paymentId, answer);
    }
    return answer;
  }

  move(
    book: Map<string, { amountMinor: bigint; answer: CardMoneyResult }>,
    token: string,
    amountMinor: bigint,
    reference: string,
  ): CardMoneyResult {
    const earlier = book.get(reference);
    if (earlier) return earlier.answer;
    const cardId = token.replace(/^tok-/, '');
    const answer: CardMoneyResult =
      book === this.charges && this.decliningCards.has(cardId)
        ? { outcome: 'declined', reason: 'insufficient_funds' }
        : { outcome: 'approved', issuerReference: `iss-${reference}` };
    book.set(reference, { amountMinor, answer });
    return answer;
  }

  checkBill(billerId: string, reference: string): BillCheck {
    const bill = this.knownBills.get(`${billerId}/${reference}`);
    if (!bill) return { found: false };
    return bill.amountDueMinor === undefined ? { found: true } : { found: true, amountDueMinor: bill.amountDueMinor };
  }

  payBill(request: { paymentId: string; billerId: string; billReference: string; amountMinor: bigint }): BillPaymentAnswer {
    const earlier = this.bills.get(request.paymentId);
    if (earlier) return earlier.answer;
    const answer: BillPaymentAnswer = this.random.chance(0.9)
      ? { accepted: true, receipt: `rcpt-${request.paymentId}` }
      : { accepted: false, reason: 'the account is closed' };
    this.bills.set(request.paymentId, {
      billerId: request.billerId,
      reference: request.billReference,
      amountMinor: request.amountMinor,
      answer,
    });
    return answer;
  }
}

/** The partners as the payments service's ports, each call an event of the calling instance. */
export function partnerPorts(
  ctx: SimContext,
  books: PartnerBooks,
): { acquirer: MerchantAcquirer; cards: CardMoneyGateway; biller: Biller } {
  const call = <T>(what: string, act: () => T, unavailable: () => Error): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      ctx.scheduler.after(
        ctx.latency(() => `${what} answered late`),
        'partner',
        () => {
          if (ctx.fault('partner', ctx.profile.partnerUnavailableChance, () => `${what}: no answer`)) return reject(unavailable());
          const answer = act();
          if (ctx.fault('partner', ctx.profile.partnerAnswerLostChance, () => `${what}: done, answer lost`)) return reject(unavailable());
          resolve(answer);
        },
        { detail: () => what },
      );
    });
  return {
    acquirer: {
      authorize: (request) =>
        call(
          `acquirer authorize ${request.paymentId}`,
          () => books.authorize(request),
          () => new AcquirerUnavailable('timeout'),
        ),
    },
    cards: {
      charge: (token, amountMinor, reference) =>
        call(
          `issuer charge ${reference}`,
          () => books.move(books.charges, token, amountMinor, reference),
          () => new CardGatewayUnavailable('charge'),
        ),
      payout: (token, amountMinor, reference) =>
        call(
          `issuer payout ${reference}`,
          () => books.move(books.payouts, token, amountMinor, reference),
          () => new CardGatewayUnavailable('payout'),
        ),
    },
    biller: {
      checkBill: (billerId, reference) =>
        call(
          `biller check ${billerId}/${reference}`,
          () => books.checkBill(billerId, reference),
          () => new BillerUnavailable('checkBill'),
        ),
      payBill: (request) =>
        call(
          `biller pay ${request.paymentId}`,
          () => books.payBill(request),
          () => new BillerUnavailable('payBill'),
        ),
    },
  };
}
