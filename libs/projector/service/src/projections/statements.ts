/**
 * `statement_lines` (+ `statement_holds`, `statement_wallets`): the per-user statement, every entry
 * of every wallet (credits, captured debits, holds and their release or expiry) with its
 * counterparty, the payment that made it and the balances after it, from the wallet events (schema
 * `wallet`). The entries are the wallet domain's `statementEntryOf`, so they sum to the balance the
 * wallet itself holds. The owner comes from WalletOpened; what a release, expiry or capture shows of
 * its hold (reference, counterparty) from its FundsReserved, kept in `statement_holds` because the
 * hold may close in a later batch. `statement_wallets` carries each wallet's running balances and
 * entry number between batches; the batch reads it in its own transaction (one writer per
 * projection: the checkpoint lock), so the numbering is the stream's order and a rebuild gives the
 * same rows.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { paymentIdOfWalletEntry } from '@ledger/payments-domain';
import {
  emptyStatementRun,
  isWalletEventType,
  statementEntryOf,
  WALLET_EVENT,
  type HoldShown,
  type StatementEntry,
  type StatementRun,
  type WalletEvent,
} from '@ledger/wallet-domain';
import { tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface WalletRun extends StatementRun {
  userId: string | null;
  touched: boolean;
}

interface Line extends StatementEntry {
  walletId: string;
  userId: string | null;
  at: string;
}

const holdKey = (walletId: string, holdId: string) => JSON.stringify([walletId, holdId]);
/** Events whose entry shows a hold reserved earlier. */
const CLOSING_A_HOLD: ReadonlySet<string> = new Set([WALLET_EVENT.HoldCaptured, WALLET_EVENT.HoldReleased, WALLET_EVENT.HoldExpired]);

export const statementsProjection: Projection = {
  name: 'statements',
  source: 'wallet',
  category: 'wallet',
  description:
    'per-user statement: every wallet entry (credit, debit, hold, release, expiry) with counterparty, payment and balances after it',
  tables: [
    { name: 'statement_lines', order: 'wallet_id COLLATE "C", seq' },
    { name: 'statement_holds', order: 'wallet_id COLLATE "C", hold_id COLLATE "C"' },
    { name: 'statement_wallets', order: 'wallet_id COLLATE "C"' },
  ],
  async applyBatch(sql: Sql, records: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const events = records.filter((record) => isWalletEventType(record.type));
    const walletIds = [...new Set(events.map((event) => text(event.data.walletId, `${event.stream}@${event.revision} walletId`)))];
    if (walletIds.length === 0) return;
    const runs = new Map<string, WalletRun>();
    for (const row of await sql(
      `SELECT wallet_id, user_id, balance_minor::text AS balance, held_minor::text AS held, lines::int AS lines FROM ${tableName(tables, 'statement_wallets')} WHERE wallet_id = ANY($1::text[])`,
      [walletIds],
    )) {
      runs.set(row.wallet_id as string, {
        userId: row.user_id as string | null,
        balanceMinor: BigInt(row.balance as string),
        heldMinor: BigInt(row.held as string),
        entries: row.lines as number,
        touched: false,
      });
    }
    const shown = new Map<string, HoldShown>();
    const closing = events.filter((event) => CLOSING_A_HOLD.has(event.type));
    if (closing.length > 0) {
      // By the whole primary key (wallet, hold): by the hold alone this was a scan of every hold ever made.
      for (const row of await sql(
        `SELECT h.wallet_id, h.hold_id, h.reference, h.counterparty FROM ${tableName(tables, 'statement_holds')} h JOIN unnest($1::text[], $2::text[]) AS c(wallet_id, hold_id) USING (wallet_id, hold_id)`,
        [closing.map((event) => text(event.data.walletId, 'walletId')), closing.map((event) => text(event.data.holdId, 'holdId'))],
      )) {
        shown.set(holdKey(row.wallet_id as string, row.hold_id as string), {
          reference: row.reference as string,
          counterparty: row.counterparty as string,
        });
      }
    }
    const holds: Array<[string, string, string, string, string, string]> = [];
    const lines: Line[] = [];
    for (const record of events) {
      const event = { type: record.type, data: record.data } as unknown as WalletEvent;
      const walletId = event.data.walletId;
      let run = runs.get(walletId);
      if (!run) {
        run = { userId: null, ...emptyStatementRun(), touched: false };
        runs.set(walletId, run);
      }
      if (event.type === WALLET_EVENT.WalletOpened) {
        run.userId = event.data.userId;
        run.touched = true;
        continue;
      }
      if (event.type === WALLET_EVENT.FundsReserved) {
        const { holdId, reference, counterparty, amountMinor, reservedAt } = event.data;
        shown.set(holdKey(walletId, holdId), { reference, counterparty });
        holds.push([walletId, holdId, reference, counterparty, amountMinor, reservedAt]);
      }
      const entry = statementEntryOf(run, event, (holdId) => shown.get(holdKey(walletId, holdId)));
      if (entry === undefined) continue;
      run.touched = true;
      lines.push({ ...entry, walletId, userId: run.userId, at: record.metadata.occurredAt });
    }
    if (holds.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_holds')} (wallet_id, hold_id, reference, counterparty, amount_minor, reserved_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[]) ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5].map((i) => holds.map((hold) => hold[i])),
      );
    }
    if (lines.length > 0) {
      const paymentIdOf = (line: Line) =>
        (line.holdId !== undefined
          ? paymentIdOfWalletEntry({ holdId: line.holdId })
          : line.creditId !== undefined
            ? paymentIdOfWalletEntry({ creditId: line.creditId })
            : undefined) ?? null;
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_lines')} (wallet_id, seq, user_id, occurred_at, kind, counterparty, amount_minor, held_minor,
           balance_after_minor, available_after_minor, transaction_id, hold_id, reference, payment_id)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::numeric[], $8::numeric[],
           $9::numeric[], $10::numeric[], $11::text[], $12::text[], $13::text[], $14::text[])`,
        [
          lines.map((l) => l.walletId),
          lines.map((l) => l.seq),
          lines.map((l) => l.userId),
          lines.map((l) => l.at),
          lines.map((l) => l.kind),
          lines.map((l) => l.counterparty),
          lines.map((l) => l.amountMinor.toString()),
          lines.map((l) => l.heldMinor.toString()),
          lines.map((l) => l.balanceAfterMinor.toString()),
          lines.map((l) => l.availableAfterMinor.toString()),
          lines.map((l) => l.transactionId ?? null),
          lines.map((l) => l.holdId ?? null),
          lines.map((l) => l.reference ?? null),
          lines.map(paymentIdOf),
        ],
      );
    }
    const touched = [...runs.entries()].filter(([, run]) => run.touched);
    if (touched.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_wallets')} AS t (wallet_id, user_id, balance_minor, held_minor, lines)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::bigint[])
         ON CONFLICT (wallet_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, t.user_id), balance_minor = excluded.balance_minor,
           held_minor = excluded.held_minor, lines = excluded.lines`,
        [
          touched.map(([id]) => id),
          touched.map(([, r]) => r.userId),
          touched.map(([, r]) => r.balanceMinor.toString()),
          touched.map(([, r]) => r.heldMinor.toString()),
          touched.map(([, r]) => r.entries),
        ],
      );
    }
  },
};
