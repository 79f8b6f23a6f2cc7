/** The dashboard page: one self-contained HTML document (inline CSS and SVG, no script). */
import { COMPLETED_COLOR, columnChart, escapeHtml, failureColor, formatYuan, funnelChart, type BarColumn } from './charts';
import type { DashboardData } from './dashboard-data';

/** Nothing but this document's own inline styles may load: the page makes no request of its own. */
export const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const REFRESH_SECONDS = 30;

const STYLE = `
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; background: #fafafa; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 14px 16px; margin: 14px 0; max-width: 760px; }
  .chart { width: 100%; max-width: 720px; display: block; }
  .chart text { font-size: 11px; fill: #444; } .chart .caption { font-size: 10px; } .axis { stroke: #999; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0; list-style: none; font-size: 12px; }
  .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
  .invariant { margin: 4px 0; } .badge { display: inline-block; min-width: 40px; text-align: center; font-weight: 600; border-radius: 3px; padding: 0 4px; margin-right: 6px; color: #fff; }
  .ok .badge { background: #2e8b57; } .fail .badge { background: #c0392b; }
  .violations { margin: 2px 0 8px 52px; padding: 0; font: 12px ui-monospace, monospace; list-style: none; }
  .muted { color: #777; font-size: 12px; }
  .alert { margin: 6px 0; } .alert .badge { background: #d68910; } .alert.critical .badge { background: #c0392b; }
  .alert-ids { margin: 2px 0 8px 52px; padding: 0; font: 12px ui-monospace, monospace; list-style: none; }`;

function volumeSection(data: DashboardData): string {
  const columns: BarColumn[] = data.volume.map((day) => ({
    key: day.day,
    label: day.day.slice(5),
    caption: formatYuan(day.grossMinor),
    segments: [
      {
        value: BigInt(day.grossMinor),
        color: '#3b73b9',
        series: 'gross',
        title: `${day.day}: ${day.payments} payments, gross ${formatYuan(day.grossMinor)}, net ${formatYuan(day.netMinor)}`,
      },
    ],
  }));
  return `<section id="volume-section"><h2>Daily merchant volume (gross, Asia/Shanghai days)</h2>${columnChart('volume', 'daily merchant volume', columns)}</section>`;
}

function outcomesSection(data: DashboardData): string {
  const colorOf = new Map(data.failureCodes.map((failure, i) => [failure.code, failureColor(i)]));
  const columns: BarColumn[] = data.outcomes.map((day) => ({
    key: day.day,
    label: day.day.slice(5),
    caption: `${day.completed}/${day.failed}`,
    segments: [
      { value: BigInt(day.completed), color: COMPLETED_COLOR, series: 'completed', title: `${day.day}: ${day.completed} completed` },
      ...day.failures.map((failure) => ({
        value: BigInt(failure.payments),
        color: colorOf.get(failure.code)!,
        series: `failed:${failure.code}`,
        title: `${day.day}: ${failure.payments} failed, ${failure.code}`,
      })),
    ],
  }));
  const legend = [
    `<li data-series="completed"><span class="swatch" style="background:${COMPLETED_COLOR}"></span>completed</li>`,
    ...data.failureCodes.map(
      (failure) =>
        `<li data-series="failed:${escapeHtml(failure.code)}" data-count="${failure.payments}"><span class="swatch" style="background:${colorOf.get(failure.code)}"></span>${escapeHtml(failure.code)}: ${failure.payments}</li>`,
    ),
  ];
  return `<section id="outcomes-section"><h2>Payment outcomes and failure reasons per day</h2><p class="muted">caption: completed/failed</p>${columnChart('outcomes', 'payment outcomes per day', columns)}<ul class="legend" id="failure-reasons">${legend.join('')}</ul></section>`;
}

function funnelSection(data: DashboardData): string {
  const steps = [
    { key: 'registered', label: 'registered', count: data.funnel.registered },
    { key: 'cardBound', label: 'card bound', count: data.funnel.cardBound },
    { key: 'walletOpened', label: 'wallet opened', count: data.funnel.walletOpened },
    { key: 'firstPayment', label: 'first payment', count: data.funnel.firstPayment },
  ];
  return `<section id="funnel-section"><h2>Funnel: registration → card bound → wallet opened → first payment</h2>${funnelChart('funnel', steps)}</section>`;
}

