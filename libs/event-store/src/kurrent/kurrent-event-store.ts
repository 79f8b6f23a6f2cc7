/**
 * The KurrentDB (formerly EventStoreDB) adapter, chosen for `kurrentdb://`, `esdb://` and their
 * `+discover` variants.
 *
 * KurrentDB has no late-commit problem (its log is ordered by commit position), so the cursor is the
 * log position `<commit>:<prepare>`. The hash chain lives in each event's metadata under
 * `HASH_METADATA_KEY`; it is removed from `metadata` when events are read and checked by the same
 * `ChainVerifier` as PostgreSQL. Because the hash of the next event depends on the current head, an
 * append always writes with the exact head revision it read; an `any` or `stream_exists` append that
 * loses a race re-reads the head and tries again (bounded).
 *
 * Not verified against a live server on the development machine (there is none); the contract suite
 * runs against it when `EVENTSTORE_URL` is set.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START as KURRENT_START,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
} from '@kurrent/kurrentdb-client';
import { EventIdConflict, WrongExpectedRevision } from '../errors';
import { ChainVerifier, genesisHash, eventHash } from '../hash-chain';
import {
  START,
  type AppendOptions,
  type AppendResult,
  type CheckpointOptions,
  type Cursor,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadPage,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type VerifyAllResult,
  type VerifyResult,
} from '../port';
import { startSubscription, Wakeup } from '../subscription';
import { UpcasterRegistry } from '../upcasters';
import { assertExpectedRevision, assertNewEvents, assertStreamName, pageSize } from '../validation';
import { decodeKurrentCursor } from './kurrent-cursor';
import { APPLICATION_STREAMS_REGEX, CHECKPOINT_STREAM_PREFIX, HASH_METADATA_KEY, type StoredEvent } from './kurrent-mapping';
import { readRawGlobalPage, readRawStream } from './kurrent-reads';

const CHECKPOINT_EVENT_TYPE = 'ledger.CheckpointStored.v1';
/** Old checkpoint events are useless; the server may scavenge all but the last few. */
const CHECKPOINT_STREAM_MAX_COUNT = 10;
/** Appends with `any`/`stream_exists` that lose the race for the head retry at most this often. */
const MAX_APPEND_ATTEMPTS = 10;
const DEFAULT_MAX_STREAM_READ_EVENTS = 100_000;
const VERIFY_PAGE_SIZE = 1000;

export interface KurrentEventStoreOptions {
  /** `kurrentdb://…` or `esdb://…` (with `+discover` for a cluster). */
  connectionString: string;
  upcasters?: UpcasterRegistry;
  maxStreamReadEvents?: number;
}

export class KurrentEventStore implements EventStore {
  readonly upcasters: UpcasterRegistry;
  private readonly client: KurrentDBClient;
  private readonly wakeup = new Wakeup();
  private readonly maxStreamReadEvents: number;
  private readonly subscriptions = new Set<Subscription>();
  private pushSubscription?: AllStreamSubscription;

  constructor(options: KurrentEventStoreOptions) {
    this.client = KurrentDBClient.connectionString(options.connectionString);
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.maxStreamReadEvents = options.maxStreamReadEvents ?? DEFAULT_MAX_STREAM_READ_EVENTS;
  }

