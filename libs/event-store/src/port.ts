/**
 * The event store port: what every adapter (PostgreSQL, KurrentDB) offers, free of any framework.
 *
 * Vocabulary:
 * - a *stream* is the history of one aggregate, e.g. `wallet-7f3a…`; its events are numbered by
 *   *revision* from 0n;
 * - a *category* is the part of a stream name before the first `-` (`wallet-7f3a` → `wallet`);
 * - every event also has a store-wide *position* (unique, increasing in append order) and a
 *   *cursor*: the opaque, string-serializable place after that event in the global read order.
 *   Readers and subscriptions resume from a cursor, never from a position, because the global read
 *   order is not always position order (see the PostgreSQL adapter's cursor for why).
 */
import type { UpcasterRegistry } from './upcasters';

/** Event payloads are JSON objects. */
export type EventData = Record<string, unknown>;

/**
 * What every event must carry besides its id (docs/design.md §2). Extra keys are allowed and kept.
 * `occurredAt` is an ISO-8601 instant chosen by the caller's clock, not the store's.
 */
export interface EventMetadata {
  correlationId: string;
  causationId: string;
  actor: string;
  occurredAt: string;
  schemaVersion: number;
  [key: string]: unknown;
}

/** An event as a command handler hands it to `append`. */
export interface NewEvent<TData extends EventData = EventData> {
  /** A UUID chosen by the caller: reusing it on a retry is what makes the append idempotent. */
  id: string;
  /** A versioned type name, e.g. `wallet.FundsReserved.v1`. */
  type: string;
  data: TData;
  metadata: EventMetadata;
}

/** An opaque place in the global read order, safe to store as text (e.g. in a checkpoint). */
export type Cursor = string;

/** The cursor before the first event of every store. */
export const START: Cursor = 'start';

/** An event as the store returns it (always upcast to the newest version of its type). */
export interface RecordedEvent<TData extends EventData = EventData> {
  /** The event id: consumers deduplicate at-least-once deliveries by it. */
  id: string;
  stream: string;
  revision: bigint;
  /** Store-wide unique number, increasing in append order. */
  position: bigint;
  /** Pass to `readAll`/`readCategory`/a checkpoint to continue after this event. */
  cursor: Cursor;
  type: string;
  data: TData;
  metadata: EventMetadata;
  recordedAt: Date;
  /** Hex SHA-256 link of the stream's hash chain, computed over the event as it was stored. */
  hash: string;
}

/**
 * Optimistic concurrency for `append`:
 * - `'any'`: no check;
 * - `'no_stream'`: the stream must not exist yet (reservation streams rely on this);
 * - `'stream_exists'`: the stream must have at least one event;
 * - a bigint: the revision of the stream's last event must be exactly this one.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  stream: string;
  firstRevision: bigint;
  /** The revision of the last appended event: the expected revision of the next append. */
  lastRevision: bigint;
  firstPosition: bigint;
  lastPosition: bigint;
  /** True when the events were already there (a retried append) and nothing was written. */
  duplicate: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Revision to start at (inclusive). Defaults to the first event forwards, the last backwards. */
  from?: bigint;
  direction?: Direction;
  /** At most this many events. Without it the whole stream is read, up to the adapter's bound. */
  limit?: number;
}

export interface ReadAllOptions {
  /** Continue after this cursor; defaults to `START`. */
  from?: Cursor;
  /** Page size; defaults to 1000, capped by `MAX_READ_BATCH`. */
  limit?: number;
}

export interface ReadPage {
  events: RecordedEvent[];
  /** Where the next page starts: the last event's cursor, or `from` when the page is empty. */
  next: Cursor;
  /** True when fewer than `limit` events were available, i.e. the reader has caught up for now. */
  isEnd: boolean;
}

/** The largest page any read or subscription batch may ask for; keeps memory per read bounded. */
export const MAX_READ_BATCH = 10_000;
export const DEFAULT_READ_BATCH = 1000;
/** The most events one `append` call may write, so one command cannot produce an unbounded batch. */
export const MAX_EVENTS_PER_APPEND = 1000;

