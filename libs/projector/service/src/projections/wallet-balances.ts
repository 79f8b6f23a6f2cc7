/**
 * `wallet_balances`: balance, held amount, status and tier of every wallet, folded from the wallet
 * service's events (schema `wallet`, category `wallet`). Mirrors the aggregate's own `evolve`:
 * a capture takes its amount off the balance and its whole hold off `held` (the rest is released).
 */
import type { RecordedEvent } from '@ledger/event-store';
import { WALLET_EVENT } from '@ledger/wallet-domain';
import { minor, tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface WalletDelta {
  userId: string | null;
  tier: string | null;
  status: string | null;
  balanceMinor: bigint;
  heldMinor: bigint;
  openedAt: string | null;
  lastEventAt: string;
  events: number;
}

export function walletDeltas(events: readonly RecordedEvent[]): Map<string, WalletDelta> {
  const deltas = new Map<string, WalletDelta>();
  for (const event of events) {
    const data = event.data;
    const walletId = text(data.walletId, `${event.stream}@${event.revision} walletId`);
    let delta = deltas.get(walletId);
    if (!delta) {
      delta = {
        userId: null,
        tier: null,
        status: null,
        balanceMinor: 0n,
        heldMinor: 0n,
        openedAt: null,
        lastEventAt: event.metadata.occurredAt,
        events: 0,
      };
      deltas.set(walletId, delta);
    }
    delta.events += 1;
    if (event.metadata.occurredAt > delta.lastEventAt) delta.lastEventAt = event.metadata.occurredAt;
    const where = `${event.stream}@${event.revision}`;
    switch (event.type) {
      case WALLET_EVENT.WalletOpened:
        delta.userId = text(data.userId, where);
        delta.tier = text(data.tier, where);
        delta.status = 'active';
        delta.openedAt = text(data.openedAt, where);
        break;
      case WALLET_EVENT.FundsReserved:
        delta.heldMinor += minor(data.amountMinor, where);
        break;
      case WALLET_EVENT.HoldCaptured: {
        const captured = minor(data.amountMinor, where);
        delta.balanceMinor -= captured;
        delta.heldMinor -= captured + minor(data.releasedMinor, where);
        break;
      }
      case WALLET_EVENT.HoldReleased:
      case WALLET_EVENT.HoldExpired:
        delta.heldMinor -= minor(data.amountMinor, where);
        break;
      case WALLET_EVENT.WalletCredited:
        delta.balanceMinor += minor(data.amountMinor, where);
        break;
      case WALLET_EVENT.WalletFrozen:
        delta.status = 'frozen';
        break;
      case WALLET_EVENT.WalletUnfrozen:
        delta.status = 'active';
        break;
      case WALLET_EVENT.WalletTierChanged:
        delta.tier = text(data.toTier, where);
        break;
      default:
        // Unknown (newer) event types change nothing here; counted only.
        break;
    }
  }
  return deltas;
}

export const walletBalancesProjection: Projection = {
  name: 'wallet_balances',
  source: 'wallet',
  category: 'wallet',
  description: 'balance, held amount, status and tier of every wallet',
  tables: [{ name: 'wallet_balances', order: 'wallet_id COLLATE "C"' }],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const deltas = walletDeltas(events);
    if (deltas.size === 0) return;
    const rows = [...deltas.entries()];
    await sql(
      `INSERT INTO ${tableName(tables, 'wallet_balances')} AS t (wallet_id, user_id, tier, status, balance_minor, held_minor, opened_at, last_event_at, event_count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::timestamptz[], $8::timestamptz[], $9::bigint[])
       ON CONFLICT (wallet_id) DO UPDATE SET
         user_id = COALESCE(excluded.user_id, t.user_id),
         tier = COALESCE(excluded.tier, t.tier),
         status = COALESCE(excluded.status, t.status),
         balance_minor = t.balance_minor + excluded.balance_minor,
         held_minor = t.held_minor + excluded.held_minor,
         opened_at = COALESCE(t.opened_at, excluded.opened_at),
         last_event_at = GREATEST(t.last_event_at, excluded.last_event_at),
         event_count = t.event_count + excluded.event_count`,
      [
        rows.map(([id]) => id),
        rows.map(([, d]) => d.userId),
        rows.map(([, d]) => d.tier),
        rows.map(([, d]) => d.status),
        rows.map(([, d]) => d.balanceMinor.toString()),
        rows.map(([, d]) => d.heldMinor.toString()),
        rows.map(([, d]) => d.openedAt),
        rows.map(([, d]) => d.lastEventAt),
        rows.map(([, d]) => d.events),
      ],
    );
  },
};
