import type { Pool, PoolClient } from 'pg';
import type { CheckpointStore, EventStore, RecordedEvent, Subscription } from '../port';

/** Runs `work` in one transaction on one pooled connection; rolls back when it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * `work` in one transaction that first takes the advisory lock `lockId` (released at commit): how a
 * service creates its tables when several instances start at once, one after the other.
 */
export function inTransactionUnderLock<T>(pool: Pool, lockId: number, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [lockId]);
    return work(client);
  });
}

export interface TransactionalProjectionOptions {
  store: EventStore;
  /** The database of the projection's tables (and, by default, of its checkpoint). */
  pool: Pool;
  /** Names the subscription and its checkpoint. */
  name: string;
  category?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * The subscription's batch window. A projection nobody waits on (a timer table, a list a user
   * reloads) may take `followerPacing()`; one a command looks things up in (a user found by phone for
   * a transfer) keeps the short default.
   */
  batchWindowMs?: number;
  /**
   * Where the checkpoint lives; it must be written through the projection's own connection, so a
   * `PostgresCheckpointStore` on `pool`'s database (or the store itself when they share a database).
   */
  checkpoints?: CheckpointStore;
  onError?(error: unknown): void;
}

/**
 * How the events reach the tables, on the batch's transaction: one at a time, or the whole batch
 * at once (a projection that writes a batch with one statement per table instead of one per event:
 * fewer round trips to the database, which is what a busy projection spends its time on).
 */
export type ProjectionWriter =
  | { apply(client: PoolClient, event: RecordedEvent): Promise<void>; applyBatch?: never }
  | { applyBatch(client: PoolClient, events: readonly RecordedEvent[]): Promise<void>; apply?: never };

/**
 * Feeds a PostgreSQL projection from a catch-up subscription with exactly-once effect: each batch
 * of events and the checkpoint after it are committed in one transaction, so a crash either keeps
 * both or neither, and the batch is simply handled again.
 */
export function startTransactionalProjection(options: TransactionalProjectionOptions & ProjectionWriter): Subscription {
  const checkpoints = options.checkpoints ?? options.store;
  return options.store.subscribe({
    name: options.name,
    category: options.category,
    batchSize: options.batchSize,
    pollIntervalMs: options.pollIntervalMs,
    batchWindowMs: options.batchWindowMs,
    checkpoint: 'manual',
    checkpoints,
    // One writer per projection across replicas: two would apply the same batch twice.
    exclusive: true,
    onError: options.onError,
    handle: (events, context) =>
      inTransaction(options.pool, async (client) => {
        if (options.applyBatch) await options.applyBatch(client, events);
        else for (const event of events) await options.apply(client, event);
        await checkpoints.writeCheckpoint(options.name, context.cursor, { client });
      }),
  });
}
