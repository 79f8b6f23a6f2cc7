/**
 * The event store port in memory: what the PostgreSQL adapter promises, for one process.
 *
 * - `append` checks the expected revision exactly as `append_events` does, and tells a retried
 *   append (the same ids where the expected revision put them: `duplicate`, with the original
 *   result) from ids reused elsewhere (`EventIdConflict`) and from a real conflict
 *   (`WrongExpectedRevision` with the stream's head).
 * - Data and metadata are kept as JSON text, so every read hands out fresh objects, exactly what
 *   went through `JSON.stringify` (as a database round trip would), and a caller that mutates what it
 *   read or appended cannot change the store.
 * - Positions start at 1 and grow with every event; the cursor is the position as text. There are
 *   no late commits here (appends are atomic and immediate), so position order is the read order.
 * - The hash chain is the adapters' (`eventHash`), computed when first asked for (a read's `hash`,
 *   `verifyStream`), so a store nobody verifies does not pay two SHA-256 per event.
 * - `subscribe` is the shared catch-up subscription, woken by appends; `exclusive` is not enforced
 *   (one process). Checkpoints live in a map; a checkpoint's `client` (a SQL transaction) is ignored.
 *
 * The synchronous `…Now` methods are the same operations without a promise, for a caller that
 * decides itself when an operation takes effect (the simulation's scheduler).
 */
import {
  ChainVerifier,
  EventIdConflict,
  InvalidCursor,
  MAX_READ_BATCH,
  START,
  UpcasterRegistry,
  Wakeup,
  WrongExpectedRevision,
  assertExpectedRevision,
  assertNewEvents,
  assertStreamName,
  categoryOf,
  pageSize,
  eventHash,
  genesisHash,
  startSubscription,
  type AppendOptions,
  type AppendResult,
  type Cursor,
  type EventMetadata,
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
} from '@ledger/event-store';
import { systemClock, type Clock } from '@ledger/util';

interface StoredEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recordedAt: number;
  /** Filled in stream order on first use (see `hashOf`). */
  hash?: string;
}

export interface MemoryEventStoreOptions {
  /** The time `recordedAt` is read from. */
  clock?: Clock;
  upcasters?: UpcasterRegistry;
}

const CURSOR = /^[1-9][0-9]{0,18}$/;

