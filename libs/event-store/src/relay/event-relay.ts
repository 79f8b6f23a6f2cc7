import { HEADER, JSON_CONTENT_TYPE } from '@ledger/contracts';
import { producerDefaults } from '@ledger/messaging';
import { PeriodicSampler, relayLagEvents, relayLagSeconds, relayPublished, sampleIntervalFromEnv } from '@ledger/observability';
import type { IHeaders, Kafka, Message, Producer } from 'kafkajs';
import { START, type Cursor, type EventStore, type RecordedEvent, type Subscription } from '../port';

export interface EventRelayOptions {
  store: EventStore;
  kafka: Kafka;
  /** Where each event goes, e.g. `() => 'wallet.events'` for a service that owns its store. */
  topicFor(event: RecordedEvent): string;
  /**
   * What of an event other services may see: the event as published (e.g. without a password hash
   * or other internal fields), or undefined to keep it internal. Everything is published as stored
   * when absent. The checkpoint still moves past internal events.
   */
  view?(event: RecordedEvent): RecordedEvent | undefined;
  /** Names the relay's durable checkpoint in the store. */
  name?: string;
  /** Relay only this category (all streams when absent). */
  category?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  /** How often the relay's position is written (default 1 s); a crash re-sends at most this much. */
  checkpointIntervalMs?: number;
  onError?(error: unknown): void;
}

const DEFAULT_RELAY_CHECKPOINT_INTERVAL_MS = 1_000;
/** The relay lag is counted up to this many events: past it, the figure says "far behind" without a long count. */
const RELAY_LAG_CAP = 100_000;

/** A store that can tell how far a follower trails it (the PostgreSQL store). */
interface CountingStore {
  countAfter(from: Cursor, options: { category?: string; cap: number }): Promise<{ events: number; oldestRecordedAt?: Date }>;
}
const canCount = (store: EventStore): store is EventStore & CountingStore =>
  typeof (store as Partial<CountingStore>).countAfter === 'function';

/**
 * Publishes every committed event of the store to Kafka, in store order.
 *
 * It follows the store's catch-up subscription, sends each batch, and lets the subscription write
 * its checkpoint only after the broker has acknowledged the whole batch (acks from all in-sync
 * replicas). So events are published only after their append committed, and a relay killed at any
 * point loses nothing: on restart it resumes from the last checkpoint and re-sends what was
 * published after it (the checkpoint is written once a second, not after every batch). Consumers
 * therefore see each event at least once and must deduplicate by event id (the `message-id`
 * header); see `RecentEventIds` and `ProcessedEvents`.
 *
 * Per-stream order is kept on the topic because the key is the stream id (one stream, one partition).
 */
export class EventRelay {
  private producer?: Producer;
  private subscription?: Subscription;
  private lagSampler?: PeriodicSampler;
  private readonly publishedEvents: ReturnType<typeof relayPublished.labels>;

  constructor(private readonly options: EventRelayOptions) {
    this.publishedEvents = relayPublished.labels(this.name);
  }

  private get name(): string {
    return this.options.name ?? 'kafka-relay';
  }

  async start(): Promise<void> {
    this.producer = this.options.kafka.producer({ ...producerDefaults, allowAutoTopicCreation: true });
    await this.producer.connect();
    this.subscription = this.options.store.subscribe({
      name: this.name,
      category: this.options.category,
      batchSize: this.options.batchSize ?? 500,
      pollIntervalMs: this.options.pollIntervalMs,
      onError: this.options.onError,
      // Replicas of a service each start a relay; one publishes, the others stand by.
      exclusive: true,
      // A checkpoint per batch was a commit every 20 ms per service; a crash now re-sends at most
      // this much, which consumers drop by event id.
      checkpointIntervalMs: this.options.checkpointIntervalMs ?? DEFAULT_RELAY_CHECKPOINT_INTERVAL_MS,
      handle: (events) => this.publish(events),
    });
    this.startLagSampler();
  }

  /**
   * The relay's lag, sampled on a timer: the committed events after what this relay handled (when it
   * is the replica that publishes) or after the durable checkpoint (a standby, or before the first
   * batch), and the age of the oldest of them. Every replica reports the same figure within a second.
   */
  private startLagSampler(): void {
    const { store, category } = this.options;
    if (!canCount(store)) return;
    const labels = { relay: this.name };
    this.lagSampler = new PeriodicSampler(sampleIntervalFromEnv(), async () => {
      const handled = this.subscription?.cursor ?? START;
      const from = handled !== START ? handled : ((await store.readCheckpoint(this.name)) ?? START);
      const lag = await store.countAfter(from, { category, cap: RELAY_LAG_CAP });
      relayLagEvents.set(labels, lag.events);
      relayLagSeconds.set(labels, lag.oldestRecordedAt ? Math.max(0, (Date.now() - lag.oldestRecordedAt.getTime()) / 1_000) : 0);
    });
    this.lagSampler.start();
  }

  /** Settles when the relay ends: after `stop()`, or with the error that stopped it. */
  get done(): Promise<void> {
    return this.subscription?.done ?? Promise.resolve();
  }

  private async publish(events: RecordedEvent[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const stored of events) {
      const event = this.options.view ? this.options.view(stored) : stored;
      if (!event) continue;
      const topic = this.options.topicFor(event);
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(eventToMessage(event));
    }
    if (byTopic.size === 0) return;
    await this.producer!.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    let published = 0;
    for (const messages of byTopic.values()) published += messages.length;
    this.publishedEvents.inc(published);
  }

  async stop(): Promise<void> {
    await this.lagSampler?.stop();
    relayLagEvents.remove({ relay: this.name });
    relayLagSeconds.remove({ relay: this.name });
    await this.subscription?.stop();
    await this.producer?.disconnect();
  }
}

/** An event as a Kafka message: key = stream id, value = the JSON data, metadata in headers. */
export function eventToMessage(event: RecordedEvent): Message {
  const { correlationId, causationId, actor, occurredAt, schemaVersion } = event.metadata;
  const headers: IHeaders = {
    [HEADER.messageId]: event.id,
    [HEADER.messageType]: event.type,
    [HEADER.correlationId]: correlationId,
    [HEADER.causationId]: causationId,
    [HEADER.actor]: actor,
    [HEADER.occurredAt]: occurredAt,
    [HEADER.schemaVersion]: String(schemaVersion),
    [HEADER.contentType]: JSON_CONTENT_TYPE,
    [HEADER.stream]: event.stream,
    [HEADER.streamRevision]: event.revision.toString(),
    [HEADER.position]: event.position.toString(),
    [HEADER.recordedAt]: event.recordedAt.toISOString(),
  };
  return { key: event.stream, value: JSON.stringify(event.data), headers };
}
