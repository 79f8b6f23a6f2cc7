/**
 * Invariants checked on the read models: the ledger sums to zero per currency, every payment reaches
 * exactly one outcome (never two, never one without its start, and one within `outcomeWithinMs` of
 * its start), no hold stays open past its expiry, and every wallet's balance equals the sum of the
 * journal's postings to its account and its statement's balance.
 *
 * One set of checks for every caller: on request (`npm run projector:check`, the dashboard) they
 * cover everything; the invariant monitor (`alerts/invariant-monitor.ts`) runs the same ones every
 * few seconds with the wallet comparison bounded to a sweep of some wallets per evaluation. Each
 * check is one statement (one snapshot), and every query that lists rows is bounded.
 */
import type { DataSource } from 'typeorm';
import { CURRENCY } from '@ledger/util';
import { PaymentRow, WalletHoldRow } from './db/entities';
import { journalProjection, statementsProjection, walletBalancesProjection } from './projections';

/**
 * How long a hold may stay open after its `expiresAt` before it counts as a violation: the wallet
 * service's expiry poller wakes every second by default (`HoldExpiry.pollIntervalMs`), so a hold
 * is expected to be closed within one interval of its expiry, not at the exact instant.
 */
export const HOLD_EXPIRY_GRACE_MS = 1_000;
/**
 * How long a payment may go without an outcome before it counts as stuck: longer than the longest
 * wait any payment has by design, a large cash deposit waiting for its supervisor (4 h by default),
 * with an hour to spare; provider top-ups wait 15 minutes, every other payment seconds.
 */
export const PAYMENT_OUTCOME_WITHIN_MS = 5 * 60 * 60_000;
/** Violations listed per invariant (the counts are exact). */
const LISTED = 1000;
/** The read models the wallet comparison reads: it means something only when all three stand at the same place of the wallet store. */
export const WALLET_CHECK_PROJECTIONS = [walletBalancesProjection.name, journalProjection.name, statementsProjection.name] as const;
/** Reads of the wallet comparison while its read models are at different places (a page is being applied): then it gives up. */
const WALLET_CHECK_ATTEMPTS = 3;
const WALLET_CHECK_RETRY_MS = 100;

export interface OverdueHold {
  walletId: string;
  holdId: string;
  /** The payment id of the reservation. */
  reference: string;
  amountMinor: string;
  expiresAt: string;
}

export interface LedgerTotal {
  currency: string;
  /** Sum of the balances of the currency's accounts in the trial balance: must be "0". */
  totalMinor: string;
  accounts: number;
}

export interface WalletMismatch {
  walletId: string;
  /** `wallet_balances`: the wallet's balance folded from its events. */
  balanceMinor: string;
  /** `trial_balance`: the sum of the journal's postings to `wallet:<walletId>`. */
  postingsMinor: string;
  /** `statement_wallets`: the balance after the wallet's last statement entry (null: no statement yet). */
  statementMinor: string | null;
}

/** Which wallets to compare: by default all of them; the monitor sweeps `limit` wallets after `after`, plus the ones it has flagged (`also`). */
export interface WalletSweep {
  after?: string;
  limit?: number;
  also?: readonly string[];
}

export interface WalletBalanceCheck {
  /**
   * False when nothing was compared: the three read models stood at different places of the wallet
   * store each time they were read (pages being applied), or one of them was never built.
   */
  compared: boolean;
  /** Wallets compared. */
  wallets: number;
  mismatches: WalletMismatch[];
  mismatchCount: number;
  /** The last wallet of a bounded sweep that did not reach the end (the next sweep starts after it). */
  sweptTo?: string;
}

export interface InvariantOptions {
  /** The instant the holds and the payments in flight are judged at; defaults to now. */
  asOf?: Date;
  graceMs?: number;
  /** How long a payment may go without an outcome (default `PAYMENT_OUTCOME_WITHIN_MS`). */
  outcomeWithinMs?: number;
  /** Which wallets to compare (default: every wallet). */
  wallets?: WalletSweep;
}