/**
 * A SQL client a checkpoint write can join, so that a projector commits its read-model change and
 * its checkpoint in one transaction. `pg.Client` and `pg.PoolClient` satisfy it.
 */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface CheckpointOptions {
  /** Run on this client (inside the caller's open transaction) instead of the store's own pool. */
  client?: SqlClient;
}

/** Durable named positions of subscriptions. */
export interface CheckpointStore {
  readCheckpoint(name: string, options?: CheckpointOptions): Promise<Cursor | undefined>;
  writeCheckpoint(name: string, cursor: Cursor, options?: CheckpointOptions): Promise<void>;
}

export interface BatchContext {
  subscriptionName: string;
  /** The cursor after the batch's last event: what a handler that checkpoints itself stores. */
  cursor: Cursor;
}

export interface SubscribeOptions {
  /** Names the durable checkpoint; one name, one consumer. */
  name: string;
  /** Only streams of this category; all streams when absent. */
  category?: string;
  /** Where to begin when the subscription has no checkpoint yet; defaults to `START`. */
  from?: Cursor;
  /** Events handed over at once (1…MAX_READ_BATCH); defaults to 500. */
  batchSize?: number;
  /** Longest wait between polls once caught up; appends through this store wake it sooner. */
  pollIntervalMs?: number;
  /**
   * Once caught up, reads start at least this long apart (default 20 ms), so the appends of a busy
   * moment are read, handled and checkpointed together instead of one read and one checkpoint write
   * per append. It is the most a wake-up is delayed.
   */
  batchWindowMs?: number;
  /**
   * `'after-batch'` (default): the store writes the checkpoint after each handled batch.
   * `'manual'`: the handler writes it itself (`writeCheckpoint(name, context.cursor, { client })`),
   * typically in the transaction of its own change.
   */
  checkpoint?: 'after-batch' | 'manual';
  /** Where checkpoints live; defaults to the store itself. */
  checkpoints?: CheckpointStore;
  /**
   * With `'after-batch'`: the checkpoint is written at most this often (and when the subscription
   * stops), not after every batch. A crash then re-delivers what was handled since the last write,
   * which an at-least-once handler (a relay: consumers dedupe by event id) takes as it is. Default 0:
   * after every batch.
   */
  checkpointIntervalMs?: number;
  /**
   * One consumer across every process that subscribes with this name: a replica waits as a standby
   * and takes over when the one running it dies. For relays and projections of services that run
   * several instances. Default false (the PostgreSQL store honours it; see `startExclusiveSubscription`).
   */
  exclusive?: boolean;
  /** Consecutive read failures tolerated (with backoff) before the subscription gives up. */
  maxConsecutiveReadFailures?: number;
  /** Called with an error that ends the subscription (a throwing handler, a persistent read failure). */
  onError?: (error: unknown) => void;
  handle(events: RecordedEvent[], context: BatchContext): Promise<void>;
}

export interface Subscription {
  readonly name: string;
  /** The cursor after the last handled batch. */
  readonly cursor: Cursor;
  /** Stops polling and waits for the batch in flight (and its checkpoint) to finish. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves after `stop()`, rejects when it failed. */
  readonly done: Promise<void>;
}

/** The outcome of checking a stream's hash chain. */
export type VerifyResult =
  | { ok: true; stream: string; events: number; headHash: string | undefined }
  | { ok: false; stream: string; revision: bigint; reason: string };

export type VerifyAllResult =
  { ok: true; streams: number; events: number } | { ok: false; stream: string; revision: bigint; reason: string };

export interface EventStore extends CheckpointStore {
  readonly upcasters: UpcasterRegistry;
  /** Connects and (PostgreSQL) runs the migrations; every other method calls it on first use. */
  init(): Promise<void>;
  close(): Promise<void>;
  append(stream: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** The stream's events; an unknown stream reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadPage>;
  readCategory(category: string, options?: ReadAllOptions): Promise<ReadPage>;
  subscribe(options: SubscribeOptions): Subscription;
  verifyStream(stream: string): Promise<VerifyResult>;
  verifyAll(): Promise<VerifyAllResult>;
}

/** `wallet-123` → `wallet`; a name without `-` is its own category. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