export class MemoryEventStore implements EventStore {
  readonly upcasters: UpcasterRegistry;
  private readonly clock: Clock;
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Every event in append order: index i holds position i + 1. */
  private readonly log: StoredEvent[] = [];
  private readonly byCategory = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly checkpoints = new Map<string, Cursor>();
  private readonly wakeup = new Wakeup();
  private closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
  }

  /** How many events the store holds. */
  get size(): number {
    return this.log.length;
  }

  /** The names of the streams with at least one event, in the order they were created. */
  streamNames(): string[] {
    return [...this.streams.keys()];
  }

  async init(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeup.wake();
  }

  async append(stream: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.appendNow(stream, events, options);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.readStreamNow(stream, options);
  }

  async readAll(options?: ReadAllOptions): Promise<ReadPage> {
    return this.readAllNow(options);
  }

  async readCategory(category: string, options?: ReadAllOptions): Promise<ReadPage> {
    return this.readCategoryNow(category, options);
  }

  async readCheckpoint(name: string): Promise<Cursor | undefined> {
    return this.readCheckpointNow(name);
  }

  async writeCheckpoint(name: string, cursor: Cursor): Promise<void> {
    this.writeCheckpointNow(name, cursor);
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    return startSubscription(
      {
        read: async (from, limit, category) =>
          category === undefined ? this.readAllNow({ from, limit }) : this.readCategoryNow(category, { from, limit }),
        checkpoints: this,
        wakeup: this.wakeup,
      },
      options,
    );
  }

  async verifyStream(stream: string): Promise<VerifyResult> {
    return this.verifyStreamNow(stream);
  }

  async verifyAll(): Promise<VerifyAllResult> {
    let events = 0;
    for (const stream of this.streams.keys()) {
      const result = this.verifyStreamNow(stream);
      if (!result.ok) return result;
      events += result.events;
    }
    return { ok: true, streams: this.streams.size, events };
  }

  appendNow(stream: string, events: readonly NewEvent[], options: AppendOptions): AppendResult {
    this.assertOpen();
    assertStreamName(stream);
    const expected = options.expectedRevision;
    assertExpectedRevision(expected);
    // The port's rules, as every adapter checks them; a uuid column stores ids in lower case.
    assertNewEvents(events);
    const ids = events.map((event) => event.id.toLowerCase());
    const existing = this.streams.get(stream) ?? [];
    const head = existing.length === 0 ? undefined : existing[existing.length - 1]!.revision;
    // As `append_events`: 'any' and 'stream_exists' look for the ids first; an exact append finds a
    // retry only once the head does not match (the stream moved on by its own events).
    if ((expected === 'any' || expected === 'stream_exists') && ids.some((id) => this.byId.has(id)))
      return this.classifyConflict(stream, expected, ids);
    const headMatches =
      expected === 'any' ||
      (expected === 'no_stream' && head === undefined) ||
      (expected === 'stream_exists' && head !== undefined) ||
      (typeof expected === 'bigint' && head === expected);
    // Ids stored elsewhere: the unique index refuses the insert, and the conflict is classified.
    if (!headMatches || ids.some((id) => this.byId.has(id))) return this.classifyConflict(stream, expected, ids);

    const firstRevision = head === undefined ? 0n : head + 1n;
    const recordedAt = this.clock.now().getTime();
    const category = categoryOf(stream);
    let inCategory = this.byCategory.get(category);
    if (!inCategory) {
      inCategory = [];
      this.byCategory.set(category, inCategory);
    }
    if (existing.length === 0) this.streams.set(stream, existing);
    events.forEach((event, index) => {
      const stored: StoredEvent = {
        id: ids[index]!,
        stream,
        revision: firstRevision + BigInt(index),
        position: BigInt(this.log.length + 1),
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        recordedAt,
      };
      existing.push(stored);
      this.log.push(stored);
      inCategory.push(stored);
      this.byId.set(stored.id, stored);
    });
    this.wakeup.wake();
    const last = existing[existing.length - 1]!;
    return {
      stream,
      firstRevision,
      lastRevision: last.revision,
      firstPosition: last.position - BigInt(events.length - 1),
      lastPosition: last.position,
      duplicate: false,
    };
  }

  readStreamNow(stream: string, options: ReadStreamOptions = {}): RecordedEvent[] {
    this.assertOpen();
    const events = this.streams.get(stream) ?? [];
    const limit = options.limit === undefined ? MAX_READ_BATCH * 100 : pageSize(options.limit);
    const out: RecordedEvent[] = [];
    if (options.direction === 'backwards') {
      const start = options.from === undefined ? events.length - 1 : Math.min(Number(options.from), events.length - 1);
      for (let i = start; i >= 0 && out.length < limit; i--) out.push(this.record(events[i]!));
    } else {
      const start = options.from === undefined ? 0 : Number(options.from);
      for (let i = Math.max(start, 0); i < events.length && out.length < limit; i++) out.push(this.record(events[i]!));
    }
    return out;
  }

  readAllNow(options: ReadAllOptions = {}): ReadPage {
    return this.page(this.log, options);
  }

  readCategoryNow(category: string, options: ReadAllOptions = {}): ReadPage {
    return this.page(this.byCategory.get(category) ?? [], options);
  }

  readCheckpointNow(name: string): Cursor | undefined {
    this.assertOpen();
    return this.checkpoints.get(name);
  }

  writeCheckpointNow(name: string, cursor: Cursor): void {
    this.assertOpen();
    positionOf(cursor);
    this.checkpoints.set(name, cursor);
  }

  verifyStreamNow(stream: string): VerifyResult {
    const verifier = new ChainVerifier(stream);
    for (const stored of this.streams.get(stream) ?? []) {
      const broken = verifier.check({ ...this.raw(stored), revision: stored.revision, hash: this.hashOf(stored) });
      if (broken) return { ok: false, stream, ...broken };
    }
    return { ok: true, stream, events: verifier.events, headHash: verifier.headHash };
  }

  /** Events after `from` in `events` (ascending positions), at most `limit`. */
  private page(events: readonly StoredEvent[], options: ReadAllOptions): ReadPage {
    this.assertOpen();
    const from = options.from ?? START;
    const after = positionOf(from);
    const limit = pageSize(options.limit);
    // Binary search: the first event after the cursor.
    let low = 0;
    let high = events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (events[middle]!.position <= after) low = middle + 1;
      else high = middle;
    }
    const slice = events.slice(low, low + limit).map((stored) => this.record(stored));
    return { events: slice, next: slice.length === 0 ? from : slice[slice.length - 1]!.cursor, isEnd: slice.length < limit };
  }

  /** Why an append did not happen, as `classify_append_conflict` tells it. */
  private classifyConflict(stream: string, expected: AppendOptions['expectedRevision'], ids: readonly string[]): AppendResult {
    const found = ids.map((id) => this.byId.get(id));
    if (found.some((stored) => stored !== undefined)) {
      const first = found[0];
      const consecutive =
        first !== undefined &&
        found.every(
          (stored, index) => stored !== undefined && stored.stream === stream && stored.revision === first.revision + BigInt(index),
        );
      const inPlace =
        first !== undefined &&
        (expected === 'any' ||
          (expected === 'no_stream' && first.revision === 0n) ||
          (expected === 'stream_exists' && first.revision > 0n) ||
          (typeof expected === 'bigint' && first.revision === expected + 1n));
      if (consecutive && inPlace) {
        const last = found[found.length - 1]!;
        return {
          stream,
          firstRevision: first.revision,
          lastRevision: last.revision,
          firstPosition: first.position,
          lastPosition: last.position,
          duplicate: true,
        };
      }
      throw new EventIdConflict(stream, ids, 'the ids are stored in another stream, at other revisions, or only some of them exist');
    }
    const events = this.streams.get(stream);
    const actual = events === undefined || events.length === 0 ? 'no_stream' : events[events.length - 1]!.revision;
    throw new WrongExpectedRevision(stream, expected, actual);
  }

  private raw(stored: StoredEvent): { id: string; stream: string; type: string; data: Record<string, unknown>; metadata: EventMetadata } {
    return {
      id: stored.id,
      stream: stored.stream,
      type: stored.type,
      data: JSON.parse(stored.data) as Record<string, unknown>,
      metadata: JSON.parse(stored.metadata) as EventMetadata,
    };
  }

  private record(stored: StoredEvent): RecordedEvent {
    const raw = this.raw(stored);
    const upcast = this.upcasters.upcast({ type: raw.type, data: raw.data, metadata: raw.metadata });
    const hashOf = () => this.hashOf(stored);
    const record = {
      id: stored.id,
      stream: stored.stream,
      revision: stored.revision,
      position: stored.position,
      cursor: stored.position.toString(),
      type: upcast.type,
      data: upcast.data,
      metadata: upcast.metadata,
      recordedAt: new Date(stored.recordedAt),
    };
    // The link is computed when someone reads it (enumerable, like the other fields).
    return Object.defineProperty(record, 'hash', { get: hashOf, enumerable: true }) as RecordedEvent;
  }

  /** The stream's links up to `stored`, computed in order from the last one known. */
  private hashOf(stored: StoredEvent): string {
    if (stored.hash !== undefined) return stored.hash;
    const events = this.streams.get(stored.stream)!;
    let index = Number(stored.revision);
    while (index > 0 && events[index - 1]!.hash === undefined) index -= 1;
    let previous = index === 0 ? genesisHash() : Buffer.from(events[index - 1]!.hash!, 'hex');
    for (; index <= Number(stored.revision); index++) {
      const event = events[index]!;
      previous = eventHash(previous, event.revision, this.raw(event));
      event.hash = previous.toString('hex');
    }
    return stored.hash!;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the memory event store is closed');
  }
}

function positionOf(cursor: Cursor): bigint {
  if (cursor === START) return 0n;
  if (!CURSOR.test(cursor)) throw new InvalidCursor(cursor, `"${START}" or a position`);
  return BigInt(cursor);
}