export interface InvariantReport {
  ok: boolean;
  /** Sum of every account's balance in the trial balance: must be "0". */
  ledgerTotalMinor: string;
  accounts: number;
  /** The same per currency. */
  ledger: LedgerTotal[];
  /** Payments with more than one outcome event (each is a violation). */
  paymentsWithSeveralOutcomes: Array<{ paymentId: string; outcomes: number }>;
  /** Outcome events for a payment whose PaymentInitiated was never seen. */
  outcomesWithoutPayment: string[];
  pendingPayments: number;
  /** Payments started more than `outcomeWithinMs` before `asOf` and still without an outcome, oldest first. */
  paymentsWithoutOutcome: Array<{ paymentId: string; kind: string | null; initiatedAt: string }>;
  paymentsWithoutOutcomeCount: number;
  outcomeWithinMs: number;
  /** Holds still open more than `graceMs` after their expiry, as of `asOf`. */
  holdsOpenPastExpiry: OverdueHold[];
  holdsOpenPastExpiryCount: number;
  openHolds: number;
  /** Wallets whose balance disagrees with their postings or their statement. */
  walletBalances: WalletBalanceCheck;
  asOf: string;
  graceMs: number;
}

async function overdueHolds(dataSource: DataSource, deadline: Date): Promise<{ listed: OverdueHold[]; count: number; open: number }> {
  const holds = dataSource.getRepository(WalletHoldRow);
  const overdue = holds.createQueryBuilder('h').where("h.status = 'open' AND h.expires_at < :deadline", { deadline });
  const rows = await overdue.clone().orderBy('h.expires_at').addOrderBy('h.hold_id').limit(LISTED).getMany();
  return {
    listed: rows.map((row) => ({
      walletId: row.walletId,
      holdId: row.holdId,
      reference: row.reference,
      amountMinor: row.amountMinor,
      expiresAt: row.expiresAt.toISOString(),
    })),
    count: await overdue.getCount(),
    open: await holds.countBy({ status: 'open' }),
  };
}

/**
 * The trial balance per currency. Postings carry no currency: the ledger keeps CNY only
 * (`CURRENCY`, libs/util/src/money.ts), so every account is in it. The result is per currency
 * nevertheless, so that the alert key, the report and the dashboard stay as they are when accounts
 * gain a currency and this statement groups by it.
 */
export async function ledgerTotals(dataSource: DataSource): Promise<LedgerTotal[]> {
  const rows = (await dataSource.query(
    `SELECT $1::text AS currency, coalesce(sum(balance_minor), 0)::text AS total, count(*)::int AS accounts FROM analytics.trial_balance`,
    [CURRENCY],
  )) as Array<{ currency: string; total: string; accounts: number }>;
  return rows.map((row) => ({ currency: row.currency, totalMinor: row.total, accounts: row.accounts }));
}

interface WalletCheckRow {
  present: number;
  places: number;
  wallets: number;
  swept: number;
  swept_to: string | null;
  broken: number;
  listed: WalletMismatch[];
}

/**
 * Compares, for each chosen wallet, its balance in `wallet_balances` (folded from the wallet's
 * events) with the sum of the journal's postings to its account (`trial_balance`, from the postings
 * of the same events) and with its statement's balance (`statement_wallets`). Three projections of
 * one store, each committed in its own transaction: they are compared only in a snapshot where their
 * checkpoints are the same cursor, read by the same statement; else the check is retried and, if the
 * projector keeps applying pages in between, reported as not compared.
 */
