/**
 * One reader per source store: it reads each page of the store once and feeds every live
 * projection of that store.
 *
 * Why: with one catch-up subscription per projection, the four projections of the wallet store
 * would read every page four times, and once caught up each of them would poll the store every
 * interval even when nothing happened.
 *
 * How:
 * - Each page starts at the earliest place any of the reader's projections has been fed to, and
 *   follows the store's global order (only one category when all the projections read the same one).
 * - Each projection gets only the events of its category strictly after its own place. Events at or
 *   before it are in its read model already: a projection ahead of the others (a replay moved its
 *   checkpoint forward) skips them instead of holding the others back or being fed twice.
 * - Each projection commits its batch and its checkpoint in its own fenced transaction
 *   (`LiveProjection.applyBatch`), so a read model and its checkpoint still move together and one
 *   projection's failure rolls back only its own change. The projections of a page run side by side;
 *   the next page is read once all of them are done with this one.
 * - A fence (`CheckpointMoved`) restarts only the fenced projection, from its new checkpoint. If the
 *   replay left it behind the others, the next pages start from there again; the others skip those
 *   events, so they are read again but never applied again.
 * - A projection whose batch fails for another reason stops (reported through `onError`), as one on
 *   its own subscription does; the others carry on.
 * - Once caught up, the reader sleeps until the poll interval passes or `wake()` is called.
 */
import {
  categoryOf,
  DEFAULT_MAX_READ_FAILURES,
  DEFAULT_POLL_INTERVAL_MS,
  MAX_READ_BATCH,
  readRetryDelayMs,
  Wakeup,
  type Cursor,
  type EventStore,
  type ReadPage,
} from '@ledger/event-store';
import { subscriptionEvents, subscriptionPosition } from '@ledger/observability';
import { earliest, isAfter, type CursorOrder } from './cursor-order';
import { CheckpointMoved, DEFAULT_LIVE_BATCH_SIZE, type LiveProjection } from './live';

export interface StoreReaderOptions {
  store: EventStore;
  /** How the store's cursors compare (`cursorOrderFor`). */
  order: CursorOrder;
  /** Every live projection of this store; at least one. */
  projections: readonly LiveProjection[];
  /** Events per page read (1…MAX_READ_BATCH). */
  batchSize?: number;
  /** Longest sleep once caught up before the store is read again. */
  pollIntervalMs?: number;
  maxConsecutiveReadFailures?: number;
  /** A projection stopped: its batch failed, its restarts ran out, or the store could not be read. */
  onError?(projection: string, error: unknown): void;
}

type FeedOutcome = 'fed' | 'restarted' | 'stopped';

export class StoreReader {
  private readonly wakeup = new Wakeup();
  /** The projections still being fed; one leaves when it stops on an error. */
  private readonly active: Set<LiveProjection>;
  /** Read only this category when every projection reads it; else every stream, filtered per projection. */
  private readonly category: string | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxReadFailures: number;
  private stopping = false;
  private running: Promise<void> | undefined;
  /** Pages read from the store since start (for tests and the log). */
  pagesRead = 0;
  private reachedEnd = false;

  constructor(private readonly options: StoreReaderOptions) {
    if (options.projections.length === 0) throw new Error('a store reader needs at least one projection');
    this.batchSize = options.batchSize ?? DEFAULT_LIVE_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_READ_BATCH) {
      throw new Error(`batchSize must be an integer in 1…${MAX_READ_BATCH}, got ${this.batchSize}`);
    }
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.maxReadFailures = options.maxConsecutiveReadFailures ?? DEFAULT_MAX_READ_FAILURES;
    this.active = new Set(options.projections);
    const categories = new Set(options.projections.map((live) => live.projection.category));
    this.category = categories.size === 1 ? [...categories][0] : undefined;
  }

  /** The projections still being fed. */
  get projections(): readonly LiveProjection[] {
    return [...this.active];
  }

  /**
   * The last page read was the store's end: the projections trail the store by at most a poll
   * interval and a page. The invariant checks that judge read models against the clock (holds past
   * expiry, payments without an outcome) wait for it, so a backlog after a restart raises nothing.
   */
  get caughtUp(): boolean {
    return this.reachedEnd;
  }

  /** Loads every projection's checkpoint, then starts reading in the background. */
  async start(): Promise<void> {
    if (this.running) throw new Error('store reader already started');
    for (const live of this.active) await live.load();
    this.running = this.run().catch((error: unknown) => this.stopAll(error));
  }

  /**
   * Ends the sleep after a caught-up read, so that the next page is read now. The one place where a
   * signal that the store has new events (PostgreSQL NOTIFY) plugs in. Calls while a page is being
   * read or applied are not remembered: that page or the next one sees the events anyway.
   */
  wake(): void {
    this.wakeup.wake();
  }

  /** Stops reading and waits for the page in flight (and its transactions) to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeup.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    let readFailures = 0;
    // Unbounded by design (the reader lives as long as the projector), but every turn feeds a page
    // (moving the earliest projection forward), sleeps for the poll interval, restarts a projection
    // (bounded by its `maxRestarts`), stops one, or counts towards the bounded read-failure limit.
    while (!this.stopping && this.active.size > 0) {
      const from = earliest(
        this.options.order,
        [...this.active].map((live) => live.cursor),
      );
      let page: ReadPage;
      try {
        page = await this.read(from);
        readFailures = 0;
      } catch (error) {
        readFailures += 1;
        if (readFailures >= this.maxReadFailures) throw error;
        await this.wakeup.wait(readRetryDelayMs(readFailures));
        continue;
      }
      this.pagesRead += 1;
      if (this.stopping) break;
      const outcomes = await Promise.all([...this.active].map((live) => this.feed(live, page)));
      this.reachedEnd = page.isEnd && !outcomes.includes('restarted');
      // A projection restarted by a fence may need earlier pages again: read them now, not after a sleep.
      if (page.isEnd && !outcomes.includes('restarted') && !this.stopping) await this.wakeup.wait(this.pollIntervalMs);
    }
  }

  private read(from: Cursor): Promise<ReadPage> {
    const options = { from, limit: this.batchSize };
    return this.category === undefined ? this.options.store.readAll(options) : this.options.store.readCategory(this.category, options);
  }

  /** Hands one projection its share of the page: its category, after its own place. */
  private async feed(live: LiveProjection, page: ReadPage): Promise<FeedOutcome> {
    const { order } = this.options;
    const category = live.projection.category;
    const events = page.events.filter(
      (event) => (category === undefined || categoryOf(event.stream) === category) && isAfter(order, event.cursor, live.cursor),
    );
    if (events.length === 0) {
      // Nothing of its own up to the page's end: no transaction, only the place moves (if forward).
      if (isAfter(order, page.next, live.cursor)) live.skipTo(page.next);
      return 'fed';
    }
    try {
      await live.applyBatch(events, page.next);
      // Per batch, never per event: where the projection is, as for the store's own subscriptions.
      subscriptionPosition.labels(live.projection.name).set(Number(events[events.length - 1]!.position));
      subscriptionEvents.labels(live.projection.name).inc(events.length);
      return 'fed';
    } catch (error) {
      if (error instanceof CheckpointMoved && live.restartFrom(error)) return 'restarted';
      this.active.delete(live);
      this.options.onError?.(live.projection.name, error);
      return 'stopped';
    }
  }

  /** The store could not be read (the read-failure limit was reached): every projection stops. */
  private stopAll(error: unknown): void {
    for (const live of this.active) this.options.onError?.(live.projection.name, error);
    this.active.clear();
  }
}
