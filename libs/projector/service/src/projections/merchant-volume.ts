/**
 * `merchant_daily_volume`: per merchant and Asia/Shanghai day, completed merchant payments and
 * refunds, from the postings of `payments.PaymentCompleted.v1` (schema `payments`): a merchant
 * payment credits `merchant:<id>`, a refund debits it. Netting needs no state across batches.
 * Refunds count on the day they completed, not on the day of the payment they refund.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { shanghaiDay } from '@ledger/wallet-domain';
import { PAYMENT_COMPLETED } from './payment-outcomes';
import { minor, tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface Volume {
  day: string;
  merchantId: string;
  payments: number;
  gross: bigint;
  refunds: number;
  refunded: bigint;
}

export const merchantVolumeProjection: Projection = {
  name: 'merchant_volume',
  source: 'payments',
  category: 'payment',
  description: 'completed merchant payments and refunds per merchant per Asia/Shanghai day',
  tables: [{ name: 'merchant_daily_volume', order: 'day, merchant_id COLLATE "C"' }],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const volumes = new Map<string, Volume>();
    for (const event of events) {
      if (event.type !== PAYMENT_COMPLETED) continue;
      const where = `${event.stream}@${event.revision}`;
      const kind = text(event.data.kind, where);
      if (kind !== 'merchant' && kind !== 'refund') continue;
      const day = shanghaiDay(text(event.data.completedAt, where));
      const postings = Array.isArray(event.data.postings) ? (event.data.postings as Array<Record<string, unknown>>) : [];
      for (const posting of postings) {
        const account = text(posting.account, where);
        if (!account.startsWith('merchant:')) continue;
        const merchantId = account.slice('merchant:'.length);
        const amount = minor(posting.amountMinor, where);
        const key = JSON.stringify([day, merchantId]);
        const volume = volumes.get(key) ?? { day, merchantId, payments: 0, gross: 0n, refunds: 0, refunded: 0n };
        if (amount >= 0n) {
          volume.payments += 1;
          volume.gross += amount;
        } else {
          volume.refunds += 1;
          volume.refunded -= amount;
        }
        volumes.set(key, volume);
      }
    }
    if (volumes.size === 0) return;
    const rows = [...volumes.values()];
    await sql(
      `INSERT INTO ${tableName(tables, 'merchant_daily_volume')} AS t (day, merchant_id, payments, gross_minor, refunds, refunded_minor, net_minor)
       SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[], $4::numeric[], $5::bigint[], $6::numeric[], $7::numeric[])
       ON CONFLICT (day, merchant_id) DO UPDATE SET
         payments = t.payments + excluded.payments,
         gross_minor = t.gross_minor + excluded.gross_minor,
         refunds = t.refunds + excluded.refunds,
         refunded_minor = t.refunded_minor + excluded.refunded_minor,
         net_minor = t.net_minor + excluded.net_minor`,
      [
        rows.map((r) => r.day),
        rows.map((r) => r.merchantId),
        rows.map((r) => r.payments),
        rows.map((r) => r.gross.toString()),
        rows.map((r) => r.refunds),
        rows.map((r) => r.refunded.toString()),
        rows.map((r) => (r.gross - r.refunded).toString()),
      ],
    );
  },
};
