import { randomUUID } from 'node:crypto';
import { Module, type INestMicroservice } from '@nestjs/common';
import { TRANSPORT_ERROR, cardsContract, type CommandContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { Keyring, encryptField } from '@ledger/crypto';
import type { TestCard } from '@ledger/util/testing';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { KafkaCommandClient, accepted, rejected, startCommandService } from '@ledger/messaging';
import { createTestDatabase, senderPlaying, startTestClient, uniqueSuffix, type TestDatabase } from '@ledger/testing';
import { simulatorEndpoint } from '@ledger/partners-http';
import { PartnerSimulator, type CardIssuerSimulator } from '@ledger/partners-simulator';
import { ManualClock } from '@ledger/util';
import { CARDS_CONTEXT, CardsCoreModule, cardsEventsTopic } from '../cards.module';
import type { CardsConfig } from '../config';
import {
  PaymentPasswordVerifier,
  type VerifyPaymentPasswordRequest,
  type VerifySecondFactorRequest,
} from '../infra/payment-password-verifier';

/**
 * One cards service per test file, driven only through its Kafka interface: its own database,
 * topic prefix, keyrings (fresh random ones, not the development keys) and a manual clock. The card
 * issuer is a partner simulator's (its own, unless given one), reached over HTTP by the service and
 * switched directly by the test; the event store is reached through the Nest container.
 */
export interface CardsHarness {
  service: INestMicroservice;
  client: KafkaCommandClient;
  db: TestDatabase;
  clock: ManualClock;
  fieldKeyring: Keyring;
  pepperKeyring: Keyring;
  topicPrefix: string;
  eventsTopic: string;
  /** The card issuer the service verifies and checks cards with (the partner simulator's). */
  issuer: CardIssuerSimulator;
  partners: PartnerSimulator;
  store: EventStore;
  /** Encrypts a card number the way the gateway does. */
  /** A field encrypted for cards as the gateway sends it. */
  enc(field: cardsContract.SecretField, plaintext: string): string;
  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    actor: string,
    options?: { key?: string; commandId?: string },
  ): Promise<CommandResult>;
  /**
   * BindCard as the user, with the card's own holder name and reserved phone unless overridden;
   * `secondFactorCode` is the dynamic code already encrypted for identity, as the gateway sends it.
   */
  bind(
    userId: string,
    card: Pick<TestCard, 'number' | 'holderName' | 'reservedPhone'>,
    overrides?: { holderName?: string; reservedPhone?: string; commandId?: string; secondFactorCode?: string },
  ): Promise<CommandResult>;
  /** ListCards as the user, retried until `until` holds (the read model is eventually consistent). */
  list(userId: string, until?: (cards: ListedCardData[]) => boolean): Promise<ListedCardData[]>;
  stop(): Promise<void>;
}

export interface ListedCardData {
  cardId: string;
  maskedNumber: string;
  last4: string;
  issuer: string;
  cardType: string;
  holderNameMasked: string;
  status: string;
  isDefault: boolean;
}

export interface CardsHarnessOptions {
  /** Share a topic prefix with another service of the same test (identity for BindCard's second factor and UnbindCard). */
  topicPrefix?: string;
  /**
   * Who answers the identity checks: `kafka`, the identity service the test runs on the shared
   * prefix; or `second-factor-off`, a stand-in for a test of cards alone, for whose users the second
   * factor is off (bindings pass) and no payment password can be checked (an unbinding times out).
   * By default `kafka` with a shared prefix, the stand-in without one.
   */
  identity?: 'kafka' | 'second-factor-off';
  /** The gateway's field keyring (shared with identity in cross-service tests). */
  fieldKeyring?: Keyring;
  logger?: false | Array<'log' | 'warn' | 'error' | 'debug' | 'verbose'>;
  config?: Partial<CardsConfig>;
  /** The partner simulator to use (shared with the other services of a test); its own otherwise. */
  partners?: PartnerSimulator;
}

export function newUserId(): string {
  return randomUUID();
}

/** Identity as a test of cards alone sees it: no user has the second factor on, and no identity answers a password check. */
class SecondFactorOffIdentity extends PaymentPasswordVerifier {
  verify(request: VerifyPaymentPasswordRequest): Promise<CommandResult> {
    return Promise.resolve(rejected(request, TRANSPORT_ERROR.TIMEOUT, 'no identity service runs in this test'));
  }

