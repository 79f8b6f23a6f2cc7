/**
 * The wallet service's own tables, next to its event store in schema `wallet`:
 * - `hold_timers`: the durable expiry timer, one row per open hold (derived from wallet events);
 * - `user_facts`, `user_cards`: what identity and cards events taught us about each user;
 * - `processed_events`: ids of upstream events already applied (durable deduplication).
 * All of it can be rebuilt: the timers from the wallet's own history, the facts by replaying the
 * upstream topics (reset the consumer group).
 */
import type { Pool } from 'pg';
import { PRUNE_BATCH_ROWS, ProcessedEvents, applyMigrations } from '@ledger/event-store';

export const SCHEMA = 'wallet';
export const processedEvents = new ProcessedEvents(`${SCHEMA}.processed_events`);

export async function migrateWalletTables(pool: Pool): Promise<void> {
  await applyMigrations(pool, {
    component: 'wallet-service',
    schema: SCHEMA,
    migrations: [
      {
        version: 1,
        description: 'hold timers, what identity and cards taught the wallet, processed upstream events',
        up: async (client) => {
          await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.hold_timers (
      wallet_id text NOT NULL,
      hold_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (wallet_id, hold_id)
    )`);
          await client.query(`CREATE INDEX IF NOT EXISTS hold_timers_due ON ${SCHEMA}.hold_timers (expires_at)`);
          await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.user_facts (
      user_id text PRIMARY KEY,
      registered boolean NOT NULL DEFAULT false,
      payment_password_set boolean NOT NULL DEFAULT false,
      identity_frozen boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
          // The identity level decides the tier a wallet opens with, and a verification raises it.
          await client.query(`ALTER TABLE ${SCHEMA}.user_facts ADD COLUMN IF NOT EXISTS identity_verified boolean NOT NULL DEFAULT false`);
          await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.user_cards (
      user_id text NOT NULL,
      card_id text NOT NULL,
      PRIMARY KEY (user_id, card_id)
    )`);
          await processedEvents.migrate(client);
        },
      },
      {
        version: 2,
        description: 'processed upstream events by age, so they can be forgotten after their retention',
        up: (client) => processedEvents.migrate(client),
      },
    ],
  });
}

/**
 * How long an upstream event's id is remembered (WALLET_PROCESSED_EVENTS_RETENTION_MS, default 30
 * days): four times the upstream topics' default retention of 7 days, so no event can come back
 * after its id is forgotten.
 */
export const PROCESSED_EVENTS_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** Rows forgotten per run at most (bounded work once an hour); a backlog is worked off over the next runs. */
const PRUNE_BATCHES_PER_RUN = 10;

/** Forgets the processed upstream events older than the retention; returns how many. */
export async function pruneProcessedEvents(pool: Pool, now: Date, retentionMs = PROCESSED_EVENTS_RETENTION_MS): Promise<number> {
  const before = new Date(now.getTime() - retentionMs);
  let forgotten = 0;
  for (let run = 0; run < PRUNE_BATCHES_PER_RUN; run += 1) {
    const batch = await processedEvents.prune(pool, before);
    forgotten += batch;
    if (batch < PRUNE_BATCH_ROWS) break;
  }
  return forgotten;
}
