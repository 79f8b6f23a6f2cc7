import { Keyring } from '@ledger/crypto';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { Pool } from 'pg';
import { StaffLoginLimits } from './staff-login-limits';

jest.setTimeout(60_000);

let db: TestDatabase;
const pools: Pool[] = [];

beforeAll(async () => {
  db = await createTestDatabase('identity_staff_limits');
});

afterAll(async () => {
  for (const pool of pools) await pool.end();
  await db?.drop();
});

/** One identity instance's limiter, on a pool of its own. */
function instance(pepper: Keyring): StaffLoginLimits {
  const pool = new Pool({ connectionString: db.url, max: 2 });
  pools.push(pool);
  return new StaffLoginLimits(pool, pepper, { max: 3, windowMs: 60_000 });
}

describe('staff login attempts per client address (PostgreSQL, shared by every instance)', () => {
  it('counts the attempts of two instances together, says how long to wait past the limit, and opens a new window later', async () => {
    const pepper = Keyring.generate(['p1']);
    const [a, b] = [instance(pepper), instance(pepper)];
    await Promise.all([a.migrate(), b.migrate()]);
    const t0 = '2026-12-07T09:00:10.000Z';
    expect(await a.hit('203.0.113.7', t0)).toBeUndefined();
    expect(await b.hit('203.0.113.7', t0)).toBeUndefined();
    expect(await a.hit('203.0.113.7', t0)).toBeUndefined();
    // The fourth attempt, through the other instance: refused until the window ends (50 s later).
    expect(await b.hit('203.0.113.7', t0)).toEqual({ retryAfterMs: 50_000 });
    expect(await a.hit('198.51.100.1', t0)).toBeUndefined();
    expect(await a.hit('203.0.113.7', '2026-12-07T09:01:00.000Z')).toBeUndefined();
    // The address is kept as a keyed hash only.
    const { rows } = await pools[0]!.query<{ address_hash: string }>('SELECT address_hash FROM identity_read.staff_login_windows');
    expect(rows.length).toBe(3);
    expect(rows.map((row) => row.address_hash).join(' ')).not.toMatch(/203\.0\.113|198\.51\.100/);
  });
});
