/**
 * `statement_lines` (+ `statement_holds`, `statement_wallets`): the per-user statement, every money
 * movement of every wallet with its counterparty, signed amount and the balance after it, from the
 * wallet events (schema `wallet`). The owner comes from WalletOpened; a debit's reference (the
 * payment id) from its FundsReserved, kept in `statement_holds` because the capture may come in a
 * later batch. `statement_wallets` carries each wallet's running balance and line number between
 * batches; the batch reads it in its own transaction (one writer per projection: the checkpoint
 * lock), so the numbering is the stream's order and a rebuild gives the same rows.
 */
import type { RecordedEvent } from '@ledger/event-store';
import { WALLET_EVENT } from '@ledger/wallet-domain';
import { minor, tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface WalletRun {
  userId: string | null;
  balance: bigint;
  lines: number;
  touched: boolean;
}

interface Line {
  walletId: string;
  seq: number;
  userId: string | null;
  at: string;
  direction: 'credit' | 'debit';
  counterparty: string;
  amount: bigint;
  balanceAfter: bigint;
  transactionId: string;
  holdId: string | null;
  reference: string | null;
}

export const statementsProjection: Projection = {
  name: 'statements',
  source: 'wallet',
  category: 'wallet',
  description: 'per-user statement: every wallet movement with counterparty, amount and balance after',
  tables: [
    { name: 'statement_lines', order: 'wallet_id COLLATE "C", seq' },
    { name: 'statement_holds', order: 'wallet_id COLLATE "C", hold_id COLLATE "C"' },
    { name: 'statement_wallets', order: 'wallet_id COLLATE "C"' },
  ],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const walletIds = [...new Set(events.map((event) => text(event.data.walletId, `${event.stream}@${event.revision} walletId`)))];
    if (walletIds.length === 0) return;
    const runs = new Map<string, WalletRun>();
    for (const row of await sql(
      `SELECT wallet_id, user_id, balance_minor::text AS balance, lines::int AS lines FROM ${tableName(tables, 'statement_wallets')} WHERE wallet_id = ANY($1::text[])`,
      [walletIds],
    )) {
      runs.set(row.wallet_id as string, {
        userId: row.user_id as string | null,
        balance: BigInt(row.balance as string),
        lines: row.lines as number,
        touched: false,
      });
    }
    const captured = events.filter((event) => event.type === WALLET_EVENT.HoldCaptured);
    const references = new Map<string, string>();
    if (captured.length > 0) {
      // By the whole primary key (wallet, hold): by the hold alone this was a scan of every hold ever made.
      const capturedWallets = captured.map((event) => text(event.data.walletId, 'walletId'));
      const capturedHolds = captured.map((event) => text(event.data.holdId, 'holdId'));
      const holdsTable = tableName(tables, 'statement_holds');
      for (const row of await sql(
        `SELECT h.wallet_id, h.hold_id, h.reference FROM ${holdsTable} h JOIN unnest($1::text[], $2::text[]) AS c(wallet_id, hold_id) USING (wallet_id, hold_id)`,
        [capturedWallets, capturedHolds],
      )) {
        references.set(JSON.stringify([row.wallet_id, row.hold_id]), row.reference as string);
      }
    }
    const holds: Array<[string, string, string, string, string, string]> = [];
    const lines: Line[] = [];
    for (const event of events) {
      const where = `${event.stream}@${event.revision}`;
      const data = event.data;
      const walletId = text(data.walletId, where);
      let run = runs.get(walletId);
      if (!run) {
        run = { userId: null, balance: 0n, lines: 0, touched: false };
        runs.set(walletId, run);
      }
      const line = (direction: 'credit' | 'debit', amount: bigint, holdId: string | null, reference: string | null) => {
        run.balance += amount;
        run.lines += 1;
        run.touched = true;
        lines.push({
          walletId,
          seq: run.lines,
          userId: run.userId,
          at: event.metadata.occurredAt,
          direction,
          counterparty: text(data.counterparty, where),
          amount,
          balanceAfter: run.balance,
          transactionId: text(data.transactionId, where),
          holdId,
          reference,
        });
      };
      switch (event.type) {
        case WALLET_EVENT.WalletOpened:
          run.userId = text(data.userId, where);
          run.touched = true;
          break;
        case WALLET_EVENT.FundsReserved: {
          const holdId = text(data.holdId, where);
          const reference = text(data.reference, where);
          references.set(JSON.stringify([walletId, holdId]), reference);
          holds.push([
            walletId,
            holdId,
            reference,
            text(data.counterparty, where),
            minor(data.amountMinor, where).toString(),
            text(data.reservedAt, where),
          ]);
          break;
        }
        case WALLET_EVENT.HoldCaptured: {
          const holdId = text(data.holdId, where);
          line('debit', -minor(data.amountMinor, where), holdId, references.get(JSON.stringify([walletId, holdId])) ?? null);
          break;
        }
        case WALLET_EVENT.WalletCredited:
          line('credit', minor(data.amountMinor, where), null, text(data.reference, where));
          break;
        default:
          break;
      }
    }
    if (holds.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_holds')} (wallet_id, hold_id, reference, counterparty, amount_minor, reserved_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[]) ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5].map((i) => holds.map((hold) => hold[i])),
      );
    }
    if (lines.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_lines')} (wallet_id, seq, user_id, occurred_at, direction, counterparty, amount_minor, balance_after_minor, transaction_id, hold_id, reference)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::text[], $10::text[], $11::text[])`,
        [
          lines.map((l) => l.walletId),
          lines.map((l) => l.seq),
          lines.map((l) => l.userId),
          lines.map((l) => l.at),
          lines.map((l) => l.direction),
          lines.map((l) => l.counterparty),
          lines.map((l) => l.amount.toString()),
          lines.map((l) => l.balanceAfter.toString()),
          lines.map((l) => l.transactionId),
          lines.map((l) => l.holdId),
          lines.map((l) => l.reference),
        ],
      );
    }
    const touched = [...runs.entries()].filter(([, run]) => run.touched);
    if (touched.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'statement_wallets')} AS t (wallet_id, user_id, balance_minor, lines)
         SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::bigint[])
         ON CONFLICT (wallet_id) DO UPDATE SET user_id = COALESCE(excluded.user_id, t.user_id), balance_minor = excluded.balance_minor, lines = excluded.lines`,
        [
          touched.map(([id]) => id),
          touched.map(([, r]) => r.userId),
          touched.map(([, r]) => r.balance.toString()),
          touched.map(([, r]) => r.lines),
        ],
      );
    }
  },
};