export async function checkWalletBalances(dataSource: DataSource, sweep: WalletSweep = {}): Promise<WalletBalanceCheck> {
  for (let attempt = 1; ; attempt++) {
    const rows = (await dataSource.query(
      `WITH places AS (
         SELECT count(*)::int AS present, count(DISTINCT cursor)::int AS places FROM analytics.projector_checkpoints WHERE name = ANY($1::text[])),
       swept AS (SELECT wallet_id FROM analytics.wallet_balances WHERE wallet_id > $2 ORDER BY wallet_id LIMIT $3),
       chosen AS (SELECT wallet_id FROM swept UNION SELECT unnest($4::text[])),
       compared AS (
         SELECT c.wallet_id, coalesce(w.balance_minor, 0) AS balance, coalesce(t.balance_minor, 0) AS postings, s.balance_minor AS statement
           FROM chosen c
           LEFT JOIN analytics.wallet_balances w ON w.wallet_id = c.wallet_id
           LEFT JOIN analytics.trial_balance t ON t.account = 'wallet:' || c.wallet_id
           LEFT JOIN analytics.statement_wallets s ON s.wallet_id = c.wallet_id),
       broken AS (SELECT * FROM compared WHERE balance <> postings OR balance <> coalesce(statement, 0))
       SELECT p.present, p.places,
         (SELECT count(*)::int FROM compared) AS wallets,
         (SELECT count(*)::int FROM swept) AS swept,
         (SELECT wallet_id FROM swept ORDER BY wallet_id DESC LIMIT 1) AS swept_to,
         (SELECT count(*)::int FROM broken) AS broken,
         (SELECT coalesce(json_agg(json_build_object('walletId', b.wallet_id, 'balanceMinor', b.balance::text, 'postingsMinor', b.postings::text,
                   'statementMinor', b.statement::text) ORDER BY b.wallet_id), '[]'::json)
            FROM (SELECT * FROM broken ORDER BY wallet_id LIMIT $5) b) AS listed
         FROM places p`,
      [WALLET_CHECK_PROJECTIONS, sweep.after ?? '', sweep.limit ?? null, [...(sweep.also ?? [])], LISTED],
    )) as WalletCheckRow[];
    const row = rows[0]!;
    const together = row.present === WALLET_CHECK_PROJECTIONS.length && row.places === 1;
    if (!together && row.present === WALLET_CHECK_PROJECTIONS.length && attempt < WALLET_CHECK_ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, WALLET_CHECK_RETRY_MS));
      continue;
    }
    if (!together) return { compared: false, wallets: 0, mismatches: [], mismatchCount: 0 };
    const bounded = sweep.limit !== undefined && row.swept >= sweep.limit && row.swept_to !== null;
    return {
      compared: true,
      wallets: row.wallets,
      mismatches: row.listed,
      mismatchCount: row.broken,
      ...(bounded ? { sweptTo: row.swept_to! } : {}),
    };
  }
}

export async function checkInvariants(dataSource: DataSource, options: InvariantOptions = {}): Promise<InvariantReport> {
  const asOf = options.asOf ?? new Date();
  const graceMs = options.graceMs ?? HOLD_EXPIRY_GRACE_MS;
  const ledger = await ledgerTotals(dataSource);
  const payments = dataSource.getRepository(PaymentRow);
  // Both match the partial index `payments_odd_outcomes_idx`: only the odd rows are read.
  const several = await payments.createQueryBuilder('p').where('p.outcome_count > 1').orderBy('p.payment_id').limit(LISTED).getMany();
  const orphans = await payments
    .createQueryBuilder('p')
    .where('p.outcome_count > 0 AND p.initiated_at IS NULL')
    .orderBy('p.payment_id')
    .limit(LISTED)
    .getMany();
  const pendingPayments = await payments.countBy({ status: 'pending' });
  const outcomeWithinMs = options.outcomeWithinMs ?? PAYMENT_OUTCOME_WITHIN_MS;
  const stuck = payments
    .createQueryBuilder('p')
    .where("p.status = 'pending' AND p.initiated_at < :started", { started: new Date(asOf.getTime() - outcomeWithinMs) });
  const stuckListed = await stuck.clone().orderBy('p.initiated_at').addOrderBy('p.payment_id').limit(LISTED).getMany();
  const stuckCount = await stuck.getCount();
  const holds = await overdueHolds(dataSource, new Date(asOf.getTime() - graceMs));
  const walletBalances = await checkWalletBalances(dataSource, options.wallets);
  const total = ledger.reduce((sum, currency) => sum + BigInt(currency.totalMinor), 0n);
  const report: InvariantReport = {
    ok: false,
    ledgerTotalMinor: total.toString(),
    accounts: ledger.reduce((sum, currency) => sum + currency.accounts, 0),
    ledger,
    paymentsWithSeveralOutcomes: several.map((row) => ({ paymentId: row.paymentId, outcomes: row.outcomeCount })),
    outcomesWithoutPayment: orphans.map((row) => row.paymentId),
    pendingPayments,
    paymentsWithoutOutcome: stuckListed.map((row) => ({
      paymentId: row.paymentId,
      kind: row.kind,
      initiatedAt: row.initiatedAt!.toISOString(),
    })),
    paymentsWithoutOutcomeCount: stuckCount,
    outcomeWithinMs,
    holdsOpenPastExpiry: holds.listed,
    holdsOpenPastExpiryCount: holds.count,
    openHolds: holds.open,
    walletBalances,
    asOf: asOf.toISOString(),
    graceMs,
  };
  report.ok =
    ledger.every((currency) => currency.totalMinor === '0') &&
    report.paymentsWithSeveralOutcomes.length === 0 &&
    report.outcomesWithoutPayment.length === 0 &&
    stuckCount === 0 &&
    holds.count === 0 &&
    walletBalances.mismatchCount === 0;
  return report;
}

