/**
 * The user's statement and balance as of an instant, for `projector.GetStatement.v1` and
 * `projector.GetBalanceAsOf.v1`.
 *
 * The statement is the `statements` read model joined, when read, with the payment that made each
 * entry (`payments`) and its payer (`identity_users`): the three projections follow three stores at
 * their own pace, so the join is made at read time and an entry whose payment is not projected yet
 * shows the wallet's own counterparty. A transfer shows the other person's masked phone: the
 * recipient's on the payer's statement (from the payment), the payer's on the recipient's.
 */
import { paymentsContract } from '@ledger/contracts';
import type { EventStore } from '@ledger/event-store';
import { decodePageCursor, encodePageCursor, InvalidPageCursor } from '@ledger/util';
import { accountId } from '@ledger/wallet-domain';
import type { DataSource } from 'typeorm';
import { walletAsOf } from './time-travel';

const DEFAULT_PAGE_SIZE = 20;
/** How far back on a user's support-access trail the record of a look-up is looked for: it was written moments before. */
const AUDIT_LOOKBACK_EVENTS = 50;

interface EntryRow {
  seq: string;
  occurred_at: Date;
  kind: string;
  counterparty: string;
  amount_minor: string;
  held_minor: string;
  balance_after_minor: string;
  available_after_minor: string;
  transaction_id: string | null;
  payment_id: string | null;
  payment_kind: string | null;
  payer_id: string | null;
  payment_counterparty: string | null;
  payer_phone: string | null;
}

export class NoWallet extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} has no wallet in the read models (not opened, or opened moments ago)`);
    this.name = 'NoWallet';
  }
}

/** The user's wallet, as the statement read model knows it. */
async function walletOf(dataSource: DataSource, userId: string): Promise<string> {
  const rows: Array<{ wallet_id: string }> = await dataSource.query(
    'SELECT wallet_id FROM analytics.statement_wallets WHERE user_id = $1 ORDER BY wallet_id LIMIT 1',
    [userId],
  );
  const walletId = rows[0]?.wallet_id;
  if (walletId === undefined) throw new NoWallet(userId);
  return walletId;
}

function shownCounterparty(row: EntryRow, userId: string): string {
  if (row.payer_id === userId && row.payment_counterparty !== null) return row.payment_counterparty;
  if (row.counterparty === accountId.transferClearing() && row.payer_phone !== null) return `phone:${row.payer_phone}`;
  return row.counterparty;
}

/** One page of the user's statement, newest first; `before` is the previous page's `nextCursor`. Throws NoWallet, InvalidPageCursor. */
export async function statementOf(dataSource: DataSource, userId: string, limit = DEFAULT_PAGE_SIZE, before?: string) {
  const walletId = await walletOf(dataSource, userId);
  const after = before === undefined ? undefined : decodePageCursor(before);
  if (after !== undefined && !/^\d{1,18}$/.test(after.id)) throw new InvalidPageCursor();
  const rows: EntryRow[] = await dataSource.query(
    `SELECT l.seq::text AS seq, l.occurred_at, l.kind, l.counterparty, l.amount_minor::text AS amount_minor, l.held_minor::text AS held_minor,
            l.balance_after_minor::text AS balance_after_minor, l.available_after_minor::text AS available_after_minor, l.transaction_id, l.payment_id,
            p.kind AS payment_kind, p.user_id AS payer_id, p.counterparty AS payment_counterparty, u.masked_phone AS payer_phone
       FROM analytics.statement_lines l
       LEFT JOIN analytics.payments p ON p.payment_id = l.payment_id
       LEFT JOIN analytics.identity_users u ON u.user_id = p.user_id
      WHERE l.wallet_id = $1 AND ($2::bigint IS NULL OR l.seq < $2::bigint)
      ORDER BY l.seq DESC LIMIT $3`,
    [walletId, after?.id ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  const entries = page.map((row) => ({
    seq: Number(row.seq),
    at: row.occurred_at.toISOString(),
    kind: row.kind,
    amountMinor: row.amount_minor,
    heldMinor: row.held_minor,
    balanceAfterMinor: row.balance_after_minor,
    availableAfterMinor: row.available_after_minor,
    counterparty: shownCounterparty(row, userId),
    ...(row.payment_id === null ? {} : { paymentId: row.payment_id }),
    ...(row.payment_kind === null ? {} : { paymentKind: row.payment_kind }),
    ...(row.transaction_id === null ? {} : { transactionId: row.transaction_id }),
  }));
  const last = entries[entries.length - 1];
  return rows.length > limit && last
    ? { userId, walletId, entries, nextCursor: encodePageCursor(last.at, String(last.seq)) }
    : { userId, walletId, entries };
}

/** The user's wallet as it was at `asOf`, folded from the wallet's stream. Throws NoWallet. */
export async function balanceAsOf(dataSource: DataSource, walletStore: EventStore, userId: string, asOf: string) {
  const walletId = await walletOf(dataSource, userId);
  const wallet = await walletAsOf(walletStore, walletId, new Date(asOf));
  return {
    userId,
    walletId,
    asOf: wallet.asOf,
    status: wallet.status,
    totalMinor: wallet.totalMinor.toString(),
    heldMinor: wallet.heldMinor.toString(),
    availableMinor: wallet.availableMinor.toString(),
    events: wallet.events,
  };
}

/**
 * Whether the support agent's look-up was recorded on the user's trail by the command `auditedBy`
 * (payments.RecordSupportAccess.v1), with what it is about to view.
 */
export async function supportAccessRecorded(
  paymentsStore: EventStore,
  look: { userId: string; agentId: string; auditedBy: string; viewed: 'statement' | 'balance' },
): Promise<boolean> {
  const recent = await paymentsStore.readStream(paymentsContract.supportAuditStreamOf(look.userId), {
    direction: 'backwards',
    limit: AUDIT_LOOKBACK_EVENTS,
  });
  return recent.some((event) => {
    const data = event.data as Partial<paymentsContract.SupportAccessRecorded>;
    return (
      event.type === paymentsContract.SUPPORT_ACCESS_RECORDED &&
      event.metadata.causationId === look.auditedBy &&
      data.agentId === look.agentId &&
      data.viewed?.kind === look.viewed
    );
  });
}
