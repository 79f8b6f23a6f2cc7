import type { Pool } from 'pg';
import { assertSchemaName } from './schema';

/** Transaction ids burnt per statement while advancing the counter (one transaction of that many subtransactions). */
const BURN_BATCH = 100_000;
/** An advance beyond this is refused: it would take hours; restore such a ledger physically instead. */
const MAX_ADVANCE = 500_000_000n;

export interface TransactionIdAdvance {
  /** The highest `transaction_id` of the events of the schemas. */
  highestEventTransaction: bigint;
  /** The server's next transaction id before and after. */
  before: bigint;
  after: bigint;
}

/**
 * The fix-up a logical restore (`pg_dump` into another server) needs before the event store is
 * served again. Each event keeps the 64-bit id of the transaction that appended it, and readers take
 * only events whose transaction is below the oldest one still running (`pg_snapshot_xmin`), which is
 * what makes them see appends in commit order. A new server's counter starts low, so every restored
 * event looks as if it had not committed yet: readers, subscriptions, the relay and the projector
 * would see nothing. This advances the server's counter past the highest restored id, by running
 * subtransactions that each take an id (about a million a few seconds), so the restored history is
 * visible again, in its original order, and new appends sort after it. A counter in another epoch
 * (the source server had used over four billion ids) cannot be reached this way: restore physically.
 */
export async function advanceTransactionIds(pool: Pool, schemas: readonly string[]): Promise<TransactionIdAdvance> {
  let highest = 0n;
  for (const schema of schemas) {
    assertSchemaName(schema);
    const { rows } = await pool.query<{ max: string | null }>(`SELECT max(transaction_id)::text AS max FROM ${schema}.events`);
    if (rows[0]?.max) highest = BigInt(rows[0].max) > highest ? BigInt(rows[0].max) : highest;
  }
  const next = async () => BigInt((await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid);
  const before = await next();
  if (highest < before) return { highestEventTransaction: highest, before, after: before };
  if (highest >> 32n !== before >> 32n || highest - before > MAX_ADVANCE)
    throw new Error(
      `the events were appended by transaction ${highest}, this server is at ${before}: too far to advance; restore the ledger from a physical backup`,
    );
  const client = await pool.connect();
  try {
    await client.query('CREATE TEMP TABLE IF NOT EXISTS transaction_id_burner (n integer)');
    for (let current = before; current <= highest; current = await next()) {
      const count = Number(highest - current + 1n < BigInt(BURN_BATCH) ? highest - current + 1n : BigInt(BURN_BATCH));
      // Each BEGIN … EXCEPTION block is a subtransaction, and its insert gives it an id of its own.
      await client.query(
        `DO $$ BEGIN FOR i IN 1..${count} LOOP BEGIN INSERT INTO transaction_id_burner VALUES (i); EXCEPTION WHEN OTHERS THEN RAISE; END; END LOOP; END $$`,
      );
      await client.query('TRUNCATE transaction_id_burner');
    }
  } finally {
    client.release();
  }
  return { highestEventTransaction: highest, before, after: await next() };
}
