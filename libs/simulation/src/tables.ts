/**
 * The two durable timer tables of the payment path, as PostgreSQL keeps them, in memory (they survive
 * every crash of the instances that use them):
 *
 * - `payments.payment_timers`: derived from the payment events by the real `timerChangesOf` (the
 *   follower's batch and checkpoint are one transaction, so here one step), claimed with a lease and
 *   a fencing claim id, finished or made due again only while the claim is the latest (the SQL of
 *   `PaymentTimers`, row for row);
 * - the wallet's `hold_timers`: one row per open hold (`applyToTimers`: a reservation inserts, a
 *   capture, release or expiry deletes; each hold's last word in a batch decides).
 *
 * Times are simulated milliseconds since the schedule began.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { START, type Cursor } from '@ledger/event-store';
import { timerChangesOf, type TimerKind } from '@ledger/payments-service/testing';
import { WALLET_EVENT } from '@ledger/wallet-domain';
import type { MemoryEventStore } from './memory-event-store';

/** Events a follower applies per batch (the services' `batchSize`). */
const FOLLOWER_BATCH = 500;

interface TimerRow {
  paymentId: string;
  kind: TimerKind;
  dueAt: number;
  fired: number;
  claimId: string | undefined;
}

export class PaymentTimerTable {
  private readonly rows = new Map<string, TimerRow>();
  private cursor: Cursor = START;
  private claims = 0;

  constructor(
    private readonly store: MemoryEventStore,
    private readonly stepTimeoutMs: number,
    /** Epoch ms of simulated time 0. */
    private readonly originMs: number,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** Applies the next batch of payment events; true when the follower has caught up. */
  follow(): boolean {
    const page = this.store.readCategoryNow('payment', { from: this.cursor, limit: FOLLOWER_BATCH });
    const changes = timerChangesOf(page.events, this.stepTimeoutMs);
    for (const paymentId of changes.cleared)
      for (const key of [...this.rows.keys()]) if (key.startsWith(`${paymentId}\u0000`)) this.rows.delete(key);
    for (const set of changes.set) {
      const key = `${set.paymentId}\u0000${set.kind}`;
      const existing = this.rows.get(key);
      // ON CONFLICT DO UPDATE SET due_at = EXCLUDED.due_at, claim_id = NULL (fired is kept).
      this.rows.set(key, {
        paymentId: set.paymentId,
        kind: set.kind,
        dueAt: set.dueAt.getTime() - this.originMs,
        fired: existing?.fired ?? 0,
        claimId: undefined,
      });
    }
    this.cursor = page.next;
    return page.isEnd;
  }

  /** `SELECT … WHERE due_at <= now ORDER BY due_at LIMIT … FOR UPDATE SKIP LOCKED` + the lease. */
  claimDue(now: number, limit: number, leaseMs: number): Array<{ paymentId: string; kind: TimerKind; claimId: string }> {
    const due = [...this.rows.entries()]
      .filter(([, row]) => row.dueAt <= now)
      .sort(([ka, a], [kb, b]) => a.dueAt - b.dueAt || (ka < kb ? -1 : 1))
      .slice(0, limit);
    const claimId = `claim-${++this.claims}`;
    return due.map(([, row]) => {
      row.dueAt = now + leaseMs;
      row.fired += 1;
      row.claimId = claimId;
      return { paymentId: row.paymentId, kind: row.kind, claimId };
    });
  }

  /** Deletes the claimed timer, unless it was scheduled again since the claim. */
  finish(timer: { paymentId: string; kind: TimerKind; claimId: string }): void {
    const key = `${timer.paymentId}\u0000${timer.kind}`;
    if (this.rows.get(key)?.claimId === timer.claimId) this.rows.delete(key);
  }

  /** Makes the claimed timer due again at `dueAt`, unless it was scheduled again since the claim. */
  retry(timer: { paymentId: string; kind: TimerKind; claimId: string }, dueAt: number): void {
    const row = this.rows.get(`${timer.paymentId}\u0000${timer.kind}`);
    if (row?.claimId !== timer.claimId) return;
    row.dueAt = dueAt;
    row.claimId = undefined;
  }

  earliestDue(): number | undefined {
    let earliest: number | undefined;
    for (const row of this.rows.values()) if (earliest === undefined || row.dueAt < earliest) earliest = row.dueAt;
    return earliest;
  }

  describe(): string {
    return [...this.rows.values()].map((row) => `${row.paymentId}/${row.kind}@${row.dueAt}${row.claimId ? ' claimed' : ''}`).join(', ');
  }
}

export class HoldTimerTable {
  private readonly rows = new Map<string, { walletId: string; holdId: string; expiresAt: number }>();
  private cursor: Cursor = START;

  constructor(
    private readonly store: MemoryEventStore,
    private readonly originMs: number,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** Applies the next batch of wallet events; true when the follower has caught up. */
  follow(): boolean {
    const page = this.store.readCategoryNow('wallet', { from: this.cursor, limit: FOLLOWER_BATCH });
    applyToHoldTimers(this.rows, page.events, this.originMs);
    this.cursor = page.next;
    return page.isEnd;
  }

  /** Holds due at `now`, oldest first, at most `limit`. */
  due(now: number, limit: number): Array<{ walletId: string; holdId: string }> {
    return [...this.rows.entries()]
      .filter(([, row]) => row.expiresAt <= now)
      .sort(([ka, a], [kb, b]) => a.expiresAt - b.expiresAt || (ka < kb ? -1 : 1))
      .slice(0, limit)
      .map(([, row]) => ({ walletId: row.walletId, holdId: row.holdId }));
  }

  delete(walletId: string, holdId: string): void {
    this.rows.delete(`${walletId}\u0000${holdId}`);
  }

  earliestDue(): number | undefined {
    let earliest: number | undefined;
    for (const row of this.rows.values()) if (earliest === undefined || row.expiresAt < earliest) earliest = row.expiresAt;
    return earliest;
  }
}

function applyToHoldTimers(
  rows: Map<string, { walletId: string; holdId: string; expiresAt: number }>,
  events: readonly RecordedEvent[],
  originMs: number,
): void {
  const last = new Map<string, { walletId: string; holdId: string; expiresAt: number | undefined }>();
  for (const event of events) {
    const { walletId, holdId } = event.data;
    if (typeof walletId !== 'string' || typeof holdId !== 'string') continue;
    const key = `${walletId}\u0000${holdId}`;
    if (event.type === WALLET_EVENT.FundsReserved)
      last.set(key, { walletId, holdId, expiresAt: Date.parse(String(event.data.expiresAt)) - originMs });
    else if (
      event.type === WALLET_EVENT.HoldCaptured ||
      event.type === WALLET_EVENT.HoldReleased ||
      event.type === WALLET_EVENT.HoldExpired
    )
      last.set(key, { walletId, holdId, expiresAt: undefined });
  }
  for (const [key, hold] of last) {
    if (hold.expiresAt === undefined) rows.delete(key);
    else if (!rows.has(key)) rows.set(key, { walletId: hold.walletId, holdId: hold.holdId, expiresAt: hold.expiresAt }); // ON CONFLICT DO NOTHING
  }
}
