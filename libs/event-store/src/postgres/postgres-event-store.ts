import { Client, Pool, type ClientBase, type PoolClient, type PoolConfig } from 'pg';
import { ChainVerifier, contentDigest, type StoredLink } from '../hash-chain';
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
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitLimits } from '@ledger/util';
import { eventStoreAppendDuration, eventStoreAppendEvents, eventStoreGroupCommitAppends } from '@ledger/observability';
import { UpcasterRegistry } from '../upcasters';
import { assertExpectedRevision, assertNewEvents, assertStreamName, pageSize } from '../validation';
import { decodePostgresCursor, encodePostgresCursor } from './cursor';
import { appendOutcome, commitGroup, isUniqueViolation, tryAppend, type QueuedAppend } from './postgres-append';
import { startExclusiveSubscription } from './exclusive-subscription';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { assertSchemaName, migrate } from './schema';
import { statements, storedLinkOf, type AppendRow, type EventRow } from './postgres-statements';

export interface PostgresEventStoreOptions {
  /** `postgres://…`; ignored when `pool` is given. */
  connectionString?: string;
  /** A pool owned by the caller (then `close()` leaves it open). */
  pool?: Pool;
  /** Schema holding the store's tables; defaults to `event_store`. */
  schema?: string;
  /** Pool size when the store creates its own pool; defaults to 10. */
  maxConnections?: number;
  upcasters?: UpcasterRegistry;
  /** Bound on a `readStream` without `limit`; a longer stream is an error, not a silent truncation. */
  maxStreamReadEvents?: number;
  /** Extra pool settings (timeouts, SSL) when the store creates its own pool. */
  poolConfig?: PoolConfig;
  /** Told about an idle pooled connection that broke (server restart, admin kill); the pool replaces it. */
  onConnectionError?: (error: Error) => void;
  /** Bounds of the group commit of exact and 'no_stream' appends (`GroupCommit` in `@ledger/util`). */
  groupCommit?: Partial<GroupCommitLimits>;
}

export interface PostgresAppendOptions extends AppendOptions {
  /**
   * Append inside the caller's open transaction on this client (committed or rolled back by the
   * caller). The stream's lock is then held until that transaction ends. The transaction must not
   * have written anything before this call: its transaction id would be older than the stream lock,
   * and subscribers could then see this stream's events out of revision order.
   */
  client?: ClientBase;
}