  /** Nothing to migrate; reads the head of `$all` once so a wrong address fails here, not later. */
  async init(): Promise<void> {
    await readRawGlobalPage(this.client, START, 1, undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.pushSubscription?.unsubscribe().catch(() => undefined);
    this.pushSubscription = undefined;
    await this.client.dispose();
  }

  async append(stream: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    assertStreamName(stream);
    assertNewEvents(events);
    const { expectedRevision } = options;
    assertExpectedRevision(expectedRevision);
    const ids = events.map((event) => event.id.toLowerCase());
    for (let attempt = 1; ; attempt++) {
      const head = (await readRawStream(this.client, stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }))[0];
      const duplicate = await this.findDuplicate(stream, ids, expectedRevision, head);
      if (duplicate) return duplicate;
      const actual = head ? head.revision : 'no_stream';
      const matches =
        expectedRevision === 'any' ||
        (expectedRevision === 'no_stream' && head === undefined) ||
        (expectedRevision === 'stream_exists' && head !== undefined) ||
        (typeof expectedRevision === 'bigint' && head?.revision === expectedRevision);
      if (!matches) throw new WrongExpectedRevision(stream, expectedRevision, actual);

      let previousHash: Buffer = head ? Buffer.from(head.hash, 'hex') : genesisHash();
      const firstRevision = head ? head.revision + 1n : 0n;
      const data = events.map((event, index) => {
        const hash = eventHash(previousHash, firstRevision + BigInt(index), {
          id: ids[index]!,
          stream,
          type: event.type,
          data: event.data,
          metadata: event.metadata,
        });
        previousHash = hash;
        return jsonEvent({
          id: ids[index]!,
          type: event.type,
          data: event.data,
          metadata: { ...event.metadata, [HASH_METADATA_KEY]: hash.toString('hex') },
        });
      });
      try {
        const result = await this.client.appendToStream(stream, data, { streamState: head ? head.revision : NO_STREAM });
        this.wakeup.wake();
        const commit = result.position?.commit ?? -1n;
        return {
          stream,
          firstRevision,
          lastRevision: result.nextExpectedRevision,
          firstPosition: commit,
          lastPosition: commit,
          duplicate: false,
        };
      } catch (error) {
        // Someone appended between our head read and our write. The next attempt re-reads the head
        // and then finds our own events (a duplicate), a real conflict, or room to retry (`any`).
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_APPEND_ATTEMPTS) throw error;
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const limit = options.limit === undefined ? this.maxStreamReadEvents + 1 : pageSize(options.limit, options.limit);
    const raw = await readRawStream(this.client, stream, {
      fromRevision: options.from ?? (direction === 'forwards' ? KURRENT_START : END),
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      maxCount: limit,
    });
    if (options.limit === undefined && raw.length > this.maxStreamReadEvents) {
      throw new Error(`Stream ${stream} has more than ${this.maxStreamReadEvents} events: read it in pages with { from, limit }`);
    }
    return raw.map((event) => this.toRecorded(event));
  }

  readAll(options: ReadAllOptions = {}): Promise<ReadPage> {
    return this.readGlobal(options.from ?? START, pageSize(options.limit), undefined);
  }

  readCategory(category: string, options: ReadAllOptions = {}): Promise<ReadPage> {
    return this.readGlobal(options.from ?? START, pageSize(options.limit), category);
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.ensurePushWakeup();
    const subscription = startSubscription(
      { read: (from, limit, category) => this.readGlobal(from, limit, category), checkpoints: this, wakeup: this.wakeup },
      options,
    );
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async readCheckpoint(name: string, options: CheckpointOptions = {}): Promise<Cursor | undefined> {
    this.refuseSqlClient(options);
    const [last] = await readRawStream(this.client, CHECKPOINT_STREAM_PREFIX + name, {
      fromRevision: END,
      direction: BACKWARDS,
      maxCount: 1,
    });
    const cursor = last?.data.cursor;
    return typeof cursor === 'string' ? cursor : undefined;
  }

  async writeCheckpoint(name: string, cursor: Cursor, options: CheckpointOptions = {}): Promise<void> {
    this.refuseSqlClient(options);
    decodeKurrentCursor(cursor);
    const stream = CHECKPOINT_STREAM_PREFIX + name;
    const result = await this.client.appendToStream(stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { cursor } }));
    if (result.nextExpectedRevision === 0n) await this.client.setStreamMetadata(stream, { maxCount: CHECKPOINT_STREAM_MAX_COUNT });
  }

  async verifyStream(stream: string): Promise<VerifyResult> {
    const verifier = new ChainVerifier(stream);
    let from = 0n;
    // Bounded by the stream length: each full page advances `from`, a short page ends the loop.
    for (;;) {
      const page = await readRawStream(this.client, stream, { fromRevision: from, direction: FORWARDS, maxCount: VERIFY_PAGE_SIZE });
      for (const event of page) {
        const broken = verifier.check(event);
        if (broken) return { ok: false, stream, ...broken };
      }
      if (page.length < VERIFY_PAGE_SIZE) return { ok: true, stream, events: verifier.events, headHash: verifier.headHash };
      from = page[page.length - 1]!.revision + 1n;
    }
  }

