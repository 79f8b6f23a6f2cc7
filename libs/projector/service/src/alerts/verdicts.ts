/**
 * What one evaluation of the invariants says about each alert: a verdict per alert key, breached
 * (with a summary and the first violating ids) or holding. An invariant that could not be judged
 * this time (its read models were between two pages, or not built) gives no verdict, so its alert
 * keeps its state until a later evaluation can judge it.
 */
import { opsContract } from '@ledger/contracts';
import type { ReplaySampleReport } from '../engine/replay-sample';
import type { InvariantReport } from '../invariants';

export type InvariantName = opsContract.InvariantName;
export type AlertSeverity = opsContract.AlertSeverity;

export interface Breach {
  summary: string;
  /** The first violating ids, at most `ALERT_DETAILS_MAX`. */
  details: string[];
  /** How many violations there are in all. */
  detailsTotal: number;
}

export interface Verdict {
  invariant: InvariantName;
  subject: string;
  severity: AlertSeverity;
  /** Absent: the invariant holds for this subject. */
  breach?: Breach;
}

/** The subjects of the invariants that are not per currency or per projection: the read model they are judged on. */
export const SUBJECT = { payments: 'payments', holds: 'wallet_holds', wallets: 'wallets' } as const;

export function alertKey(invariant: InvariantName, subject: string): string {
  return `${invariant}:${subject}`;
}

function breach(summary: string, ids: readonly string[], total = ids.length): Breach {
  return { summary, details: ids.slice(0, opsContract.ALERT_DETAILS_MAX), detailsTotal: Math.max(total, ids.length) };
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The verdicts of the checks on request (`checkInvariants`), one per alert key. */
export function invariantVerdicts(report: InvariantReport): Verdict[] {
  const verdicts: Verdict[] = report.ledger.map((currency) => ({
    invariant: 'ledger-balanced',
    subject: currency.currency,
    severity: 'critical',
    ...(currency.totalMinor === '0'
      ? {}
      : {
          breach: breach(
            `the trial balance in ${currency.currency} sums to ${currency.totalMinor} fen over ${plural(currency.accounts, 'account')}, not 0`,
            [],
          ),
        }),
  }));
  const several = report.paymentsWithSeveralOutcomes;
  verdicts.push({
    invariant: 'payment-single-outcome',
    subject: SUBJECT.payments,
    severity: 'critical',
    ...(several.length === 0
      ? {}
      : {
          breach: breach(
            `${plural(several.length, 'payment')} with more than one outcome`,
            several.map((p) => p.paymentId),
          ),
        }),
  });
  const orphans = report.outcomesWithoutPayment;
  verdicts.push({
    invariant: 'payment-outcome-has-payment',
    subject: SUBJECT.payments,
    severity: 'critical',
    ...(orphans.length === 0 ? {} : { breach: breach(`${plural(orphans.length, 'outcome')} of a payment that never started`, orphans) }),
  });
  verdicts.push({
    invariant: 'payment-outcome-in-time',
    subject: SUBJECT.payments,
    severity: 'warning',
    ...(report.paymentsWithoutOutcomeCount === 0
      ? {}
      : {
          breach: breach(
            `${plural(report.paymentsWithoutOutcomeCount, 'payment')} without an outcome more than ${Math.round(report.outcomeWithinMs / 60_000)} min after the start`,
            report.paymentsWithoutOutcome.map((p) => p.paymentId),
            report.paymentsWithoutOutcomeCount,
          ),
        }),
  });
  verdicts.push({
    invariant: 'hold-closed-by-expiry',
    subject: SUBJECT.holds,
    severity: 'warning',
    ...(report.holdsOpenPastExpiryCount === 0
      ? {}
      : {
          breach: breach(
            `${plural(report.holdsOpenPastExpiryCount, 'hold')} still open more than ${report.graceMs} ms past the expiry`,
            report.holdsOpenPastExpiry.map((h) => `${h.walletId}/${h.holdId}`),
            report.holdsOpenPastExpiryCount,
          ),
        }),
  });
  const wallets = report.walletBalances;
  if (wallets.compared)
    verdicts.push({
      invariant: 'wallet-balance-equals-postings',
      subject: SUBJECT.wallets,
      severity: 'critical',
      ...(wallets.mismatchCount === 0
        ? {}
        : {
            breach: breach(
              `${plural(wallets.mismatchCount, 'wallet')} whose balance differs from the sum of its postings or from its statement`,
              wallets.mismatches.map((m) => m.walletId),
              wallets.mismatchCount,
            ),
          }),
    });
  return verdicts;
}

/** The verdicts of the sampled replay check, one per projection it could check. */
export function replayVerdicts(report: ReplaySampleReport): Verdict[] {
  return report.results
    .filter((result) => result.checked)
    .map((result) => ({
      invariant: 'read-model-equals-replay' as const,
      subject: result.projection,
      severity: 'warning' as const,
      ...(result.differing.length === 0
        ? {}
        : {
            breach: breach(
              `${result.projection} differs from its replay for ${plural(result.differing.length, 'stream')} (${[...new Set(result.differing.flatMap((d) => d.tables))].join(', ')})`,
              result.differing.map((d) => d.stream),
            ),
          }),
    }));
}
