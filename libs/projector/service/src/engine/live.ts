/**
 * A projection kept live, with exactly-once effect: each batch's read-model change and the
 * checkpoint after it commit in one TypeORM transaction.
 *
 * Who reads the events is separate from this file's `LiveProjection`: on PostgreSQL one
 * `StoreReader` per source store reads each page once and feeds every projection of that store
 * (`store-reader.ts`); on a store whose cursors the projector does not compare (KurrentDB), each
 * projection follows its own catch-up subscription (`ProjectionSubscription` below).
 *
 * Fencing against a replay: the batch transaction first locks its checkpoint row (`FOR UPDATE`) and
 * checks it still holds the cursor this process last wrote. A replay that swapped in a rebuilt
 * table moved the checkpoint under the same lock, so the batch sees a different cursor, rolls back,
 * and the projection restarts from the new checkpoint. Both sides take the checkpoint lock
 * before touching any table, so they cannot deadlock.
 */
import type { DataSource } from 'typeorm';
import { START, type CheckpointStore, type Cursor, type EventStore, type RecordedEvent, type Subscription } from '@ledger/event-store';
import { liveTableNames, type Projection } from '../projections';
import { ensureCheckpoint, readCheckpoint, sqlOn, writeCheckpoint } from './sql';

export class CheckpointMoved extends Error {
  constructor(
    readonly projection: string,
    readonly expected: Cursor,
    readonly actual: Cursor,
  ) {
    super(`${projection}: checkpoint moved from ${expected} to ${actual} (a replay swapped the read model in); restarting`);
    this.name = 'CheckpointMoved';
  }
}

/** Restarts after a fence, per projection and process life, unless told otherwise. */
export const DEFAULT_MAX_RESTARTS = 1000;
/** Events per read of a live projection's source, unless told otherwise. */
export const DEFAULT_LIVE_BATCH_SIZE = 1000;

export interface LiveProjectionOptions {
  dataSource: DataSource;
  projection: Projection;
  /** Restarts after a fence (a replay swapped the read model); bounded per process life. */
  maxRestarts?: number;
}

/** One projection's place in its source and its fenced batch transaction. */
export class LiveProjection {
  /** The checkpoint as this process last wrote or read it: what the fence expects to find. */
  private expected: Cursor = START;
  /**
   * How far the projection has been fed: its checkpoint, or further when the reader went past
   * events of other categories only (nothing to commit for those, so the checkpoint stays).
   */
  private fed: Cursor = START;
  private restartCount = 0;
  /** Events applied since start (for tests and the log). */
  applied = 0;

  constructor(private readonly options: LiveProjectionOptions) {}

  get projection(): Projection {
    return this.options.projection;
  }

  /** Every event of the projection's category up to this cursor is in its read model. */
  get cursor(): Cursor {
    return this.fed;
  }

  /** Restarts after a fence so far. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Reads the durable checkpoint (creating it at START first, so that it can always be locked). */
  async load(): Promise<Cursor> {
    const { dataSource, projection } = this.options;
    await ensureCheckpoint(dataSource, projection.name);
    const cursor = (await readCheckpoint(dataSource, projection.name)) ?? START;
    this.expected = cursor;
    this.fed = cursor;
    return cursor;
  }

  /**
   * Applies the events and moves the checkpoint to `next` in one transaction, fenced: throws
   * `CheckpointMoved` (and changes nothing) when a replay moved the checkpoint meanwhile.
   */
  async applyBatch(events: readonly RecordedEvent[], next: Cursor): Promise<void> {
    const { projection, dataSource } = this.options;
    await dataSource.transaction(async (manager) => {
      const current = (await readCheckpoint(manager, projection.name, true)) ?? START;
      if (current !== this.expected) throw new CheckpointMoved(projection.name, this.expected, current);
      await projection.applyBatch(sqlOn(manager), events, liveTableNames(projection));
      await writeCheckpoint(manager, projection.name, next);
    });
    this.expected = next;
    this.fed = next;
    this.applied += events.length;
  }

  /**
   * The reader went past `cursor` and no event up to it is this projection's: its place moves, its
   * checkpoint stays (a commit for nothing would cost a transaction). Only the reader, which knows
   * the cursor order, calls this, and only to move forward.
   */
  skipTo(cursor: Cursor): void {
    this.fed = cursor;
  }

  /**
   * After a fence: carry on from where the replay left the checkpoint. Returns false, and changes
   * nothing, once the restarts are used up (a replay loop gone wrong must not spin forever).
   */
  restartFrom(moved: CheckpointMoved): boolean {
    if (this.restartCount >= (this.options.maxRestarts ?? DEFAULT_MAX_RESTARTS)) return false;
    this.restartCount += 1;
    this.expected = moved.actual;
    this.fed = moved.actual;
    return true;
  }
}

export interface ProjectionSubscriptionOptions {
  live: LiveProjection;
  store: EventStore;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?(error: unknown): void;
}

/**
 * One projection following its own catch-up subscription (checkpoint 'manual'): for stores whose
 * cursors the projector cannot compare, so that no reader can be shared between projections.
 */
export class ProjectionSubscription {
  private subscription: Subscription | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ProjectionSubscriptionOptions) {}

  /** Creates the checkpoint row when missing (as the shared reader does), then subscribes. */
  async start(): Promise<void> {
    await this.options.live.load();
    this.subscribe();
  }

  private subscribe(): void {
    const { live, store } = this.options;
    const checkpoints: CheckpointStore = {
      readCheckpoint: () => live.load(),
      writeCheckpoint: () => Promise.reject(new Error('the projector writes its checkpoints in its own transaction')),
    };
    const subscription = store.subscribe({
      name: live.projection.name,
      category: live.projection.category,
      batchSize: this.options.batchSize ?? DEFAULT_LIVE_BATCH_SIZE,
      pollIntervalMs: this.options.pollIntervalMs,
      checkpoint: 'manual',
      checkpoints,
      handle: (events, context) => live.applyBatch(events, context.cursor),
    });
    this.subscription = subscription;
    this.running = subscription.done.catch((error: unknown) => {
      if (this.stopped) return;
      // The new subscription reads the checkpoint again, which is where the replay left it.
      if (error instanceof CheckpointMoved && live.restartFrom(error)) {
        this.subscribe();
        return;
      }
      this.options.onError?.(error);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.running;
  }
}

/** Resolves once the projection's checkpoint has reached the end of its source (tests, CLIs). */
export async function waitUntilCaughtUp(
  live: LiveProjection,
  store: EventStore,
  projection: Projection,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await (projection.category
      ? store.readCategory(projection.category, { from: live.cursor, limit: 1 })
      : store.readAll({ from: live.cursor, limit: 1 }));
    if (page.events.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${projection.name} did not catch up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
