/**
 * After a logical restore (`pg_dump` / `pg_restore` into another server), before any service starts:
 * advances the server's transaction counter past every event store's newest event, so the restored
 * events are visible to readers again (see `advanceTransactionIds`). Not needed after a physical
 * restore (`npm run restore`).
 *
 *   DATABASE_URL=postgres://… npm run restore:after-dump
 */
import { Pool } from 'pg';
import { advanceTransactionIds } from '../postgres/transaction-ids';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    // Every schema holding an event store: an `events` table with transaction ids.
    const { rows } = await pool.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.columns
       WHERE table_name = 'events' AND column_name = 'transaction_id' ORDER BY table_schema`,
    );
    const schemas = rows.map((row) => row.schema);
    const advance = await advanceTransactionIds(pool, schemas);
    console.log(
      `event stores ${schemas.join(', ') || '(none)'}: newest event by transaction ${advance.highestEventTransaction}; ` +
        `the server's counter went from ${advance.before} to ${advance.after}`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(`restore:after-dump failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