  /**
   * Verifies every stream in one pass over `$all` (the log keeps each stream in revision order).
   * Memory grows with the number of streams: one verifier (a hash and a counter) per stream.
   */
  async verifyAll(): Promise<VerifyAllResult> {
    const verifiers = new Map<string, ChainVerifier>();
    let cursor: Cursor = START;
    let events = 0;
    for (;;) {
      const page = await readRawGlobalPage(this.client, cursor, VERIFY_PAGE_SIZE, undefined);
      for (const event of page.events) {
        let verifier = verifiers.get(event.stream);
        if (!verifier) verifiers.set(event.stream, (verifier = new ChainVerifier(event.stream)));
        const broken = verifier.check(event);
        if (broken) return { ok: false, stream: event.stream, ...broken };
        events += 1;
      }
      if (page.isEnd) return { ok: true, streams: verifiers.size, events };
      cursor = page.next;
    }
  }

  private async readGlobal(from: Cursor, limit: number, category: string | undefined): Promise<ReadPage> {
    const page = await readRawGlobalPage(this.client, from, limit, category);
    return { events: page.events.map((event) => this.toRecorded(event)), next: page.next, isEnd: page.isEnd };
  }

  /**
   * A retried append finds its events where the first attempt put them: right after the expected
   * revision, at the start of the stream (`no_stream`), or at the head (`any`, `stream_exists`).
   * Returns the original result then; ids found only in part mean they were reused for other history.
   */
  private async findDuplicate(
    stream: string,
    ids: readonly string[],
    expected: AppendOptions['expectedRevision'],
    head: StoredEvent | undefined,
  ): Promise<AppendResult | undefined> {
    if (!head) return undefined;
    const count = BigInt(ids.length);
    const start = typeof expected === 'bigint' ? expected + 1n : expected === 'no_stream' ? 0n : head.revision - count + 1n;
    if (start < 0n || start + count - 1n > head.revision) return undefined;
    const stored = await readRawStream(this.client, stream, { fromRevision: start, direction: FORWARDS, maxCount: ids.length });
    const matching = stored.filter((event, index) => event.id.toLowerCase() === ids[index]);
    if (matching.length === 0) return undefined;
    if (matching.length !== ids.length || (expected === 'stream_exists' && start === 0n)) {
      throw new EventIdConflict(stream, ids, `only ${matching.length} of ${ids.length} ids are stored at revisions ${start}…`);
    }
    return {
      stream,
      firstRevision: start,
      lastRevision: start + count - 1n,
      firstPosition: stored[0]!.position,
      lastPosition: stored[stored.length - 1]!.position,
      duplicate: true,
    };
  }

  /**
   * Wakes local subscriptions as soon as the server pushes any application event, so subscribers in
   * other processes do not wait for their poll interval. Losing this push only costs latency: the
   * subscriptions keep polling.
   */
  private ensurePushWakeup(): void {
    if (this.pushSubscription) return;
    const push = this.client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ regex: APPLICATION_STREAMS_REGEX }) });
    push.on('data', () => this.wakeup.wake());
    push.on('error', () => {
      if (this.pushSubscription === push) this.pushSubscription = undefined;
    });
    this.pushSubscription = push;
  }

  private refuseSqlClient(options: CheckpointOptions): void {
    if (options.client) {
      throw new Error(
        'KurrentDB checkpoints cannot join a SQL transaction: give the subscription a PostgresCheckpointStore next to your read models instead',
      );
    }
  }

  private toRecorded(event: StoredEvent): RecordedEvent {
    const upcast = this.upcasters.upcast({ type: event.type, data: event.data, metadata: event.metadata });
    return {
      id: event.id,
      stream: event.stream,
      revision: event.revision,
      position: event.position,
      cursor: event.cursor,
      type: upcast.type,
      data: upcast.data,
      metadata: upcast.metadata,
      recordedAt: event.recordedAt,
      hash: event.hash,
    };
  }
}
