/**
 * Test harness: the payments service with the real identity and wallet services, all in this
 * process on one topic prefix over the real broker, each with a database of its own, plus a command
 * client and helpers that make a payer (registered, payment password set, wallet open and funded).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import {
  HEADER,
  cardsContract,
  identityContract,
  paymentsContract,
  topics,
  walletContract,
  type CommandContract,
  type CommandResult,
  type PayloadOf,
} from '@ledger/contracts';
import { Keyring, developmentKeyring, openingKeysFromEnv, sealField, sealingKeyFromEnv } from '@ledger/crypto';
import { PersonalFields, PaymentsRuntime, type PaymentsServiceOptions } from '@ledger/payments-service/testing';
import { createEventStore, type EventStore } from '@ledger/event-store';
import type { AcquirerSimulator, BillerSimulator, CardIssuerSimulator, PartnerSimulator } from '@ledger/partners-simulator';
import { KafkaCommandClient, producerDefaults, startCommandService } from '@ledger/messaging';
import { createTestDatabase, senderPlaying, startTestClient, testKafka, type TestDatabase } from '@ledger/testing';
import {
  GOOD_LOGIN_PASSWORD,
  GOOD_PAYMENT_PASSWORD,
  randomPhone,
  startIdentityHarness,
  type IdentityHarness,
} from '@ledger/identity-service/testing';
import { WALLET_CONTEXT, walletModule, checkLedger, type LedgerCheckReport } from '@ledger/wallet-service';
import { startCardsHarness, type CardsHarness } from '@ledger/cards-service/testing';
import { PAYMENTS_CONTEXT, paymentsModule } from '@ledger/payments-service';

export { GOOD_LOGIN_PASSWORD, GOOD_PAYMENT_PASSWORD };

/** The device every test payment comes from unless a test says otherwise. */
export const TEST_DEVICE = 'device-test';
/** Risk rules out of the way of tests about other things (a risk test passes its own policy). */
const RELAXED_RISK = { velocityPerMinute: 100_000, newDeviceThresholdMinor: 1_000_000_000_000n };

export interface Payer {
  userId: string;
  walletId: string;
  phone: string;
}

export class PaymentsHarness {
  /** The real cards service, when started with `withCards` (top-ups). */
  cards?: CardsHarness;
  payments?: INestMicroservice;
  client!: KafkaCommandClient;
  paymentsStore!: EventStore;
  private wallet?: INestMicroservice;
  walletStore!: EventStore;
  private producer!: Producer;

  private constructor(
    readonly identity: IdentityHarness,
    readonly walletDb: TestDatabase,
    readonly paymentsDb: TestDatabase,
    private readonly options: Partial<PaymentsServiceOptions>,
  ) {}

  get topicPrefix(): string {
    return this.identity.topicPrefix;
  }

  /** Every partner of this test's services (the identity harness's simulator, shared by cards and payments). */
  get partners(): PartnerSimulator {
    return this.identity.partners;
  }

  get acquirer(): AcquirerSimulator {
    return this.partners.acquirer;
  }

  /** The card issuer: cards verifies and checks cards with it, payments charges and pays out. */
  get issuer(): CardIssuerSimulator {
    return this.partners.issuer;
  }

  get biller(): BillerSimulator {
    return this.partners.biller;
  }

  static async start(
    label: string,
    options: Partial<PaymentsServiceOptions> = {},
    withCards = false,
    paymentsInProcess = true,
  ): Promise<PaymentsHarness> {
    const identity = await startIdentityHarness(`${label}_identity`);
    const harness = new PaymentsHarness(
      identity,
      await createTestDatabase(`${label}_wallet`),
      await createTestDatabase(`${label}_payments`),
      options,
    );
    if (withCards)
      harness.cards = await startCardsHarness(`${label}_cards`, {
        topicPrefix: identity.topicPrefix,
        fieldKeyring: identity.fieldKeyring,
        partners: identity.partners,
      });
    harness.wallet = await startCommandService({
      context: WALLET_CONTEXT,
      module: walletModule({ databaseUrl: harness.walletDb.url, topicPrefix: harness.topicPrefix, pollIntervalMs: 100 }),
      topicPrefix: harness.topicPrefix,
      logger: false,
    });
    if (paymentsInProcess) await harness.startPayments();
    const kafka = testKafka(`${label}-test`);
    harness.client = await startTestClient({
      name: `${label}-test`,
      sender: 'gateway',
      topicPrefix: harness.topicPrefix,
      timeoutMs: 60_000,
      kafka,
    });
    harness.producer = kafka.producer(producerDefaults);
    await harness.producer.connect();
    harness.walletStore = createEventStore(harness.walletDb.url, { schema: 'wallet', poolSize: 2 });
    harness.paymentsStore = createEventStore(harness.paymentsDb.url, { schema: 'payments', poolSize: 2 });
    return harness;
  }

  /** Starts the payments service in this process (own database, shared prefix, the harness's partner simulator). */
  async startPayments(): Promise<void> {
    this.payments = await startCommandService({
      context: PAYMENTS_CONTEXT,
      module: paymentsModule({
        databaseUrl: this.paymentsDb.url,
        topicPrefix: this.topicPrefix,
        partnersUrl: this.partners.url,
        pollIntervalMs: 100,
        resumeAfterMs: 1_000,
        // The field keys of this test's identity, as a deployment shares one ring between the services.
        // Payments' field keys are its own (not identity's): what it sends identity is sealed for identity's key.
        personalFields: new PersonalFields(
          Keyring.generate(['payments-1']),
          developmentKeyring('hash-pepper'),
          openingKeysFromEnv(process.env, 'payments'),
          sealingKeyFromEnv(process.env, 'identity'),
        ),
        ...this.options,
        risk: { ...RELAXED_RISK, ...this.options.risk },
      }),
      topicPrefix: this.topicPrefix,
      logger: false,
    });
  }