function invariantLine(key: string, ok: boolean, text: string, violations: readonly string[]): string {
  const list = violations.length > 0 ? `<ul class="violations">${violations.map((v) => `<li>${escapeHtml(v)}</li>`).join('')}</ul>` : '';
  return `<div class="invariant ${ok ? 'ok' : 'fail'}" data-invariant="${key}" data-ok="${ok}"><span class="badge">${ok ? 'OK' : 'FAIL'}</span>${escapeHtml(text)}</div>${list}`;
}

/** The alerts the invariant monitor has raised and not cleared: what, since when, and the first ids it found. */
function alertsSection(data: DashboardData): string {
  const alerts = data.alerts.map((alert) => {
    const more = alert.detailsTotal > alert.details.length ? `<li>… ${alert.detailsTotal - alert.details.length} more</li>` : '';
    const ids =
      alert.details.length > 0
        ? `<ul class="alert-ids">${alert.details.map((id) => `<li>${escapeHtml(id)}</li>`).join('')}${more}</ul>`
        : '';
    return (
      `<div class="alert ${escapeHtml(alert.severity)}" data-alert="${escapeHtml(alert.key)}" data-severity="${escapeHtml(alert.severity)}">` +
      `<span class="badge">${escapeHtml(alert.severity.toUpperCase())}</span><strong>${escapeHtml(alert.invariant)}</strong> (${escapeHtml(alert.subject)}): ` +
      `${escapeHtml(alert.summary)} <span class="muted">since <time datetime="${escapeHtml(alert.firstSeenAt)}">${escapeHtml(alert.firstSeenAt)}</time>, ` +
      `still so at ${escapeHtml(alert.checkedAt)}</span></div>${ids}`
    );
  });
  const body = alerts.length > 0 ? alerts.join('') : '<p class="muted">No alert is raised.</p>';
  return `<section id="alerts-section" data-alerts="${data.alerts.length}"><h2>Live alerts: ${data.alerts.length}</h2>${body}</section>`;
}

function invariantsSection(data: DashboardData): string {
  const report = data.invariants;
  const lines = [
    invariantLine(
      'ledger',
      report.ledgerTotalMinor === '0',
      `ledger sums to zero over ${report.accounts} accounts (total ${report.ledgerTotalMinor} fen)`,
      [],
    ),
    invariantLine(
      'outcomes',
      report.paymentsWithSeveralOutcomes.length === 0 && report.outcomesWithoutPayment.length === 0,
      `every payment has exactly one outcome (${report.pendingPayments} still in flight)`,
      [
        ...report.paymentsWithSeveralOutcomes.map((p) => `payment ${p.paymentId}: ${p.outcomes} outcomes`),
        ...report.outcomesWithoutPayment.map((id) => `payment ${id}: outcome without an initiated payment`),
      ],
    ),
    invariantLine(
      'wallets',
      report.walletBalances.mismatchCount === 0,
      report.walletBalances.compared
        ? `every wallet’s balance equals its postings and its statement (${report.walletBalances.wallets} wallets)`
        : 'every wallet’s balance equals its postings and its statement (not compared: its read models were at different places of the wallet store)',
      report.walletBalances.mismatches.map(
        (m) =>
          `wallet ${m.walletId}: balance ${formatYuan(m.balanceMinor)}, postings ${formatYuan(m.postingsMinor)}, statement ${m.statementMinor === null ? 'none' : formatYuan(m.statementMinor)}`,
      ),
    ),
    invariantLine(
      'holds',
      report.holdsOpenPastExpiryCount === 0,
      `no hold open past its expiry (grace ${report.graceMs} ms; ${report.openHolds} open, ${report.holdsOpenPastExpiryCount} overdue)`,
      report.holdsOpenPastExpiry.map(
        (h) => `wallet ${h.walletId} hold ${h.holdId}: ${formatYuan(h.amountMinor)} expired ${h.expiresAt} (payment ${h.reference})`,
      ),
    ),
  ];
  return `<section id="invariants-section" data-ok="${report.ok}"><h2>Invariants: ${report.ok ? 'all hold' : 'VIOLATED'}</h2>${lines.join('')}<p class="muted">checked as of ${escapeHtml(report.asOf)}</p></section>`;
}

export function renderDashboard(data: DashboardData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>Ledger analytics</title><style>${STYLE}</style></head>
<body><h1>Ledger analytics</h1><p class="muted">Read models of schema analytics; refreshed every ${REFRESH_SECONDS} s. JSON: <code>/api/dashboard</code>.</p>
${alertsSection(data)}
${volumeSection(data)}
${outcomesSection(data)}
${funnelSection(data)}
${invariantsSection(data)}
</body></html>
`;
}
