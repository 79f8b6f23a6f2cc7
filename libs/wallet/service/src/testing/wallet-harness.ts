/**
 * Test harness: one wallet service over the real broker and a database of its own, with its own
 * topic prefix, plus a command client and a producer that plays identity and cards.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { HEADER, topics, walletContract, type CommandContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { KafkaCommandClient, producerDefaults, startCommandService } from '@ledger/messaging';
import { createTestDatabase, senderPlaying, startTestClient, testKafka, uniqueSuffix, type TestDatabase } from '@ledger/testing';
import type { Clock } from '@ledger/util';
import type { WalletPolicy } from '@ledger/wallet-domain';
import { UPSTREAM_EVENT } from '../upstream-events';
import { WALLET_CONTEXT, walletModule } from '../wallet.module';
import { WalletRuntime } from '../wallet-runtime';

export interface HarnessOptions {
  policy?: WalletPolicy;
  clock?: Clock;
  /** Serve the management port (metrics, health) on a free port of 127.0.0.1 (`managementServerOf(h.service)`). */
  management?: boolean;
  /** The command server's broker client (e.g. one the test can cut off, `breakableKafka`). */
  kafka?: Kafka;
}

export class WalletHarness {
  readonly topicPrefix = `t-${uniqueSuffix()}.`;
  service?: INestMicroservice;
  client!: KafkaCommandClient;
  store!: EventStore;
  private producer!: Producer;
  /** The owner of each wallet `openWallet` opened: payments reserves and pays as the payer, whom the wallet checks. */
  private readonly owners = new Map<string, string>();

  private constructor(
    readonly db: TestDatabase,
    private readonly options: HarnessOptions,
  ) {}

  static async start(label: string, options: HarnessOptions = {}): Promise<WalletHarness> {
    const harness = new WalletHarness(await createTestDatabase(label), options);
    await harness.startService();
    const kafka = testKafka(`${label}-test`);
    harness.client = await startTestClient({
      name: `${label}-test`,
      sender: 'payments',
      topicPrefix: harness.topicPrefix,
      timeoutMs: 30_000,
      kafka,
    });
    harness.producer = kafka.producer(producerDefaults);
    await harness.producer.connect();
    harness.store = createEventStore(harness.db.url, { schema: 'wallet', poolSize: 4 });
    await harness.store.init();
    return harness;
  }

  async startService(): Promise<void> {
    this.service = await startCommandService({
      context: WALLET_CONTEXT,
      module: walletModule({
        databaseUrl: this.db.url,
        topicPrefix: this.topicPrefix,
        policy: this.options.policy,
        clock: this.options.clock,
        pollIntervalMs: 100,
      }),
      topicPrefix: this.topicPrefix,
      logger: false,
      ...(this.options.management ? { management: { port: 0, host: '127.0.0.1' } } : {}),
      ...(this.options.kafka ? { kafka: this.options.kafka } : {}),
    });
  }

  async stopService(): Promise<void> {
    await this.service?.close();
    this.service = undefined;
  }

  get runtime(): WalletRuntime {
    if (!this.service) throw new Error('the service is stopped');
    return this.service.get(WalletRuntime, { strict: false });
  }

  async stop(): Promise<void> {
    await this.client.stop();
    await this.producer.disconnect();
    await this.stopService();
    await this.store.close();
    await this.db.drop();
  }

  /** Sends as `options.actor`, by default as the payments service, an internal system or the wallet's owner, whichever the command allows first. */
  send<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    options: { key?: string; actor?: string; commandId?: string } = {},
  ): Promise<CommandResult> {
    const key =
      options.key ?? (payload as { walletId?: string; userId?: string }).walletId ?? (payload as { userId?: string }).userId ?? 'none';
    const actor = options.actor ?? this.defaultActor(contract, payload as { userId?: string; walletId?: string });
    return this.client.send(contract, payload, { key, actor, sender: senderPlaying(actor, contract), commandId: options.commandId });
  }

  /** Publishes an event as identity or cards would (key = the user's stream). Returns its id. */
  async publishUpstream(context: 'identity' | 'cards', type: string, data: Record<string, unknown>): Promise<string> {
    const eventId = randomUUID();
    await this.producer.send({
      topic: `${this.topicPrefix}${topics.events(context)}`,
      messages: [
        {
          key: `user-${String(data.userId)}`,
          value: JSON.stringify(data),
          headers: {
            [HEADER.messageId]: eventId,
            [HEADER.messageType]: type,
            [HEADER.correlationId]: eventId,
            [HEADER.actor]: 'system:test',
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  }

  /** Publishes registration, payment password and a bound card for the user. */
  async satisfyPrerequisites(userId: string): Promise<void> {
    await this.publishUpstream('identity', UPSTREAM_EVENT.UserRegistered, { userId });
    await this.publishUpstream('identity', UPSTREAM_EVENT.PaymentPasswordSet, { userId });
    await this.publishUpstream('cards', UPSTREAM_EVENT.CardBound, { userId, cardId: `card-${userId}` });
  }

  /** Resends `send()` until `done` holds for its result (bounded by `timeoutMs`). */
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

  /** Opens a wallet for a new user (prerequisites published as events first); returns its id. */
  async openWallet(
    userId = `u-${randomUUID()}`,
    tier: 'basic' | 'verified' | 'premium' = 'basic',
  ): Promise<{ userId: string; walletId: string }> {
    await this.satisfyPrerequisites(userId);
    const result = await this.until(
      () => this.send(walletContract.openWallet, { userId, tier }),
      (r) => r.status === 'accepted',
    );
    const walletId = String(result.status === 'accepted' ? result.data?.walletId : '');
    this.owners.set(walletId, userId);
    return { userId, walletId };
  }

  /** The actor a test sends `contract` as unless it names one: the payments service, else an internal system, else the user (named or owning the wallet). */
  private defaultActor(contract: CommandContract, payload: { userId?: string; walletId?: string }): string {
    if (contract.senders.payments?.includes('system')) return 'system:payments';
    if (contract.senders.internal?.includes('system')) return 'system:reconciliation';
    return `user:${payload.userId ?? this.owners.get(payload.walletId ?? '') ?? 'unknown'}`;
  }

  async credit(walletId: string, amountMinor: string): Promise<CommandResult> {
    return this.send(walletContract.creditWallet, {
      walletId,
      creditId: randomUUID(),
      amountMinor,
      reference: 'test top-up',
      counterparty: 'clearing:card:ICBC',
    });
  }

  balance(walletId: string): Promise<CommandResult> {
    return this.send(walletContract.getBalance, { walletId });
  }
}
