/**
 * Invariants checked on the read models (through the TypeORM entities): the ledger sums to zero,
 * and every finished payment has exactly one outcome.
 */
import type { DataSource } from 'typeorm';
import { PaymentRow, TrialBalanceRow } from './db/entities';

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
}

export async function checkInvariants(dataSource: DataSource): Promise<InvariantReport> {
  const total = await dataSource.getRepository(TrialBalanceRow).createQueryBuilder('t').select('coalesce(sum(t.balance_minor), 0)::text', 'total').addSelect('count(*)::int', 'accounts').getRawOne<{ total: string; accounts: number }>();
  const payments = dataSource.getRepository(PaymentRow);
  const several = await payments.createQueryBuilder('p').where('p.outcome_count > 1').orderBy('p.payment_id').limit(1000).getMany();
  const orphans = await payments.createQueryBuilder('p').where('p.outcome_count > 0 AND p.initiated_at IS NULL').orderBy('p.payment_id').limit(1000).getMany();
  const pendingPayments = await payments.countBy({ status: 'pending' });
  const ledgerTotalMinor = total?.total ?? '0';
  const report: InvariantReport = {
    ok: false,
    ledgerTotalMinor,
    accounts: total?.accounts ?? 0,
    paymentsWithSeveralOutcomes: several.map((row) => ({ paymentId: row.paymentId, outcomes: row.outcomeCount })),
    outcomesWithoutPayment: orphans.map((row) => row.paymentId),
    pendingPayments,
  };
  report.ok = ledgerTotalMinor === '0' && report.paymentsWithSeveralOutcomes.length === 0 && report.outcomesWithoutPayment.length === 0;
  return report;
}

export function formatInvariants(report: InvariantReport): string {
  return [
    `${report.ledgerTotalMinor === '0' ? 'ok  ' : 'FAIL'} ledger sums to zero over ${report.accounts} accounts (total ${report.ledgerTotalMinor} fen)`,
    `${report.paymentsWithSeveralOutcomes.length === 0 ? 'ok  ' : 'FAIL'} every payment has at most one outcome${report.paymentsWithSeveralOutcomes.map((p) => `\n       ${p.paymentId}: ${p.outcomes} outcomes`).join('')}`,
    `${report.outcomesWithoutPayment.length === 0 ? 'ok  ' : 'FAIL'} every outcome belongs to an initiated payment${report.outcomesWithoutPayment.map((id) => `\n       ${id}`).join('')}`,
    `info ${report.pendingPayments} payments still in flight`,
  ].join('\n');
}
