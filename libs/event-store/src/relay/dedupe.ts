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
/** Rows one `ProcessedEvents.prune` statement deletes at most. */
export const PRUNE_BATCH_ROWS = 10_000;

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
    // Pruning by age reads this index, not the table.
    await client.query(`CREATE INDEX IF NOT EXISTS ${this.table.split('.').pop()}_by_age ON ${this.table} (processed_at)`);
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

  /**
   * Forgets the ids recorded before `before`, at most `batch` rows per statement (bounded work and
   * locks; call it again while it returns `batch`). The retention must outlast any redelivery: an
   * upstream topic is kept 7 days by default, so a retention of weeks never lets an event back in.
   */
  async prune(client: SqlClient, before: Date, batch = PRUNE_BATCH_ROWS): Promise<number> {
    const { rows } = await client.query(
      `WITH old AS (SELECT consumer, event_id FROM ${this.table} WHERE processed_at < $1 LIMIT $2)
       DELETE FROM ${this.table} t USING old WHERE t.consumer = old.consumer AND t.event_id = old.event_id RETURNING 1`,
      [before, batch],
    );
    return rows.length;
  }
}
