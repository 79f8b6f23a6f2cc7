/**
 * `journal_entries` + `trial_balance`: the double-entry journal (every posting of every ledger
 * transaction the wallet recorded, via `transactionOf`) and the balance of every account.
 *
 * One statement per batch: the legs are inserted with `ON CONFLICT DO NOTHING` and only the rows
 * actually inserted (RETURNING) are summed into the trial balance, so a transaction id met twice
 * never counts twice.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { isWalletEventType, transactionOf, type WalletEvent } from '@ledger/wallet-domain';
import { minor, tableName, type Projection, type Sql, type TableNames } from './projection';

export const journalProjection: Projection = {
  name: 'journal',
  source: 'wallet',
  category: 'wallet',
  description: 'double-entry journal (one row per posting) and trial balance per account',
  tables: [
    { name: 'journal_entries', order: 'transaction_id COLLATE "C", leg' },
    { name: 'trial_balance', order: 'account COLLATE "C"' },
  ],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const transactionIds: string[] = [];
    const legs: number[] = [];
    const accounts: string[] = [];
    const amounts: string[] = [];
    const eventIds: string[] = [];
    const eventTypes: string[] = [];
    const streams: string[] = [];
    const occurredAts: string[] = [];
    for (const event of events) {
      if (!isWalletEventType(event.type)) continue;
      const transaction = transactionOf({ type: event.type, data: event.data } as unknown as WalletEvent);
      if (!transaction) continue;
      transaction.postings.forEach((posting, leg) => {
        transactionIds.push(transaction.transactionId);
        legs.push(leg);
        accounts.push(posting.account);
        amounts.push(minor(posting.amountMinor, `${event.stream}@${event.revision} posting`).toString());
        eventIds.push(event.id);
        eventTypes.push(event.type);
        streams.push(event.stream);
        occurredAts.push(event.metadata.occurredAt);
      });
    }
    if (transactionIds.length === 0) return;
    await sql(
      `WITH inserted AS (
         INSERT INTO ${tableName(tables, 'journal_entries')} (transaction_id, leg, account, amount_minor, event_id, event_type, stream, occurred_at)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::numeric[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
         ON CONFLICT (transaction_id, leg) DO NOTHING
         RETURNING account, amount_minor)
       INSERT INTO ${tableName(tables, 'trial_balance')} AS t (account, balance_minor, inflow_minor, outflow_minor, postings)
       SELECT account, sum(amount_minor), sum(GREATEST(amount_minor, 0)), -sum(LEAST(amount_minor, 0)), count(*) FROM inserted GROUP BY account
       ON CONFLICT (account) DO UPDATE SET
         balance_minor = t.balance_minor + excluded.balance_minor,
         inflow_minor = t.inflow_minor + excluded.inflow_minor,
         outflow_minor = t.outflow_minor + excluded.outflow_minor,
         postings = t.postings + excluded.postings`,
      [transactionIds, legs, accounts, amounts, eventIds, eventTypes, streams, occurredAts],
    );
  },
};
