/**
 * Invariants checked on the read models (through the TypeORM entities): the ledger sums to zero,
 * every payment reaches exactly one outcome (never two, and one within `outcomeWithinMs` of its
 * start), and no hold stays open past its expiry.
 */
import type { DataSource } from 'typeorm';
import { PaymentRow, TrialBalanceRow, WalletHoldRow } from './db/entities';

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

export interface OverdueHold {
  walletId: string;
  holdId: string;
  /** The payment id of the reservation. */
  reference: string;
  amountMinor: string;
  expiresAt: string;
}

export interface InvariantOptions {
  /** The instant the holds and the payments in flight are judged at; defaults to now. */
  asOf?: Date;
  graceMs?: number;
  /** How long a payment may go without an outcome (default `PAYMENT_OUTCOME_WITHIN_MS`). */
  outcomeWithinMs?: number;
}

export interface InvariantReport {
  ok: boolean;
  /** Sum of every account's balance in the trial balance: must be "0". */
  ledgerTotalMinor: string;
  accounts: number;
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

export async function checkInvariants(dataSource: DataSource, options: InvariantOptions = {}): Promise<InvariantReport> {
  const asOf = options.asOf ?? new Date();
  const graceMs = options.graceMs ?? HOLD_EXPIRY_GRACE_MS;
  const total = await dataSource
    .getRepository(TrialBalanceRow)
    .createQueryBuilder('t')
    .select('coalesce(sum(t.balance_minor), 0)::text', 'total')
    .addSelect('count(*)::int', 'accounts')
    .getRawOne<{ total: string; accounts: number }>();
  const payments = dataSource.getRepository(PaymentRow);
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
  const ledgerTotalMinor = total?.total ?? '0';
  const report: InvariantReport = {
    ok: false,
    ledgerTotalMinor,
    accounts: total?.accounts ?? 0,
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
    asOf: asOf.toISOString(),
    graceMs,
  };
  report.ok =
    ledgerTotalMinor === '0' &&
    report.paymentsWithSeveralOutcomes.length === 0 &&
    report.outcomesWithoutPayment.length === 0 &&
    stuckCount === 0 &&
    holds.count === 0;
  return report;
}

export function formatInvariants(report: InvariantReport): string {
  return [
    `${report.ledgerTotalMinor === '0' ? 'ok  ' : 'FAIL'} ledger sums to zero over ${report.accounts} accounts (total ${report.ledgerTotalMinor} fen)`,
    `${report.paymentsWithSeveralOutcomes.length === 0 ? 'ok  ' : 'FAIL'} every payment has at most one outcome${report.paymentsWithSeveralOutcomes.map((p) => `\n       ${p.paymentId}: ${p.outcomes} outcomes`).join('')}`,
    `${report.outcomesWithoutPayment.length === 0 ? 'ok  ' : 'FAIL'} every outcome belongs to an initiated payment${report.outcomesWithoutPayment.map((id) => `\n       ${id}`).join('')}`,
    `${report.paymentsWithoutOutcomeCount === 0 ? 'ok  ' : 'FAIL'} every payment has an outcome within ${report.outcomeWithinMs / 60_000} min of its start${report.paymentsWithoutOutcomeCount > 0 ? ` (${report.paymentsWithoutOutcomeCount})` : ''}${report.paymentsWithoutOutcome.map((p) => `\n       ${p.paymentId} (${p.kind ?? '?'}) started ${p.initiatedAt}`).join('')}`,
    `${report.holdsOpenPastExpiryCount === 0 ? 'ok  ' : 'FAIL'} no hold open past its expiry (+${report.graceMs} ms) as of ${report.asOf}${report.holdsOpenPastExpiryCount > 0 ? ` (${report.holdsOpenPastExpiryCount})` : ''}${report.holdsOpenPastExpiry.map((h) => `\n       ${h.walletId} hold ${h.holdId}: ${h.amountMinor} fen, expired ${h.expiresAt}, payment ${h.reference}`).join('')}`,
    `info ${report.pendingPayments} payments still in flight, ${report.openHolds} holds open`,
  ].join('\n');
}
