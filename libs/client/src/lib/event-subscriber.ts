import { HEADER, topics } from '@ledger/contracts';
import { ensureTopics, headerValue } from '@ledger/messaging/client';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { EVENT_SCHEMAS, contextOf, type EventDataOf, type LedgerEventType } from './catalogue';
import { DedupeWindow } from './dedupe-window';

/** One published event as a handler receives it: its data typed by its contract, its metadata from the headers. */
export interface LedgerEvent<T extends LedgerEventType = LedgerEventType> {
  /** The event id (`message-id`): the same event always carries the same id, so dedupe by it. */
  id: string;
  type: T;
  data: EventDataOf<T>;
  /** The event-store stream, e.g. `user-<userId>`, and the event's revision in it. */
  stream: string;
  revision: bigint | undefined;
  correlationId: string | undefined;
  causationId: string | undefined;
  actor: string | undefined;
  occurredAt: string | undefined;
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler<T extends LedgerEventType> = (event: LedgerEvent<T>) => Promise<void> | void;
export type EventHandlers = { [T in LedgerEventType]?: EventHandler<T> };

/** Why a message was passed over without reaching a handler (its offset is committed). */
export type SkipReason = 'not_an_event' | 'invalid_data';

export interface EventSubscriberOptions {
  kafka: Kafka;
  /**
   * The consumer group, i.e. the subscriber's durable position: instances sharing it split the
   * partitions, and a restarted instance resumes after the last committed offset.
   */
  groupId: string;
  /** A handler per event type; the topics (`<context>.events`) follow from the types. Other types are passed over. */
  handlers: EventHandlers;
  topicPrefix?: string;
  /** Where a group with no committed offset starts: the oldest retained event (default) or only new ones. */
  fromBeginning?: boolean;
  /** How many handled event ids are remembered to drop redeliveries (default 10 000). */
  dedupeWindow?: number;
  /** Attempts at a throwing handler in place, before the event is left to Kafka's redelivery (default 3). */
  maxAttempts?: number;
  /** Wait before the n-th attempt: n × this (default 200 ms). */
  retryDelayMs?: number;
  /** Told of every failed attempt. */
  onError?(error: unknown, event: LedgerEvent): void;
  /** Told of every message that cannot be handed to a handler (no event id or type, data not matching the contract). */
  onSkipped?(reason: SkipReason, message: KafkaMessage): void;
}

const validators = new Map<string, TypeCheck<TSchema>>(
  Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
);

/**
 * Follows the `<context>.events` topics that the event store's relay fills, and hands each event to
 * the handler of its type, at least once and, within a bounded window, once only.
 *
 * - **At least once.** An offset is committed only after the handler returned. A handler that throws
 *   is retried in place (`maxAttempts`, growing delay); if it still fails, the error goes to the
 *   Kafka consumer, which commits nothing for that event, reads it again from the uncommitted offset
 *   and, after its own bounded retries, restarts and rejoins the group, still from that offset. A
 *   crash or restart of the subscriber resumes from the last committed offset.
 * - **Dedupe.** The relay re-sends its last batch after a crash, and a rebalance or restart re-reads
 *   events handled but not yet committed. The ids of the last `dedupeWindow` handled events are kept
 *   in memory and a redelivered one is not handed again. The window is bounded by count and empty
 *   after a restart, so a handler whose effect is durable must also be idempotent by event id (e.g.
 *   record the id in the same transaction as the effect: `ProcessedEvents` in `@ledger/event-store`).
 * - **Order** is the topic's: per stream (the key), events arrive in store order.
 */
export class EventSubscriber {
  private consumer?: Consumer;
  private readonly seen: DedupeWindow;
  private readonly topicNames: string[];

  constructor(private readonly options: EventSubscriberOptions) {
    this.seen = new DedupeWindow(options.dedupeWindow ?? 10_000);
    const contexts = new Set(Object.keys(options.handlers).map(contextOf));
    if (contexts.size === 0) throw new Error('an event subscriber needs at least one handler');
    this.topicNames = [...contexts].map((context) => `${options.topicPrefix ?? ''}${topics.events(context)}`);
  }

  get topics(): readonly string[] {
    return this.topicNames;
  }

  async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // Subscribing to a topic that does not exist yet fails; the relay would create it with the same defaults.
      await ensureTopics(admin, this.topicNames);
    } finally {
      await admin.disconnect();
    }
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 30_000 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topicNames, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({ eachMessage: (payload) => this.receive(payload) });
  }

  /** Stops fetching; offsets of handled events are committed first. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async receive({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const event = toEvent(topic, partition, message);
    if (!event) return this.options.onSkipped?.('not_an_event', message);
    const handler = this.options.handlers[event.type] as EventHandler<LedgerEventType> | undefined;
    if (!handler || this.seen.has(event.id)) return;
    if (validators.get(event.type)?.Check(event.data) !== true) return this.options.onSkipped?.('invalid_data', message);
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(event);
        this.seen.remember(event.id);
        return;
      } catch (error) {
        this.options.onError?.(error, event);
        if (attempt >= maxAttempts) throw error;
      }
      await heartbeat();
      await new Promise((resolve) => setTimeout(resolve, attempt * (this.options.retryDelayMs ?? 200)));
    }
  }
}

function toEvent(topic: string, partition: number, message: KafkaMessage): LedgerEvent | undefined {
  const id = headerValue(message.headers, HEADER.messageId);
  const type = headerValue(message.headers, HEADER.messageType);
  if (!id || !type || !message.value) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message.value.toString('utf8'));
  } catch {
    return undefined;
  }
  const revision = headerValue(message.headers, HEADER.streamRevision);
  return {
    id,
    // Checked against the handlers and validators before use: an unknown type finds neither.
    type: type as LedgerEventType,
    data: data as EventDataOf<LedgerEventType>,
    stream: headerValue(message.headers, HEADER.stream) ?? message.key?.toString('utf8') ?? '',
    revision: revision !== undefined && /^\d+$/.test(revision) ? BigInt(revision) : undefined,
    correlationId: headerValue(message.headers, HEADER.correlationId),
    causationId: headerValue(message.headers, HEADER.causationId),
    actor: headerValue(message.headers, HEADER.actor),
    occurredAt: headerValue(message.headers, HEADER.occurredAt),
    topic,
    partition,
    offset: message.offset,
  };
}
