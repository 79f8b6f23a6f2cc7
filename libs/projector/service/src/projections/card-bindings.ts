/**
 * `user_cards`: per user, when the first card was bound and how many were bound/unbound, from the
 * cards service's events (schema `cards`, streams `cards-<userId>`). The funnel's "card bound" step.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { CARDS_EVENT } from '@ledger/cards-domain';
import { tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface CardsDelta {
  firstBoundAt: string | null;
  bound: number;
  unbound: number;
}

export const cardBindingsProjection: Projection = {
  name: 'card_bindings',
  source: 'cards',
  category: 'cards',
  description: 'card bindings per user (first bound, bound and unbound counts)',
  tables: [{ name: 'user_cards', order: 'user_id COLLATE "C"' }],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const deltas = new Map<string, CardsDelta>();
    for (const event of events) {
      if (event.type !== CARDS_EVENT.CardBound && event.type !== CARDS_EVENT.CardUnbound) continue;
      const where = `${event.stream}@${event.revision}`;
      const userId = text(event.data.userId, where);
      const delta = deltas.get(userId) ?? { firstBoundAt: null, bound: 0, unbound: 0 };
      if (event.type === CARDS_EVENT.CardBound) {
        const at = text(event.data.boundAt, where);
        if (delta.firstBoundAt === null || at < delta.firstBoundAt) delta.firstBoundAt = at;
        delta.bound += 1;
      } else {
        delta.unbound += 1;
      }
      deltas.set(userId, delta);
    }
    if (deltas.size === 0) return;
    const rows = [...deltas.entries()];
    await sql(
      `INSERT INTO ${tableName(tables, 'user_cards')} AS t (user_id, first_bound_at, cards_bound, cards_unbound)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[])
       ON CONFLICT (user_id) DO UPDATE SET
         first_bound_at = LEAST(t.first_bound_at, excluded.first_bound_at),
         cards_bound = t.cards_bound + excluded.cards_bound,
         cards_unbound = t.cards_unbound + excluded.cards_unbound`,
      [rows.map(([id]) => id), rows.map(([, d]) => d.firstBoundAt), rows.map(([, d]) => d.bound), rows.map(([, d]) => d.unbound)],
    );
  },
};
