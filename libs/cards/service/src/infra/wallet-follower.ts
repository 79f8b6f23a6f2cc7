import { Logger } from '@nestjs/common';
import { HEADER, topics, walletContract } from '@ledger/contracts';
import { ConsumerLagSampler, ensureTopics, headerValue, runCommittingPeriodically, type PeriodicOffsetCommits } from '@ledger/messaging';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { CardsReadModel } from './read-model';

/**
 * Follows `wallet.events` for `wallet.WalletOpened.v1`, so UnbindCard can report that the last card
 * of an open wallet is leaving (docs/spec.md item 9: allowed, but reported). Recording is an
 * idempotent upsert, so at-least-once delivery needs no further dedupe. An offset is committed only
 * after its row is written, every few seconds (`PeriodicOffsetCommits`): most wallet events are not
 * openings, and committing after each fetch made this follower a busy writer of offsets.
 */
export class WalletFollower {
  private readonly logger = new Logger('cards');
  private consumer?: Consumer;
  private commits?: PeriodicOffsetCommits;
  private lag?: ConsumerLagSampler;
  private static readonly COMMIT_INTERVAL_MS = 5_000;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly readModel: CardsReadModel,
  ) {}

  get topic(): string {
    return `${this.topicPrefix}${topics.events(walletContract.CONTEXT)}`;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      // Subscribing to a topic that does not exist yet fails; the wallet service may start later.
      await ensureTopics(admin, [this.topic]);
    } finally {
      await admin.disconnect();
    }
    const groupId = `${this.topicPrefix}cards-wallet-follower`;
    this.consumer = this.kafka.consumer({ groupId, sessionTimeout: 30_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    this.commits = await runCommittingPeriodically(this.consumer, {
      commitIntervalMs: WalletFollower.COMMIT_INTERVAL_MS,
      eachMessage: ({ message }) => this.follow(message),
    });
    this.lag = new ConsumerLagSampler({ kafka: this.kafka, groupId, topics: () => [this.topic] });
    this.lag.start();
  }

  private async follow(message: KafkaMessage): Promise<void> {
    if (headerValue(message.headers, HEADER.messageType) !== walletContract.EVENT_TYPES.WalletOpened || !message.value) return;
    let data: { userId?: unknown; walletId?: unknown; openedAt?: unknown };
    try {
      data = JSON.parse(message.value.toString('utf8')) as typeof data;
    } catch {
      this.logger.warn(`ignored an unreadable ${walletContract.EVENT_TYPES.WalletOpened} at offset ${message.offset}`);
      return;
    }
    if (typeof data.userId !== 'string' || typeof data.walletId !== 'string' || typeof data.openedAt !== 'string') return;
    await this.readModel.recordWalletOpened(data.userId, data.walletId, data.openedAt);
  }

  async stop(): Promise<void> {
    await this.lag?.stop();
    await this.commits?.stop();
    await this.consumer?.disconnect();
  }
}
