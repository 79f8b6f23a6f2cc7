/**
 * Test traffic for the identity and cards contexts through their real deciders (the user decider
 * on schema `identity`, streams `user-<id>`; the user-cards decider on schema `cards`, streams
 * `cards-<userId>`), run by `DeciderHandler` as the services do, events stored as the services
 * store them (versioned type name, data unchanged).
 */
import { randomUUID } from 'node:crypto';
import { DeciderHandler, type EventCodec, type EventStore, type RecordedEvent } from '@ledger/event-store';
import {
  checkCardNumber,
  userCardsDecider,
  userCardsStreamId,
  type UserCardsCommand,
  type UserCardsEvent,
  type UserCardsState,
} from '@ledger/cards-domain';
import { TEST_CARDS } from '@ledger/util/testing';
import { userDecider, userStreamId, type UserCommand, type UserEvent, type UserState } from '@ledger/identity-domain';
import type { Instant } from '@ledger/util';

export function asIs<Event extends { type: string; data: object }>(): EventCodec<Event> {
  return {
    encode: (event) => ({ type: event.type, data: { ...(event.data as Record<string, unknown>) } }),
    decode: (record: RecordedEvent) => ({ type: record.type, data: record.data }) as unknown as Event,
  };
}

/** A registration that passed its checks (verified phone code, acceptable password). */
export function registerUserCommand(userId: string, now: Instant): UserCommand {
  const phoneHash = `k1.${userId}`;
  return {
    type: 'RegisterUser',
    userId,
    phoneHash,
    maskedPhone: '138****5678',
    name: '张三',
    loginPasswordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    passwordCheck: { ok: true },
    verification: { codeId: `code-${userId}`, purpose: 'registration', phoneHash },
    maintenance: { active: false },
    deviceId: 'phone-A',
    now,
  };
}

/** The user binds the test debit card, verified by the issuer. */
export function bindCardCommand(userId: string, now: Instant): UserCardsCommand {
  const card = TEST_CARDS.zhangSanDebit;
  return {
    type: 'BindCard',
    userId,
    actorUserId: userId,
    cardId: `card-${userId}`,
    fingerprint: `k1.${'ab'.repeat(32)}`,
    numberCheck: checkCardNumber(card.number),
    verification: { outcome: 'valid', cardToken: card.cardToken, cardType: card.cardType, expiresOn: card.expiresOn },
    holderNameMasked: '*三',
    now,
  };
}

/** A risk alert from the payment risk rules; with `protect` the account is frozen by risk control too. */
export function riskAlertCommand(userId: string, protect: boolean, now: Instant): UserCommand {
  return {
    type: 'RaiseRiskAlert',
    userId,
    signal: 'suspicious_transactions',
    severity: 'high',
    description: 'many payments in a minute',
    source: 'payments.velocity',
    protect,
    now,
  };
}

export class People {
  readonly users: DeciderHandler<UserCommand, UserEvent, UserState>;
  readonly cards: DeciderHandler<UserCardsCommand, UserCardsEvent, UserCardsState>;

  constructor(
    identityStore: EventStore,
    cardsStore: EventStore,
    private readonly clock: () => string,
  ) {
    this.users = new DeciderHandler({ store: identityStore, decider: userDecider, codec: asIs<UserEvent>() });
    this.cards = new DeciderHandler({ store: cardsStore, decider: userCardsDecider, codec: asIs<UserCardsEvent>() });
  }

  private meta() {
    const commandId = randomUUID();
    return { commandId, correlationId: commandId, actor: 'system:test', occurredAt: this.clock() };
  }

  private async user(userId: string, command: UserCommand): Promise<UserEvent[]> {
    const outcome = await this.users.handle(userStreamId(userId), command, this.meta());
    if (outcome.kind === 'rejected') throw new Error(`user rejected: ${outcome.rejection.code}`);
    return outcome.events;
  }

  async register(userId: string): Promise<void> {
    await this.user(userId, registerUserCommand(userId, this.clock()));
  }

  async bindCard(userId: string): Promise<void> {
    const outcome = await this.cards.handle(userCardsStreamId(userId), bindCardCommand(userId, this.clock()), this.meta());
    if (outcome.kind === 'rejected') throw new Error(`cards rejected: ${outcome.rejection.code}`);
  }

  /** A risk alert from payment risk rules; with `protect` the account is frozen by risk control too. */
  async riskAlert(userId: string, protect: boolean): Promise<UserEvent[]> {
    return this.user(userId, riskAlertCommand(userId, protect, this.clock()));
  }

  async unfreezeBySupport(userId: string): Promise<void> {
    await this.user(userId, {
      type: 'UnfreezeAccount',
      userId,
      actor: { kind: 'support', agentId: 'agent-7', verificationReference: 'ticket-42' },
      now: this.clock(),
    });
  }
}
