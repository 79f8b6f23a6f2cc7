/**
 * `wallet_holds`: every hold (FundsReserved) with its expiry, and how and when it closed
 * (HoldCaptured, HoldReleased, HoldExpired), from the wallet events (schema `wallet`). The read
 * model of the invariant "no hold open past expiry" (`invariants.ts`). A batch folds its events in
 * memory (a hold can be reserved and closed in the same batch), then writes the new holds with one
 * insert and the closures of holds from earlier batches with one update.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { WALLET_EVENT } from '@ledger/wallet-domain';
import { minor, tableName, text, type Projection, type Sql, type TableNames } from './projection';

export type HoldStatus = 'open' | 'captured' | 'released' | 'expired';

interface NewHold {
  walletId: string;
  holdId: string;
  reference: string;
  amountMinor: bigint;
  reservedAt: string;
  expiresAt: string;
  status: HoldStatus;
  closedAt: string | null;
}

interface Closure {
  walletId: string;
  holdId: string;
  status: HoldStatus;
  closedAt: string;
}

const CLOSING: Readonly<Record<string, { status: HoldStatus; at: string }>> = {
  [WALLET_EVENT.HoldCaptured]: { status: 'captured', at: 'capturedAt' },
  [WALLET_EVENT.HoldReleased]: { status: 'released', at: 'releasedAt' },
  [WALLET_EVENT.HoldExpired]: { status: 'expired', at: 'expiredAt' },
};

/** The batch's new holds (closed in place when the closure is in the same batch) and the closures of older holds. */
export function foldHolds(events: readonly RecordedEvent[]): { opened: NewHold[]; closed: Closure[] } {
  const opened = new Map<string, NewHold>();
  const closed: Closure[] = [];
  for (const event of events) {
    const where = `${event.stream}@${event.revision}`;
    const data = event.data;
    if (event.type === WALLET_EVENT.FundsReserved) {
      const hold: NewHold = {
        walletId: text(data.walletId, where),
        holdId: text(data.holdId, where),
        reference: text(data.reference, where),
        amountMinor: minor(data.amountMinor, where),
        reservedAt: text(data.reservedAt, where),
        expiresAt: text(data.expiresAt, where),
        status: 'open',
        closedAt: null,
      };
      opened.set(JSON.stringify([hold.walletId, hold.holdId]), hold);
      continue;
    }
    const closing = CLOSING[event.type];
    if (!closing) continue;
    const walletId = text(data.walletId, where);
    const holdId = text(data.holdId, where);
    const closedAt = text(data[closing.at], where);
    const sameBatch = opened.get(JSON.stringify([walletId, holdId]));
    if (sameBatch) {
      sameBatch.status = closing.status;
      sameBatch.closedAt = closedAt;
    } else {
      closed.push({ walletId, holdId, status: closing.status, closedAt });
    }
  }
  return { opened: [...opened.values()], closed };
}

export const holdsProjection: Projection = {
  name: 'holds',
  source: 'wallet',
  category: 'wallet',
  description: 'every hold with its expiry and how it closed (captured, released, expired)',
  tables: [{ name: 'wallet_holds', order: 'wallet_id COLLATE "C", hold_id COLLATE "C"' }],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const { opened, closed } = foldHolds(events);
    const table = tableName(tables, 'wallet_holds');
    if (opened.length > 0) {
      await sql(
        `INSERT INTO ${table} (wallet_id, hold_id, reference, amount_minor, reserved_at, expires_at, status, closed_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::timestamptz[])
         ON CONFLICT DO NOTHING`,
        [
          opened.map((h) => h.walletId),
          opened.map((h) => h.holdId),
          opened.map((h) => h.reference),
          opened.map((h) => h.amountMinor.toString()),
          opened.map((h) => h.reservedAt),
          opened.map((h) => h.expiresAt),
          opened.map((h) => h.status),
          opened.map((h) => h.closedAt),
        ],
      );
    }
    if (closed.length > 0) {
      await sql(
        `UPDATE ${table} AS t SET status = c.status, closed_at = c.closed_at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS c (wallet_id, hold_id, status, closed_at)
          WHERE t.wallet_id = c.wallet_id AND t.hold_id = c.hold_id`,
        [closed.map((c) => c.walletId), closed.map((c) => c.holdId), closed.map((c) => c.status), closed.map((c) => c.closedAt)],
      );
    }
  },
};
