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
   * Where the checkpoint lives; it must be written through the projection's own connection, so a
   * `PostgresCheckpointStore` on `pool`'s database (or the store itself when they share a database).
   */
  checkpoints?: CheckpointStore;
  /** Applies one event to the projection's tables, on the batch's transaction. */
  apply(client: PoolClient, event: RecordedEvent): Promise<void>;
  onError?(error: unknown): void;
}

/**
 * Feeds a PostgreSQL projection from a catch-up subscription with exactly-once effect: each batch
 * of events and the checkpoint after it are committed in one transaction, so a crash either keeps
 * both or neither, and the batch is simply handled again.
 */
export function startTransactionalProjection(options: TransactionalProjectionOptions): Subscription {
  const checkpoints = options.checkpoints ?? options.store;
  return options.store.subscribe({
    name: options.name,
    category: options.category,
    batchSize: options.batchSize,
    pollIntervalMs: options.pollIntervalMs,
    checkpoint: 'manual',
    checkpoints,
    // One writer per projection across replicas: two would apply the same batch twice.
    exclusive: true,
    onError: options.onError,
    handle: (events, context) =>
      inTransaction(options.pool, async (client) => {
        for (const event of events) await options.apply(client, event);
        await checkpoints.writeCheckpoint(options.name, context.cursor, { client });
      }),
  });
}