  async stopPayments(): Promise<void> {
    await this.payments?.close();
    this.payments = undefined;
  }

  get runtime(): PaymentsRuntime {
    if (!this.payments) throw new Error('payments is stopped');
    return this.payments.get(PaymentsRuntime, { strict: false });
  }

  async stop(): Promise<void> {
    await this.client?.stop();
    await this.producer?.disconnect();
    await this.stopPayments();
    await this.wallet?.close();
    await this.cards?.stop();
    await this.walletStore?.close();
    await this.paymentsStore?.close();
    await this.walletDb.drop();
    await this.paymentsDb.drop();
    await this.identity.stop();
  }

  /** Sends as the sender that would assert `actor` (`senderPlaying`); by default as an internal system, which may ask about any payment. */
  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    key: string,
    actor = 'system:reconciliation',
    commandId?: string,
  ): Promise<CommandResult> {
    return this.client.send(contract, payload, { key, actor, sender: senderPlaying(actor, contract), commandId });
  }

  /** A registered user with the payment password, an open wallet and `balanceMinor` in it. */
  async payer(balanceMinor: string): Promise<Payer> {
    const phone = randomPhone();
    const userId = await this.identity.register(phone);
    const set = await this.identity.send(
      identityContract.setPaymentPassword,
      { userId, paymentPassword: this.password() },
      `user:${userId}`,
      { key: userId },
    );
    if (set.status !== 'accepted') throw new Error(`payment password: ${set.code}`);
    await this.publishCardBound(userId);
    const opened = await this.until(
      () => this.send(walletContract.openWallet, { userId }, userId, `user:${userId}`),
      (result) => result.status === 'accepted' || (result.status === 'rejected' && result.code === 'WALLET_ALREADY_OPEN'),
    );
    const walletId = String(opened.status === 'accepted' ? opened.data?.walletId : opened.details?.walletId);
    const credited = await this.send(
      walletContract.creditWallet,
      { walletId, creditId: randomUUID(), amountMinor: balanceMinor, reference: 'test funds', counterparty: 'clearing:card:ICBC' },
      walletId,
      'system:payments',
    );
    if (credited.status !== 'accepted') throw new Error(`credit: ${credited.code}`);
    return { userId, walletId, phone };
  }

  /** A transfer's recipient number sealed for payments as the gateway sends it. */
  recipientPhone(phone: string): string {
    return sealField(phone, sealingKeyFromEnv(process.env, 'payments'), paymentsContract.secretAad('recipientPhone'));
  }

  /** A bill's reference sealed for payments as the gateway sends it (a mobile bill's is a phone number). */
  billReference(reference: string): string {
    return sealField(reference, sealingKeyFromEnv(process.env, 'payments'), paymentsContract.secretAad('billReference'));
  }

  /** PayBill as `payer` from the test device, the reference sealed and the password encrypted as the gateway sends them. */
  payBill(
    payer: Payer,
    bill: { billerId: string; billReference: string; amountMinor: string; paymentId?: string },
  ): Promise<CommandResult> {
    const paymentId = bill.paymentId ?? randomUUID();
    return this.send(
      paymentsContract.payBill,
      {
        paymentId,
        userId: payer.userId,
        walletId: payer.walletId,
        billerId: bill.billerId,
        billReference: this.billReference(bill.billReference),
        amountMinor: bill.amountMinor,
        deviceId: TEST_DEVICE,
        paymentPassword: this.password(),
      },
      paymentId,
      `user:${payer.userId}`,
    );
  }

  /** The payment password encrypted as the gateway sends it. */
  password(plaintext = GOOD_PAYMENT_PASSWORD): string {
    return this.identity.enc('paymentPassword', plaintext);
  }

  async balance(walletId: string): Promise<{ totalMinor: string; heldMinor: string; availableMinor: string }> {
    const result = await this.send(walletContract.getBalance, { walletId }, walletId);
    if (result.status !== 'accepted') throw new Error(`balance: ${result.code}`);
    return result.data as { totalMinor: string; heldMinor: string; availableMinor: string };
  }

  ledger(): Promise<LedgerCheckReport> {
    return checkLedger(this.walletStore);
  }

  private async publishCardBound(userId: string): Promise<void> {
    const eventId = randomUUID();
    await this.producer.send({
      topic: `${this.topicPrefix}${topics.events('cards')}`,
      messages: [
        {
          key: `user-${userId}`,
          value: JSON.stringify({ userId, cardId: `card-${userId}` }),
          headers: {
            [HEADER.messageId]: eventId,
            [HEADER.messageType]: cardsContract.EVENT_TYPES.CardBound,
            [HEADER.correlationId]: eventId,
            [HEADER.actor]: 'system:test',
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  }

  async until(send: () => Promise<CommandResult>, done: (result: CommandResult) => boolean, timeoutMs = 30_000): Promise<CommandResult> {
    const deadline = Date.now() + timeoutMs;
    let last: CommandResult | undefined;
    while (Date.now() < deadline) {
      last = await send();
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`condition not met within ${timeoutMs} ms; last result ${JSON.stringify(last)}`);
  }
}
