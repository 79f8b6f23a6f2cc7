import type { SqlClient } from '../port';

/**
 * Remembers the most recent event ids a consumer has seen, to drop the duplicates that
 * at-least-once delivery produces (a relay re-sending its last batch, a consumer re-reading after
 * a rebalance). Bounded: beyond `capacity` the oldest ids are forgotten, so it suits consumers
 * whose effects are idempotent anyway and only want to skip needless work. Consumers whose effect
 * must happen exactly once record ids durably with `ProcessedEvents`, in the same transaction.
 */
export class RecentEventIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 100_000) {
    if (capacity < 1) throw new Error('capacity must be at least 1');
  }

  /** True the first time an id is seen (within the remembered window), false for a duplicate. */
  firstSeen(eventId: string): boolean {
    if (this.ids.has(eventId)) return false;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return true;
  }
}

/**
 * Durable deduplication: a consumer records each event id in the same database transaction as the
 * effect of handling it; a re-delivered event then finds its id and is skipped, so the effect
 * happens exactly once however often the event arrives.
 */
export class ProcessedEvents {
  constructor(private readonly table = 'processed_events') {
    if (!/^[a-z_][a-z0-9_.]*$/i.test(table)) throw new Error(`invalid table name ${table}`);
  }

  /** Creates the table if missing. */
  async migrate(client: SqlClient): Promise<void> {
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`);
  }

  /**
   * Records that `consumer` handled `eventId`; false when it already had. Call it inside the
   * transaction that applies the event's effect, and skip the effect when it returns false.
   */
  async markProcessed(client: SqlClient, consumer: string, eventId: string): Promise<boolean> {
    const { rows } = await client.query(
      `INSERT INTO ${this.table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, eventId],
    );
    return rows.length === 1;
  }
}
