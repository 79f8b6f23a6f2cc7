import { applyMigrations } from '@ledger/event-store';
import { paymentsContract } from '@ledger/contracts';
import type { Pool } from 'pg';
import { TIMERS_SCHEMA } from './payment-timers';

const TABLE = `${TIMERS_SCHEMA}.provider_callback_nonces`;
/**
 * A nonce is kept twice the window: a callback older than the window is refused as stale anyway, so
 * a forgotten nonce can never be replayed; the margin covers clocks that disagree.
 */
export const NONCE_RETENTION_MS = 2 * paymentsContract.PROVIDER_CALLBACK_WINDOW_MS;

/**
 * The nonces of the provider callbacks seen, so a copied callback is refused within its window
 * (`CALLBACK_REPLAYED`). Shared by every payments instance through PostgreSQL; bounded by pruning
 * nonces older than NONCE_RETENTION_MS. The command id is kept with the nonce: the same command
 * delivered twice (a broker redelivery, the gateway's retry) is the same callback, not a replay.
 */
export class ProviderCallbackNonces {
  constructor(private readonly pool: Pool) {}

  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'payments-callback-nonces',
      schema: TIMERS_SCHEMA,
      migrations: [
        {
          version: 1,
          description: "the provider callbacks' nonces, by when they were seen",
          up: `CREATE TABLE IF NOT EXISTS ${TABLE} (
            provider text NOT NULL,
            nonce text NOT NULL,
            command_id text NOT NULL,
            seen_at timestamptz NOT NULL,
            PRIMARY KEY (provider, nonce));
          CREATE INDEX IF NOT EXISTS provider_callback_nonces_seen ON ${TABLE} (seen_at)`,
        },
      ],
    });
  }

  /** Records the nonce; false when another command already used it (a replay). */
  async firstUse(provider: string, nonce: string, commandId: string, seenAt: Date): Promise<boolean> {
    const { rows } = await this.pool.query<{ command_id: string }>(
      `INSERT INTO ${TABLE} (provider, nonce, command_id, seen_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, nonce) DO UPDATE SET provider = EXCLUDED.provider
       RETURNING command_id`,
      [provider, nonce, commandId, seenAt],
    );
    return rows[0]?.command_id === commandId;
  }

  /** Forgets the nonces older than the retention; returns how many. */
  async prune(now: Date): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${TABLE} WHERE seen_at < $1`, [new Date(now.getTime() - NONCE_RETENTION_MS)]);
    return rowCount ?? 0;
  }
}
