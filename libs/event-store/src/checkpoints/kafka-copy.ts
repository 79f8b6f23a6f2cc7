/**
 * The Kafka copy of signed checkpoints: a second place, outside the database, where each checkpoint
 * is published once its transaction committed. Someone who can rewrite the database (and so delete
 * the newest checkpoints, triggers notwithstanding) cannot also take back what the broker holds, so
 * `verify --kafka` finds a checkpoint that is on the topic and no longer in the table.
 *
 * One message per checkpoint, keyed by the store (one partition keeps a store's checkpoints in
 * order), the value a JSON object with the stored record; the copy is as signed as the original.
 */
import { randomUUID } from 'node:crypto';
import { HEADER, JSON_CONTENT_TYPE } from '@ledger/contracts';
import { producerDefaults } from '@ledger/messaging';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { CheckpointPublisher } from './checkpointer';
import type { CheckpointRecord } from './signed-checkpoint';

interface CheckpointMessageValue {
  store: string;
  sequence: string;
  hash: string;
  previous: string;
  keyId: string;
  body: string;
  signature: string;
}

export function checkpointToMessage(store: string, record: CheckpointRecord): Message {
  const value: CheckpointMessageValue = {
    store,
    sequence: record.sequence.toString(),
    hash: record.hash,
    previous: record.previous,
    keyId: record.keyId,
    body: record.bodyText,
    signature: record.signature,
  };
  return { key: store, value: JSON.stringify(value), headers: { [HEADER.contentType]: JSON_CONTENT_TYPE } };
}

/** The checkpoint a message carries, or undefined for anything else (another producer's message, a malformed one). */
export function messageToCheckpoint(value: Buffer | null): { store: string; record: CheckpointRecord } | undefined {
  if (value === null) return undefined;
  let parsed: Partial<Record<keyof CheckpointMessageValue, unknown>>;
  try {
    parsed = JSON.parse(value.toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  const { store, sequence, hash, previous, keyId, body, signature } = parsed;
  if (
    typeof store !== 'string' ||
    typeof sequence !== 'string' ||
    !/^\d{1,20}$/.test(sequence) ||
    typeof hash !== 'string' ||
    typeof previous !== 'string' ||
    typeof keyId !== 'string' ||
    typeof body !== 'string' ||
    typeof signature !== 'string'
  ) {
    return undefined;
  }
  return { store, record: { sequence: BigInt(sequence), hash, previous, keyId, bodyText: body, signature } };
}

/** Publishes a store's checkpoints to `topic`, acknowledged by every in-sync replica. Connects on first use. */
export class KafkaCheckpointPublisher {
  private producer?: Producer;
  private connecting?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly store: string,
  ) {}

  readonly publish: CheckpointPublisher = async (record) => {
    if (this.producer === undefined) {
      this.connecting ??= this.connect().finally(() => {
        this.connecting = undefined;
      });
      await this.connecting;
    }
    await this.producer!.send({ topic: this.topic, acks: -1, messages: [checkpointToMessage(this.store, record)] });
  };

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.producer?.disconnect();
    this.producer = undefined;
  }

  private async connect(): Promise<void> {
    const producer = this.kafka.producer({ ...producerDefaults, allowAutoTopicCreation: true });
    await producer.connect();
    this.producer = producer;
  }
}

export interface ReadCopiesOptions {
  kafka: Kafka;
  topic: string;
  /** Only this store's checkpoints are kept. */
  store: string;
  /** Gives up after this long (default 60 s). */
  timeoutMs?: number;
  /** Keeps the newest this many checkpoints (default 1,000): enough to see the newest ones deleted, bounded in memory. */
  keep?: number;
}

/**
 * Reads the topic from its beginning to its end as it was when the call began, under a consumer group
 * of its own (`verify-checkpoints-<random>`, deleted afterwards), and returns the store's newest
 * published checkpoints in sequence order. A retention shorter than the store's life drops the oldest
 * copies, which only the newest ones matter for.
 */
export async function readCheckpointCopies(options: ReadCopiesOptions): Promise<CheckpointRecord[]> {
  const keep = options.keep ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const admin = options.kafka.admin();
  await admin.connect();
  const groupId = `verify-checkpoints-${randomUUID()}`;
  const copies = new Map<bigint, CheckpointRecord>();
  try {
    const ends = new Map<number, bigint>();
    for (const partition of await admin.fetchTopicOffsets(options.topic)) {
      if (BigInt(partition.high) > BigInt(partition.low)) ends.set(partition.partition, BigInt(partition.high));
    }
    if (ends.size === 0) return [];
    const consumer = options.kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`reading ${options.topic} took longer than ${timeoutMs} ms`)), timeoutMs);
        const reached = (partition: number, offset: bigint) => {
          const end = ends.get(partition);
          if (end !== undefined && offset + 1n >= end) ends.delete(partition);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              const copy = messageToCheckpoint(message.value);
              if (copy !== undefined && copy.store === options.store) {
                copies.set(copy.record.sequence, copy.record);
                if (copies.size > keep * 2) prune(copies, keep);
              }
              reached(partition, BigInt(message.offset));
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  prune(copies, keep);
  return [...copies.values()].sort((left, right) => (left.sequence < right.sequence ? -1 : left.sequence > right.sequence ? 1 : 0));
}

function prune(copies: Map<bigint, CheckpointRecord>, keep: number): void {
  if (copies.size <= keep) return;
  const sequences = [...copies.keys()].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  for (const sequence of sequences.slice(0, sequences.length - keep)) copies.delete(sequence);
}