  verifySecondFactor(request: VerifySecondFactorRequest): Promise<CommandResult> {
    return Promise.resolve(accepted(request, { verified: true, userId: request.userId, purpose: 'bind_card' }));
  }
}

export async function startCardsHarness(label: string, options: CardsHarnessOptions = {}): Promise<CardsHarness> {
  const db = await createTestDatabase(label);
  const topicPrefix = options.topicPrefix ?? `t-${uniqueSuffix()}.`;
  const clock = new ManualClock(new Date());
  const fieldKeyring = options.fieldKeyring ?? Keyring.generate(['t1']);
  const pepperKeyring = Keyring.generate(['p1']);
  const partners = options.partners ?? (await PartnerSimulator.start());

  @Module({
    imports: [
      CardsCoreModule.forRoot(
        {
          databaseUrl: db.url,
          topicPrefix,
          clock,
          fieldKeyring,
          pepperKeyring,
          issuer: simulatorEndpoint(partners.url, 'issuer'),
          ...options.config,
        },
        (options.identity ?? (options.topicPrefix === undefined ? 'second-factor-off' : 'kafka')) === 'kafka'
          ? {}
          : { verifier: new SecondFactorOffIdentity() },
      ),
    ],
  })
  class TestCardsModule {}

  const service = await startCommandService({
    context: CARDS_CONTEXT,
    module: TestCardsModule,
    topicPrefix,
    logger: options.logger ?? false,
  });
  const client = await startTestClient({ name: `${label}-client`, sender: 'gateway', topicPrefix, timeoutMs: 45_000 });
  const store = service.get<EventStore>(EVENT_STORE);

  const enc = (field: cardsContract.SecretField, plaintext: string) =>
    encryptField(plaintext, fieldKeyring, cardsContract.secretAad(field));
  const send = <C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    actor: string,
    sendOptions: { key?: string; commandId?: string } = {},
  ) =>
    client.send(contract, payload, {
      key: sendOptions.key ?? 'cards-test',
      actor,
      sender: senderPlaying(actor, contract),
      commandId: sendOptions.commandId,
    });

  const bind: CardsHarness['bind'] = (userId, card, overrides = {}) =>
    send(
      cardsContract.bindCard,
      {
        userId,
        cardNumber: enc('cardNumber', card.number),
        holderName: enc('holderName', overrides.holderName ?? card.holderName),
        reservedPhone: enc('reservedPhone', overrides.reservedPhone ?? card.reservedPhone),
        ...(overrides.secondFactorCode === undefined ? {} : { secondFactorCode: overrides.secondFactorCode }),
      },
      `user:${userId}`,
      { key: userId, commandId: overrides.commandId },
    );

  const list: CardsHarness['list'] = async (userId, until = () => true) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const result = await send(cardsContract.listCards, { userId }, `user:${userId}`, { key: userId });
      if (result.status !== 'accepted') throw new Error(`ListCards rejected: ${result.code}`);
      const cards = (result.data?.['cards'] ?? []) as ListedCardData[];
      if (until(cards)) return cards;
      if (Date.now() > deadline) throw new Error(`the card list never matched: ${JSON.stringify(cards)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  return {
    service,
    client,
    db,
    clock,
    fieldKeyring,
    pepperKeyring,
    topicPrefix,
    eventsTopic: cardsEventsTopic(topicPrefix),
    issuer: partners.issuer,
    partners,
    store,
    enc,
    send,
    bind,
    list,
    async stop() {
      await client.stop();
      await service.close();
      await db.drop();
      if (!options.partners) await partners.close();
    },
  };
}

/** Narrows a result to rejected with `code`, failing the test with the whole result otherwise. */
export function expectRejected(result: CommandResult, code: string): Extract<CommandResult, { status: 'rejected' }> {
  expect(result).toMatchObject({ status: 'rejected', code });
  return result as Extract<CommandResult, { status: 'rejected' }>;
}

export function expectAccepted(result: CommandResult): Record<string, unknown> {
  expect(result).toMatchObject({ status: 'accepted' });
  return (result as Extract<CommandResult, { status: 'accepted' }>).data ?? {};
}
