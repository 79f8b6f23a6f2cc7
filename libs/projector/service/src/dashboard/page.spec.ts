import type { DashboardData, LiveAlert } from './dashboard-data';
import { renderDashboard } from './page';

function data(alerts: LiveAlert[]): DashboardData {
  return {
    volume: [],
    outcomes: [],
    failureCodes: [],
    funnel: { registered: 0, cardBound: 0, walletOpened: 0, firstPayment: 0 },
    invariants: {
      ok: true,
      ledgerTotalMinor: '0',
      accounts: 0,
      ledger: [{ currency: 'CNY', totalMinor: '0', accounts: 0 }],
      paymentsWithSeveralOutcomes: [],
      outcomesWithoutPayment: [],
      pendingPayments: 0,
      paymentsWithoutOutcome: [],
      paymentsWithoutOutcomeCount: 0,
      outcomeWithinMs: 18_000_000,
      holdsOpenPastExpiry: [],
      holdsOpenPastExpiryCount: 0,
      openHolds: 0,
      walletBalances: { compared: true, wallets: 0, mismatches: [], mismatchCount: 0 },
      asOf: '2026-12-01T00:00:00.000Z',
      graceMs: 1_000,
    },
    alerts,
  };
}

describe('dashboard page: live alerts', () => {
  it('given no raised alert, then the section says so', () => {
    const page = renderDashboard(data([]));
    expect(page).toContain(
      '<section id="alerts-section" data-alerts="0"><h2>Live alerts: 0</h2><p class="muted">No alert is raised.</p></section>',
    );
  });

  it('given a raised alert, then it shows what (invariant, subject, summary, the first ids and how many more) and since when, escaped', () => {
    const page = renderDashboard(
      data([
        {
          key: 'payment-outcome-in-time:payments',
          invariant: 'payment-outcome-in-time',
          subject: 'payments',
          severity: 'warning',
          summary: '3 payments without an outcome more than 300 min after the start',
          details: ['p-1', '<script>p-2</script>'],
          detailsTotal: 3,
          firstSeenAt: '2026-12-01T08:00:00.000Z',
          checkedAt: '2026-12-01T08:05:00.000Z',
        },
      ]),
    );
    expect(page).toContain('<h2>Live alerts: 1</h2>');
    expect(page).toContain('data-alert="payment-outcome-in-time:payments" data-severity="warning"');
    expect(page).toContain(
      '<strong>payment-outcome-in-time</strong> (payments): 3 payments without an outcome more than 300 min after the start',
    );
    expect(page).toContain('since <time datetime="2026-12-01T08:00:00.000Z">');
    expect(page).toContain('<ul class="alert-ids"><li>p-1</li><li>&lt;script&gt;p-2&lt;/script&gt;</li><li>… 1 more</li></ul>');
    expect(page).not.toContain('<script>');
  });
});
