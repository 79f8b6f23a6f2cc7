import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { ProcessedEvents } from './dedupe';

describe('ProcessedEvents on a real PostgreSQL: exactly once, and bounded by a retention', () => {
  let db: TestDatabase;
  let pool: Pool;
  const processed = new ProcessedEvents('dedupe.processed_events');

  beforeAll(async () => {
    db = await createTestDatabase('dedupe');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await pool.query('CREATE SCHEMA dedupe');
    await processed.migrate(pool);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('records an event once per consumer', async () => {
    const id = randomUUID();
    expect(await processed.markProcessed(pool, 'c1', id)).toBe(true);
    expect(await processed.markProcessed(pool, 'c1', id)).toBe(false);
    expect(await processed.markProcessed(pool, 'c2', id)).toBe(true);
  });

  it('forgets only the ids recorded before the cut-off, in bounded batches', async () => {
    const old = Array.from({ length: 5 }, () => randomUUID());
    for (const id of old) await processed.markProcessed(pool, 'aged', id);
    await pool.query(`UPDATE dedupe.processed_events SET processed_at = now() - interval '40 days' WHERE consumer = 'aged'`);
    const fresh = randomUUID();
    await processed.markProcessed(pool, 'aged', fresh);
    const cutOff = new Date(Date.now() - 30 * 24 * 60 * 60_000);
    expect(await processed.prune(pool, cutOff, 2)).toBe(2);
    expect(await processed.prune(pool, cutOff, 10)).toBe(3);
    expect(await processed.prune(pool, cutOff, 10)).toBe(0);
    expect(await processed.markProcessed(pool, 'aged', fresh)).toBe(false);
    // A forgotten id is taken as new: which is why the retention outlasts any redelivery.
    expect(await processed.markProcessed(pool, 'aged', old[0]!)).toBe(true);
  });
});
