/**
 * A projection kept live by a catch-up subscription, with exactly-once effect: each batch's
 * read-model change and the checkpoint after it commit in one TypeORM transaction.
 *
 * Fencing against a replay: the batch transaction first locks its checkpoint row (`FOR UPDATE`) and
 * checks it still holds the cursor this subscription last wrote. A replay that swapped in a rebuilt
 * table moved the checkpoint under the same lock, so the batch sees a different cursor, rolls back,
 * and the subscription restarts from the new checkpoint. Both sides take the checkpoint lock
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

export interface LiveProjectionOptions {
  dataSource: DataSource;
  store: EventStore;
  projection: Projection;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Restarts after a fence (a replay swapped the read model); bounded per process life. */
  maxRestarts?: number;
  onError?(error: unknown): void;
}

export class LiveProjection {
  private subscription: Subscription | undefined;
  private expected: Cursor = START;
  private stopped = false;
  private restarts = 0;
  private running: Promise<void> | undefined;
  /** Events applied since start (for tests and the log). */
  applied = 0;

  constructor(private readonly options: LiveProjectionOptions) {}

  get cursor(): Cursor {
    return this.expected;
  }

  async start(): Promise<void> {
    await ensureCheckpoint(this.options.dataSource, this.options.projection.name);
    this.subscribe();
  }

  private subscribe(): void {
    const { projection, dataSource, store } = this.options;
    const checkpoints: CheckpointStore = {
      readCheckpoint: async (name) => {
        const cursor = await readCheckpoint(dataSource, name);
        this.expected = cursor ?? START;
        return cursor;
      },
      writeCheckpoint: () => Promise.reject(new Error('the projector writes its checkpoints in its own transaction')),
    };
    const subscription = store.subscribe({
      name: projection.name,
      category: projection.category,
      batchSize: this.options.batchSize ?? 1000,
      pollIntervalMs: this.options.pollIntervalMs,
      checkpoint: 'manual',
      checkpoints,
      handle: (events, context) => this.handleBatch(events, context.cursor),
    });
    this.subscription = subscription;
    this.running = subscription.done.catch((error: unknown) => {
      if (this.stopped) return;
      if (error instanceof CheckpointMoved && this.restarts < (this.options.maxRestarts ?? 1000)) {
        this.restarts += 1;
        this.subscribe();
        return;
      }
      this.options.onError?.(error);
    });
  }

  private async handleBatch(events: RecordedEvent[], next: Cursor): Promise<void> {
    const { projection, dataSource } = this.options;
    await dataSource.transaction(async (manager) => {
      const current = (await readCheckpoint(manager, projection.name, true)) ?? START;
      if (current !== this.expected) throw new CheckpointMoved(projection.name, this.expected, current);
      await projection.applyBatch(sqlOn(manager), events, liveTableNames(projection));
      await writeCheckpoint(manager, projection.name, next);
    });
    this.expected = next;
    this.applied += events.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.running;
  }
}

/** Resolves once the projection's checkpoint has reached the end of its source (tests, CLIs). */
export async function waitUntilCaughtUp(live: LiveProjection, store: EventStore, projection: Projection, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await (projection.category ? store.readCategory(projection.category, { from: live.cursor, limit: 1 }) : store.readAll({ from: live.cursor, limit: 1 }));
    if (page.events.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${projection.name} did not catch up within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
