import { opsContract } from '@ledger/contracts';
import type { ReplaySampleReport } from '../engine/replay-sample';
import type { InvariantReport } from '../invariants';
import { alertKey, invariantVerdicts, replayVerdicts } from './verdicts';

/** A report of read models where every invariant holds. */
function healthy(): InvariantReport {
  return {
    ok: true,
    ledgerTotalMinor: '0',
    accounts: 4,
    ledger: [{ currency: 'CNY', totalMinor: '0', accounts: 4 }],
    paymentsWithSeveralOutcomes: [],
    outcomesWithoutPayment: [],
    pendingPayments: 0,
    paymentsWithoutOutcome: [],
    paymentsWithoutOutcomeCount: 0,
    outcomeWithinMs: 5 * 3_600_000,
    holdsOpenPastExpiry: [],
    holdsOpenPastExpiryCount: 0,
    openHolds: 0,
    walletBalances: { compared: true, wallets: 2, mismatches: [], mismatchCount: 0 },
    asOf: '2026-12-01T00:00:00.000Z',
    graceMs: 10_000,
  };
}

describe('invariant verdicts', () => {
  it('given read models where every invariant holds, then there is one holding verdict per alert key, none breached', () => {
    const verdicts = invariantVerdicts(healthy());
    expect(verdicts.map((v) => alertKey(v.invariant, v.subject))).toEqual([
      'ledger-balanced:CNY',
      'payment-single-outcome:payments',
      'payment-outcome-has-payment:payments',
      'payment-outcome-in-time:payments',
      'hold-closed-by-expiry:wallet_holds',
      'wallet-balance-equals-postings:wallets',
    ]);
    expect(verdicts.filter((v) => v.breach !== undefined)).toEqual([]);
  });

  it('given wallets that were not compared (read models between two pages), then the wallet invariant gets no verdict at all', () => {
    const report = { ...healthy(), walletBalances: { compared: false, wallets: 0, mismatches: [], mismatchCount: 0 } };
    expect(invariantVerdicts(report).map((v) => v.invariant)).not.toContain('wallet-balance-equals-postings');
  });

  it('given many payments without an outcome, then the alert lists the first ids only and counts them all', () => {
    const stuck = Array.from({ length: 30 }, (_, i) => ({
      paymentId: `p-${i}`,
      kind: 'merchant',
      initiatedAt: '2026-11-30T00:00:00.000Z',
    }));
    const verdict = invariantVerdicts({ ...healthy(), paymentsWithoutOutcome: stuck, paymentsWithoutOutcomeCount: 1_234 }).find(
      (v) => v.invariant === 'payment-outcome-in-time',
    );
    expect(verdict).toMatchObject({ subject: 'payments', severity: 'warning' });
    expect(verdict!.breach!.details).toEqual(stuck.slice(0, opsContract.ALERT_DETAILS_MAX).map((p) => p.paymentId));
    expect(verdict!.breach!.detailsTotal).toBe(1_234);
    expect(verdict!.breach!.summary).toBe('1234 payments without an outcome more than 300 min after the start');
  });

  it('given an unbalanced trial balance and a wallet off its postings, then both are critical and say what is wrong', () => {
    const verdicts = invariantVerdicts({
      ...healthy(),
      ledger: [{ currency: 'CNY', totalMinor: '-25', accounts: 1 }],
      walletBalances: {
        compared: true,
        wallets: 2,
        mismatches: [{ walletId: 'w-7', balanceMinor: '100', postingsMinor: '75', statementMinor: '100' }],
        mismatchCount: 1,
      },
    });
    expect(verdicts.find((v) => v.invariant === 'ledger-balanced')).toMatchObject({
      severity: 'critical',
      breach: { summary: 'the trial balance in CNY sums to -25 fen over 1 account, not 0', details: [], detailsTotal: 0 },
    });
    expect(verdicts.find((v) => v.invariant === 'wallet-balance-equals-postings')).toMatchObject({
      severity: 'critical',
      breach: { details: ['w-7'], detailsTotal: 1 },
    });
  });

  it('given a sampled replay, then each checked projection gets a verdict naming the differing streams, and an unchecked one none', () => {
    const report: ReplaySampleReport = {
      results: [
        { projection: 'wallet_balances', checked: true, streams: 16, differing: [], skipped: [] },
        {
          projection: 'statements',
          checked: true,
          streams: 16,
          differing: [
            { stream: 'wallet-w1', tables: ['statement_lines'] },
            { stream: 'wallet-w2', tables: ['statement_lines', 'statement_wallets'] },
          ],
          skipped: [],
        },
        { projection: 'payment_outcomes', checked: false, streams: 0, differing: [], skipped: [] },
      ],
      sweptTo: {},
    };
    expect(replayVerdicts(report)).toEqual([
      { invariant: 'read-model-equals-replay', subject: 'wallet_balances', severity: 'warning' },
      {
        invariant: 'read-model-equals-replay',
        subject: 'statements',
        severity: 'warning',
        breach: {
          summary: 'statements differs from its replay for 2 streams (statement_lines, statement_wallets)',
          details: ['wallet-w1', 'wallet-w2'],
          detailsTotal: 2,
        },
      },
    ]);
  });
});
