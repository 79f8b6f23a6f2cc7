/**
 * Holds expire on their own at `expiresAt`, through a timer that survives restarts.
 *
 * 1. The timer table is derived from the wallet's own events by a catch-up subscription: a
 *    FundsReserved inserts a row, a HoldCaptured/Released/Expired deletes it. Rows and the
 *    subscription's checkpoint are written in one transaction, so the table is exactly the set of
 *    open holds up to the checkpoint, however often the process crashes. (Deriving it rather than
 *    writing it next to the reservation keeps the command path at one append.)
 * 2. A poller wakes every `pollIntervalMs`, takes at most `batchSize` rows due by the injected
 *    clock, and sends ExpireHold through the decider with a command id derived from the hold, so a
 *    repeat (a crash, a second instance) is answered from the stream and never expires twice. A
 *    capture racing the timer is settled by the stream's expected revision: the loser gets
 *    HOLD_ALREADY_SETTLED and its row is dropped.
 */
import type { Pool } from 'pg';
import { followerPacing, startTransactionalProjection, type EventStore, type RecordedEvent, type Subscription } from '@ledger/event-store';
import { nowInstant, type Clock } from '@ledger/util';
import { WALLET_EVENT, WALLET_ERROR } from '@ledger/wallet-domain';
import { SCHEMA } from './wallet-db';
import type { WalletLedger } from './wallet-ledger';

export const HOLD_TIMER_SUBSCRIPTION = 'hold-timers';

export interface HoldExpiryOptions {
  store: EventStore;
  pool: Pool;
  ledger: WalletLedger;
  clock: Clock;
  pollIntervalMs?: number;
  batchSize?: number;
  log?: (message: string) => void;
}

export class HoldExpiry {
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopping = false;
  private tick?: Promise<void>;

  constructor(private readonly options: HoldExpiryOptions) {}

  start(): void {
    this.running = true;
    this.follow();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.tick;
    await this.subscription?.stop();
  }

  /** Follows the wallet events into the timer table; restarted after a failure while running. */
  private follow(): void {
    const { store, pool } = this.options;
    this.subscription = startTransactionalProjection({
      store,
      pool,
      name: HOLD_TIMER_SUBSCRIPTION,
      category: 'wallet',
      batchSize: 500,
      // Holds expire minutes after they are made: the timer table may trail the store by a moment.
      ...followerPacing(this.options.pollIntervalMs),
      onError: (error) => {
        this.log(`timer subscription failed, restarting in 1 s: ${String(error)}`);
        if (this.running) setTimeout(() => this.running && this.follow(), 1_000).unref();
      },
      applyBatch: applyToTimers,
    });
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick = this.expireDue()
        .then(() => undefined)
        .catch((error: unknown) => this.log(`expiry tick failed: ${String(error)}`))
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs ?? 1_000);
  }

  /** Sends ExpireHold for up to `batchSize` due holds; returns how many expired. */
  async expireDue(): Promise<number> {
    const now = nowInstant(this.options.clock);
    const { rows } = await this.options.pool.query<{ wallet_id: string; hold_id: string }>(
      `SELECT wallet_id, hold_id FROM ${SCHEMA}.hold_timers WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, this.options.batchSize ?? 100],
    );
    let expired = 0;
    for (const row of rows) {
      if (this.stopping) break; // finish the hold in hand, leave the rest to the next start
      try {
        const outcome = await this.options.ledger.execute(
          { type: 'ExpireHold', walletId: row.wallet_id, holdId: row.hold_id, now },
          {
            commandId: `expire-timer:${row.wallet_id}:${row.hold_id}`,
            correlationId: `expire-timer:${row.wallet_id}:${row.hold_id}`,
            actor: 'system:wallet-expiry',
            occurredAt: now,
          },
        );
        // HOLD_NOT_EXPIRED (the clock reads earlier than the row says) keeps the row for a later tick;
        // every other outcome means the hold is no longer open.
        if (outcome.kind === 'rejected' && outcome.code === WALLET_ERROR.HOLD_NOT_EXPIRED) continue;
        if (outcome.kind === 'accepted') expired += 1;
        await this.options.pool.query(`DELETE FROM ${SCHEMA}.hold_timers WHERE wallet_id = $1 AND hold_id = $2`, [
          row.wallet_id,
          row.hold_id,
        ]);
      } catch (error) {
        this.log(`could not expire hold ${row.hold_id} of wallet ${row.wallet_id}; will retry: ${String(error)}`);
      }
    }
    return expired;
  }

  private log(message: string): void {
    (this.options.log ?? console.warn)(message);
  }
}

/**
 * Writes a batch of wallet events into the timer table with at most two statements: each hold's last
 * word in the batch decides (reserved: a timer; captured, released or expired: none), so a hold
 * reserved and closed within one batch never gets a row.
 */
export async function applyToTimers(
  client: { query(text: string, values?: unknown[]): Promise<unknown> },
  events: readonly RecordedEvent[],
): Promise<void> {
  const holds = new Map<string, { walletId: string; holdId: string; expiresAt: string | undefined }>();
  for (const event of events) {
    const { walletId, holdId } = event.data;
    if (typeof walletId !== 'string' || typeof holdId !== 'string') continue;
    const key = `${walletId}\u0000${holdId}`;
    if (event.type === WALLET_EVENT.FundsReserved) holds.set(key, { walletId, holdId, expiresAt: String(event.data.expiresAt) });
    else if (
      event.type === WALLET_EVENT.HoldCaptured ||
      event.type === WALLET_EVENT.HoldReleased ||
      event.type === WALLET_EVENT.HoldExpired
    )
      holds.set(key, { walletId, holdId, expiresAt: undefined });
  }
  const opened = [...holds.values()].filter((hold) => hold.expiresAt !== undefined);
  const closed = [...holds.values()].filter((hold) => hold.expiresAt === undefined);
  if (opened.length > 0) {
    await client.query(
      `INSERT INTO ${SCHEMA}.hold_timers (wallet_id, hold_id, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [opened.map((hold) => hold.walletId), opened.map((hold) => hold.holdId), opened.map((hold) => hold.expiresAt)],
    );
  }
  if (closed.length > 0) {
    await client.query(
      `DELETE FROM ${SCHEMA}.hold_timers t USING unnest($1::text[], $2::text[]) AS c(wallet_id, hold_id)
       WHERE t.wallet_id = c.wallet_id AND t.hold_id = c.hold_id`,
      [closed.map((hold) => hold.walletId), closed.map((hold) => hold.holdId)],
    );
  }
}