const DEFAULT_MAX_STREAM_READ_EVENTS = 100_000;
const MAX_APPEND_ATTEMPTS = 10;
/** How often a standby replica of an exclusive subscription tries to take over (the takeover delay after a crash). */
const EXCLUSIVE_STANDBY_POLL_MS = 1_000;
const VERIFY_PAGE_SIZE = 1000;
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * The default event store: PostgreSQL, one table, one append function.
 *
 * - Exact and 'no_stream' appends (the command handlers' case) go through the group commit: the
 *   appends that arrive while a commit is in flight are written by the next one, all in one call
 *   of the plpgsql function `append_streams` (one transaction), each with its own expected revision.
 *   An append alone is a prepared INSERT … SELECT that checks the expected revision and chains the
 *   hashes. 'any' and 'stream_exists' appends, and appends in a caller's transaction, go one by
 *   one through `append_events`. A retry or a conflict costs a second round trip to
 *   `classify_append_conflict`, which tells a duplicate from a real conflict.
 * - Global reads page by the `(transaction_id, position)` cursor (see `cursor.ts` for why) in
 *   keyset order with large pages, through prepared statements.
 * - Subscriptions poll; an append through this instance wakes its local subscriptions at once.
 *   (LISTEN/NOTIFY was left out on purpose: NOTIFY takes a database-wide lock at commit, which
 *   would serialize every concurrent append.)
 */
export class PostgresEventStore implements EventStore {
  readonly upcasters: UpcasterRegistry;
  readonly schema: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly checkpointStore: PostgresCheckpointStore;
  private readonly wakeup = new Wakeup();
  private readonly maxStreamReadEvents: number;
  private readonly subscriptions = new Set<Subscription>();
  private initialized?: Promise<void>;
  private readonly sql: ReturnType<typeof statements>;
  private readonly groupCommit: GroupCommit<QueuedAppend, AppendRow | undefined>;
  /** This store's series of the append metrics, looked up once (an append then costs two observations). */
  private readonly appendSeconds: ReturnType<typeof eventStoreAppendDuration.labels>;
  private readonly appendEvents: ReturnType<typeof eventStoreAppendEvents.labels>;

  constructor(options: PostgresEventStoreOptions) {
    this.schema = options.schema ?? 'event_store';
    assertSchemaName(this.schema);
    if (!options.pool && !options.connectionString) throw new Error('PostgresEventStore needs a connectionString or a pool');
    this.pool =
      options.pool ?? new Pool({ ...options.poolConfig, connectionString: options.connectionString, max: options.maxConnections ?? 10 });
    this.ownsPool = !options.pool;
    // Without a listener, an idle connection killed by the server would crash the process.
    if (this.ownsPool) this.pool.on('error', (error) => options.onConnectionError?.(error));
    this.upcasters = options.upcasters ?? new UpcasterRegistry();
    this.maxStreamReadEvents = options.maxStreamReadEvents ?? DEFAULT_MAX_STREAM_READ_EVENTS;
    this.checkpointStore = new PostgresCheckpointStore(this.pool, this.schema);
    this.sql = statements(this.schema);
    this.appendSeconds = eventStoreAppendDuration.labels(this.schema);
    this.appendEvents = eventStoreAppendEvents.labels(this.schema);
    const groupSizes = eventStoreGroupCommitAppends.labels(this.schema);
    this.groupCommit = new GroupCommit({
      commit: (appends) => {
        groupSizes.observe(appends.length);
        return commitGroup(this.pool, this.sql, appends);
      },
      keyOf: (append) => append.stream,
      sizeOf: (append) => ({ events: append.batch.ids.length, bytes: append.bytes }),
      limits: { ...DEFAULT_GROUP_COMMIT, ...options.groupCommit },
    });
  }

  init(): Promise<void> {
    this.initialized ??= this.withClient((client) => migrate(client, this.schema)).then(
      () => undefined,
      (error: unknown) => {
        // Let the next call try again (the database may have been unreachable for a moment).
        this.initialized = undefined;
        throw error;
      },
    );
    return this.initialized;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    if (this.ownsPool) await this.pool.end();
  }

  async append(stream: string, events: readonly NewEvent[], options: PostgresAppendOptions): Promise<AppendResult> {
    const startedAt = performance.now();
    const result = await this.appendUnmeasured(stream, events, options);
    this.appendSeconds.observe((performance.now() - startedAt) / 1_000);
    this.appendEvents.observe(events.length);
    return result;
  }

  private async appendUnmeasured(stream: string, events: readonly NewEvent[], options: PostgresAppendOptions): Promise<AppendResult> {
    assertStreamName(stream);
    assertNewEvents(events);
    const { expectedRevision } = options;
    assertExpectedRevision(expectedRevision);
    await this.init();
    const ids: string[] = [];
    const types: string[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const digests: string[] = [];
    let bytes = 0;
    for (const event of events) {
      ids.push(event.id);
      types.push(event.type);
      const dataText = JSON.stringify(event.data);
      const metadataText = JSON.stringify(event.metadata);
      data.push(dataText);
      metadata.push(metadataText);
      bytes += dataText.length + metadataText.length;
      digests.push(contentDigest({ id: event.id, stream, type: event.type, data: event.data, metadata: event.metadata }).toString('hex'));
    }
    const expectedKind = typeof expectedRevision === 'bigint' ? 'revision' : expectedRevision;
    const expectedNumber = typeof expectedRevision === 'bigint' ? expectedRevision.toString() : null;
    const classifyValues = [stream, expectedKind, expectedNumber, ids];
    if (!options.client && (expectedKind === 'revision' || expectedKind === 'no_stream')) {
      // An append that was not written (undefined) found the stream elsewhere: ask why, as below.
      const row =
        (await this.groupCommit.write({ stream, expectedNumber, batch: { ids, types, data, metadata, digests }, bytes })) ??
        (await this.pool.query<AppendRow>({ ...this.sql.classifyConflict, values: classifyValues })).rows[0]!;
      return appendOutcome(stream, ids, expectedRevision, row, false, this.wakeup);
    }
    const client = options.client ?? this.pool;
    // Bounded: only an 'any'/'stream_exists' append that lost a race to an unlocked exact append retries.
    for (let attempt = 1; ; attempt++) {
      let row: AppendRow | undefined;
      try {
        row = await tryAppend(client, this.sql, stream, expectedKind, expectedNumber, { ids, types, data, metadata, digests });
      } catch (error) {
        // Another writer committed the same revision or the same event ids first (the unique indexes
        // decide races). The classification below runs on a connection of the store's own, since a
        // caller's transaction is aborted by now.
        if (!isUniqueViolation(error)) throw error;
        row = (await this.pool.query<AppendRow>({ ...this.sql.classifyConflict, values: classifyValues })).rows[0]!;
        const lostRaceForAny =
          row.status === 'wrong_expected_revision' &&
          (expectedRevision === 'any' || (expectedRevision === 'stream_exists' && row.actual_revision !== null));
        if (lostRaceForAny && !options.client && attempt < MAX_APPEND_ATTEMPTS) continue;
        if (lostRaceForAny) throw error;
      }
      // An exact or 'no_stream' append that inserted nothing found the stream elsewhere: ask why
      // (a retry of an earlier append, reused ids, or a real conflict). Rare, so a second round trip.
      row ??= (await client.query<AppendRow>({ ...this.sql.classifyConflict, values: classifyValues })).rows[0]!;
      return appendOutcome(stream, ids, expectedRevision, row, options.client !== undefined, this.wakeup);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    await this.init();
    const direction = options.direction ?? 'forwards';
    const limit = options.limit === undefined ? this.maxStreamReadEvents + 1 : pageSize(options.limit, options.limit);
    const statement = direction === 'forwards' ? this.sql.readStreamForwards : this.sql.readStreamBackwards;
    const from = options.from ?? (direction === 'forwards' ? 0n : MAX_BIGINT);
    const result = await this.pool.query<EventRow>({ ...statement, values: [stream, from.toString(), limit] });
    if (options.limit === undefined && result.rows.length > this.maxStreamReadEvents) {
      throw new Error(`Stream ${stream} has more than ${this.maxStreamReadEvents} events: read it in pages with { from, limit }`);
    }
    return result.rows.map((row) => this.toRecorded(row));
  }

  readAll(options: ReadAllOptions = {}): Promise<ReadPage> {
    return this.readGlobal(options.from ?? START, pageSize(options.limit), undefined);
  }

  readCategory(category: string, options: ReadAllOptions = {}): Promise<ReadPage> {
    return this.readGlobal(options.from ?? START, pageSize(options.limit), category);
  }

  subscribe(options: SubscribeOptions): Subscription {
    const start = () =>
      startSubscription(
        { read: (from, limit, category) => this.readGlobal(from, limit, category), checkpoints: this, wakeup: this.wakeup },
        options,
      );
    const subscription = options.exclusive
      ? startExclusiveSubscription(options.name, {
          connection: this.pool.options,
          lockName: `${this.schema}/${options.name}`,
          standbyPollMs: EXCLUSIVE_STANDBY_POLL_MS,
          onError: options.onError,
          start,
        })
      : start();
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async readCheckpoint(name: string, options?: CheckpointOptions): Promise<Cursor | undefined> {
    await this.init();
    return this.checkpointStore.readCheckpoint(name, options);
  }

  async writeCheckpoint(name: string, cursor: Cursor, options?: CheckpointOptions): Promise<void> {
    decodePostgresCursor(cursor);
    await this.init();
    await this.checkpointStore.writeCheckpoint(name, cursor, options);
  }

  async verifyStream(stream: string): Promise<VerifyResult> {
    await this.init();
    const verifier = new ChainVerifier(stream);
    let from = 0n;
    // Bounded by the stream length: each page advances `from` by a full page or ends the loop.
    for (;;) {
      const page = await this.readStoredPage(stream, from, VERIFY_PAGE_SIZE);
      for (const link of page) {
        const broken = verifier.check(link);
        if (broken) return { ok: false, stream, ...broken };
      }
      if (page.length < VERIFY_PAGE_SIZE) return { ok: true, stream, events: verifier.events, headHash: verifier.headHash };
      from = page[page.length - 1]!.revision + 1n;
    }
  }

  /** Verifies every stream, one at a time in name order, and stops at the first broken one. */
  async verifyAll(): Promise<VerifyAllResult> {
    await this.init();
    let after = '';
    let streams = 0;
    let events = 0;
    for (;;) {
      const page = await this.pool.query<{ stream: string }>({ ...this.sql.listStreams, values: [after, VERIFY_PAGE_SIZE] });
      for (const { stream } of page.rows) {
        const result = await this.verifyStream(stream);
        if (!result.ok) return result;
        streams += 1;
        events += result.events;
      }
      if (page.rows.length < VERIFY_PAGE_SIZE) return { ok: true, streams, events };
      after = page.rows[page.rows.length - 1]!.stream;
    }
  }

  /**
   * How many committed events come after `from` (of `category`, else all), counting at most `cap`,
   * and when the oldest of them was recorded: how far a follower (the relay) trails the store. Only
   * committed rows are seen, including those a reader still holds back behind an older open
   * transaction. Sampled by the metrics on a timer, never per event.
   */
  async countAfter(from: Cursor, options: { category?: string; cap: number }): Promise<{ events: number; oldestRecordedAt?: Date }> {
    const { transactionId, position } = decodePostgresCursor(from);
    await this.init();
    const byCategory = options.category !== undefined;
    const result = await this.pool.query<{ events: number; oldest_ms: number | null }>(
      `SELECT count(*)::int AS events, (extract(epoch FROM min(recorded_at)) * 1000)::float8 AS oldest_ms
         FROM (SELECT recorded_at FROM ${this.schema}.events
                WHERE (transaction_id, position) > ($1::xid8, $2::bigint) ${byCategory ? 'AND category = $4' : ''}
                ORDER BY transaction_id, position LIMIT $3) AS after`,
      [transactionId.toString(), position.toString(), options.cap, ...(byCategory ? [options.category] : [])],
    );
    const row = result.rows[0];
    return { events: row?.events ?? 0, ...(row?.oldest_ms == null ? {} : { oldestRecordedAt: new Date(row.oldest_ms) }) };
  }

  /**
   * A connection of its own, outside the pool, migrated; the caller ends it. For background work
   * (the signed checkpoints) that must never hold one of the connections the appends wait for.
   */
  async openDedicatedConnection(): Promise<Client> {
    await this.init();
    const client = new Client(this.pool.options);
    // A session killed while idle fails its next query; without a listener it would crash the process.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** Runs `work` on one pooled connection (e.g. a test that needs a transaction of its own). */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  private async readGlobal(from: Cursor, limit: number, category: string | undefined): Promise<ReadPage> {
    const { transactionId, position } = decodePostgresCursor(from);
    await this.init();
    const result =
      category === undefined
        ? await this.pool.query<EventRow>({ ...this.sql.readAll, values: [transactionId.toString(), position.toString(), limit] })
        : await this.pool.query<EventRow>({
            ...this.sql.readCategory,
            values: [category, transactionId.toString(), position.toString(), limit],
          });
    const events = result.rows.map((row) => this.toRecorded(row));
    return { events, next: events.length === 0 ? from : events[events.length - 1]!.cursor, isEnd: events.length < limit };
  }

  private async readStoredPage(stream: string, from: bigint, limit: number): Promise<StoredLink[]> {
    const result = await this.pool.query<EventRow>({ ...this.sql.readStreamForwards, values: [stream, from.toString(), limit] });
    return result.rows.map(storedLinkOf);
  }

  private toRecorded(row: EventRow): RecordedEvent {
    const position = BigInt(row.position);
    const upcast = this.upcasters.upcast({ type: row.type, data: row.data, metadata: row.metadata });
    return {
      id: row.id,
      stream: row.stream,
      revision: BigInt(row.revision),
      position,
      cursor: encodePostgresCursor({ transactionId: BigInt(row.tx_id), position }),
      type: upcast.type,
      data: upcast.data,
      metadata: upcast.metadata,
      recordedAt: new Date(row.recorded_ms),
      hash: row.hash,
    };
  }
}