function walletLine(check: WalletBalanceCheck): string {
  if (!check.compared)
    return 'skip every wallet’s balance equals its postings and its statement (its read models were at different places of the wallet store, or not built: run again)';
  const listed = check.mismatches.map(
    (m) => `\n       ${m.walletId}: balance ${m.balanceMinor}, postings ${m.postingsMinor}, statement ${m.statementMinor ?? 'none'} fen`,
  );
  return `${check.mismatchCount === 0 ? 'ok  ' : 'FAIL'} every wallet’s balance equals its postings and its statement over ${check.wallets} wallet${check.wallets === 1 ? '' : 's'}${check.mismatchCount > 0 ? ` (${check.mismatchCount})` : ''}${listed.join('')}`;
}

export function formatInvariants(report: InvariantReport): string {
  return [
    ...report.ledger.map(
      (currency) =>
        `${currency.totalMinor === '0' ? 'ok  ' : 'FAIL'} ledger sums to zero in ${currency.currency} over ${currency.accounts} accounts (total ${currency.totalMinor} fen)`,
    ),
    `${report.paymentsWithSeveralOutcomes.length === 0 ? 'ok  ' : 'FAIL'} every payment has at most one outcome${report.paymentsWithSeveralOutcomes.map((p) => `\n       ${p.paymentId}: ${p.outcomes} outcomes`).join('')}`,
    `${report.outcomesWithoutPayment.length === 0 ? 'ok  ' : 'FAIL'} every outcome belongs to an initiated payment${report.outcomesWithoutPayment.map((id) => `\n       ${id}`).join('')}`,
    `${report.paymentsWithoutOutcomeCount === 0 ? 'ok  ' : 'FAIL'} every payment has an outcome within ${report.outcomeWithinMs / 60_000} min of its start${report.paymentsWithoutOutcomeCount > 0 ? ` (${report.paymentsWithoutOutcomeCount})` : ''}${report.paymentsWithoutOutcome.map((p) => `\n       ${p.paymentId} (${p.kind ?? '?'}) started ${p.initiatedAt}`).join('')}`,
    `${report.holdsOpenPastExpiryCount === 0 ? 'ok  ' : 'FAIL'} no hold open past its expiry (+${report.graceMs} ms) as of ${report.asOf}${report.holdsOpenPastExpiryCount > 0 ? ` (${report.holdsOpenPastExpiryCount})` : ''}${report.holdsOpenPastExpiry.map((h) => `\n       ${h.walletId} hold ${h.holdId}: ${h.amountMinor} fen, expired ${h.expiresAt}, payment ${h.reference}`).join('')}`,
    walletLine(report.walletBalances),
    `info ${report.pendingPayments} payments still in flight, ${report.openHolds} holds open`,
  ].join('\n');
}
