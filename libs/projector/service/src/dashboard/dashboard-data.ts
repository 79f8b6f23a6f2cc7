/**
 * What the dashboard shows, read from the read models: daily merchant volume, payment outcomes and
 * failure reasons per day, the funnel, the invariants, and the live alerts the invariant monitor
 * has raised. Every query is a statement of its own
 * (READ COMMITTED, no surrounding transaction): a replay swapping a table in makes a query wait for
 * the swap's commit and then read the new table, whereas one long snapshot could see a swapped-in
 * table without the rows its swap transaction added.
 */
import type { DataSource } from 'typeorm';
import { raisedAlerts } from '../alerts/alert-store';
import { funnelSummary, type FunnelSummary } from '../funnel';
import { checkInvariants, type InvariantReport } from '../invariants';

/** Days shown per chart: the latest ones that have data (not "the last N calendar days": replays of old history stay readable). */
export const DASHBOARD_DAYS = 31;

export interface VolumeDay {
  /** Asia/Shanghai day, `YYYY-MM-DD`. */
  day: string;
  payments: number;
  grossMinor: string;
  netMinor: string;
}

export interface OutcomeDay {
  day: string;
  completed: number;
  failed: number;
  /** Failed payments per failure code, biggest first. */
  failures: Array<{ code: string; payments: number }>;
}

export interface DashboardData {
  volume: VolumeDay[];
  outcomes: OutcomeDay[];
  /** Failure codes over the days shown, biggest first. */
  failureCodes: Array<{ code: string; payments: number }>;
  funnel: FunnelSummary;
  invariants: InvariantReport;
  /** The alerts raised now, most recent first. */
  alerts: LiveAlert[];
}

export interface LiveAlert {
  key: string;
  invariant: string;
  subject: string;
  severity: string;
  summary: string;
  /** The first violating ids as of the last check. */
  details: string[];
  detailsTotal: number;
  firstSeenAt: string;
  /** The last check that found it still breached. */
  checkedAt: string;
}

async function liveAlerts(dataSource: DataSource): Promise<LiveAlert[]> {
  return (await raisedAlerts(dataSource)).map((row) => ({
    key: row.key,
    invariant: row.invariant,
    subject: row.subject,
    severity: row.severity,
    summary: row.summary,
    details: row.details,
    detailsTotal: row.detailsTotal,
    firstSeenAt: row.firstSeenAt.toISOString(),
    checkedAt: row.checkedAt.toISOString(),
  }));
}

async function volumeByDay(dataSource: DataSource): Promise<VolumeDay[]> {
  const rows = (await dataSource.query(
    `SELECT day::text AS day, sum(payments)::int AS payments, sum(gross_minor)::text AS gross, sum(net_minor)::text AS net
       FROM analytics.merchant_daily_volume GROUP BY day ORDER BY day DESC LIMIT $1`,
    [DASHBOARD_DAYS],
  )) as Array<{ day: string; payments: number; gross: string; net: string }>;
  return rows.reverse().map((row) => ({ day: row.day, payments: row.payments, grossMinor: row.gross, netMinor: row.net }));
}

async function outcomesByDay(dataSource: DataSource): Promise<OutcomeDay[]> {
  const rows = (await dataSource.query(
    `WITH days AS (SELECT DISTINCT day FROM analytics.payment_outcomes_daily ORDER BY day DESC LIMIT $1)
     SELECT o.day::text AS day, o.outcome, o.failure_code AS code, sum(o.payments)::int AS payments
       FROM analytics.payment_outcomes_daily o JOIN days USING (day)
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, o.failure_code COLLATE "C"`,
    [DASHBOARD_DAYS],
  )) as Array<{ day: string; outcome: string; code: string; payments: number }>;
  const days = new Map<string, OutcomeDay>();
  for (const row of rows) {
    let day = days.get(row.day);
    if (!day) {
      day = { day: row.day, completed: 0, failed: 0, failures: [] };
      days.set(row.day, day);
    }
    if (row.outcome === 'completed') {
      day.completed += row.payments;
    } else {
      day.failed += row.payments;
      day.failures.push({ code: row.code, payments: row.payments });
    }
  }
  return [...days.values()];
}

export function failureTotals(outcomes: readonly OutcomeDay[]): Array<{ code: string; payments: number }> {
  const totals = new Map<string, number>();
  for (const day of outcomes)
    for (const failure of day.failures) totals.set(failure.code, (totals.get(failure.code) ?? 0) + failure.payments);
  return [...totals.entries()]
    .map(([code, payments]) => ({ code, payments }))
    .sort((a, b) => b.payments - a.payments || (a.code < b.code ? -1 : 1));
}

export async function dashboardData(dataSource: DataSource, options: { asOf?: Date } = {}): Promise<DashboardData> {
  const outcomes = await outcomesByDay(dataSource);
  return {
    volume: await volumeByDay(dataSource),
    outcomes,
    failureCodes: failureTotals(outcomes),
    funnel: await funnelSummary(dataSource),
    invariants: await checkInvariants(dataSource, { asOf: options.asOf }),
    alerts: await liveAlerts(dataSource),
  };
}
