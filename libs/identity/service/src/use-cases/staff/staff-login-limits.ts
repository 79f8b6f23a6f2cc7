import { instantMs, plusMs, type Instant } from '@ledger/util';
import { fingerprint, type Keyring } from '@ledger/crypto';
import { applyMigrations } from '@ledger/event-store';
import type { Pool } from 'pg';
import { DEFAULT_STAFF_LOGINS_PER_ADDRESS, READ_MODEL_SCHEMA, type StaffLoginLimit } from '../../config';

const TABLE = `${READ_MODEL_SCHEMA}.staff_login_windows`;
const PURPOSE = 'identity:staff-login-address';

/**
 * The staff login's rate limit per client address, held in PostgreSQL so every identity instance,
 * behind every gateway instance, counts the same attempts (the gateway's own limits are per
 * instance, flood guards). A fixed window per address, one upsert per attempt; the address is kept
 * only as a keyed hash (pepper keyring). Windows older than a day are dropped as new ones open.
 */
export class StaffLoginLimits {
  constructor(
    private readonly pool: Pool,
    private readonly pepperKeyring: Keyring,
    private readonly limit: StaffLoginLimit = DEFAULT_STAFF_LOGINS_PER_ADDRESS,
  ) {}

  /** Creates the table if missing (idempotent; concurrent starts are serialized by an advisory lock). */
  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'identity-staff-login-limits',
      schema: READ_MODEL_SCHEMA,
      migrations: [
        {
          version: 1,
          description: 'staff login attempts per address and window',
          up: `CREATE TABLE IF NOT EXISTS ${TABLE} (
            address_hash text NOT NULL,
            window_start timestamptz NOT NULL,
            attempts integer NOT NULL,
            PRIMARY KEY (address_hash, window_start))`,
        },
      ],
    });
  }

  /** Counts one attempt from `address`; the wait before the next is allowed when over the limit, else undefined. */
  async hit(address: string, now: Instant): Promise<{ retryAfterMs: number } | undefined> {
    const windowStartMs = Math.floor(instantMs(now) / this.limit.windowMs) * this.limit.windowMs;
    const { rows } = await this.pool.query<{ attempts: number; opened: boolean }>(
      `INSERT INTO ${TABLE} (address_hash, window_start, attempts) VALUES ($1, $2, 1)
       ON CONFLICT (address_hash, window_start) DO UPDATE SET attempts = ${TABLE}.attempts + 1
       RETURNING attempts, (xmax = 0) AS opened`,
      [fingerprint(PURPOSE, address, this.pepperKeyring), new Date(windowStartMs)],
    );
    const row = rows[0]!;
    if (row.opened) await this.pool.query(`DELETE FROM ${TABLE} WHERE window_start < $1`, [plusMs(now, -24 * 60 * 60_000)]);
    return row.attempts > this.limit.max ? { retryAfterMs: windowStartMs + this.limit.windowMs - instantMs(now) } : undefined;
  }
}
