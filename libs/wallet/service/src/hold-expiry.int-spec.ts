import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { RecordedEvent } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { WALLET_EVENT } from '@ledger/wallet-domain';
import { applyToTimers } from './hold-expiry';
import { migrateWalletTables } from './wallet-db';

/** Just what the timer writer reads of a wallet event. */
const event = (type: string, walletId: string, holdId: string, expiresAt?: string) =>
  ({ type, data: { walletId, holdId, ...(expiresAt ? { expiresAt } : {}) } }) as unknown as RecordedEvent;

describe('the hold timers, written a batch at a time', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('hold-timers');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await migrateWalletTables(pool);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const timers = async (walletId: string) =>
    (
      await pool.query<{ hold_id: string }>('SELECT hold_id FROM wallet.hold_timers WHERE wallet_id = $1 ORDER BY hold_id', [walletId])
    ).rows.map((row) => row.hold_id);

  it('keeps a timer for each hold whose last word in the batch is its reservation, and none for a hold closed in the same batch', async () => {
    const walletId = randomUUID();
    const expiresAt = '2026-12-07T12:00:00.000Z';
    await applyToTimers(pool, [
      event(WALLET_EVENT.FundsReserved, walletId, 'a', expiresAt),
      event(WALLET_EVENT.FundsReserved, walletId, 'b', expiresAt),
      event(WALLET_EVENT.HoldCaptured, walletId, 'b'),
      event(WALLET_EVENT.FundsReserved, walletId, 'c', expiresAt),
    ]);
    expect(await timers(walletId)).toEqual(['a', 'c']);
    // A later batch closes holds of earlier ones; the same batch again changes nothing.
    const later = [
      event(WALLET_EVENT.HoldExpired, walletId, 'a'),
      event(WALLET_EVENT.HoldReleased, walletId, 'c'),
      event(WALLET_EVENT.FundsReserved, walletId, 'd', expiresAt),
    ];
    await applyToTimers(pool, later);
    await applyToTimers(pool, later);
    expect(await timers(walletId)).toEqual(['d']);
    const { rows } = await pool.query<{ expires_at: Date }>('SELECT expires_at FROM wallet.hold_timers WHERE wallet_id = $1', [walletId]);
    expect(rows[0]!.expires_at.toISOString()).toBe(expiresAt);
  });
});
