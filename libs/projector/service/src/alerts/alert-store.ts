/**
 * The alerts' state in `analytics.invariant_alerts`, one row per alert key, and its outbox.
 *
 * A verdict changes the state only on a transition: a breach with no raised alert raises it (new
 * alert event, first seen now), a holding invariant with a raised alert clears it (new alert event,
 * first seen kept); a breach of a raised alert only refreshes its summary and ids, and nothing else
 * changes anything. Each transition is written with `published_at` null in the same transaction, and
 * the publisher sends those rows and marks them afterwards: an alert is published at least once (the
 * same `alertId` again after a crash between the send and the mark), and a restart neither raises
 * an alert again nor forgets one, since the state is here and not in memory. Only the current state
 * is sent: a breach that started and ended while the broker was away is neither raised nor cleared.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { opsContract } from '@ledger/contracts';
import { InvariantAlertRow } from '../db/entities';
import { alertKey, type Verdict } from './verdicts';

/** Any fixed number: two evaluators (a projector started twice) take turns instead of both raising the same alert. */
const ALERTS_LOCK = 7_349_221_002;
/** Cleared alerts kept for the dashboard and for looking back, then deleted. */
export const CLEARED_ALERT_RETENTION_MS = 7 * 24 * 3_600_000;
/** Rows read or deleted per statement: the table is small, but no statement should depend on that. */
const ALERT_ROWS_MAX = 500;

export type InvariantAlert = opsContract.InvariantAlert;

export interface Transitions {
  raised: string[];
  cleared: string[];
}

export function alertEventOf(row: InvariantAlertRow): InvariantAlert {
  return {
    alertId: row.eventId,
    key: row.key,
    invariant: row.invariant as opsContract.InvariantName,
    subject: row.subject,
    state: row.state as opsContract.AlertState,
    severity: row.severity as opsContract.AlertSeverity,
    summary: row.summary,
    details: row.state === 'raised' ? row.details : [],
    detailsTotal: row.state === 'raised' ? row.detailsTotal : 0,
    firstSeenAt: row.firstSeenAt.toISOString(),
    at: row.changedAt.toISOString(),
  };
}

/** The current state of every alert (bounded). */
export function loadAlerts(dataSource: DataSource): Promise<InvariantAlertRow[]> {
  return dataSource.getRepository(InvariantAlertRow).find({ order: { key: 'ASC' }, take: ALERT_ROWS_MAX });
}

/** The raised alerts, most recent first, for the dashboard. */
export function raisedAlerts(dataSource: DataSource, limit = 100): Promise<InvariantAlertRow[]> {
  return dataSource
    .getRepository(InvariantAlertRow)
    .find({ where: { state: 'raised' }, order: { firstSeenAt: 'DESC', key: 'ASC' }, take: limit });
}

/**
 * Applies one evaluation's verdicts at `at`. Returns the transitions, or undefined when another
 * evaluator holds the alerts (its verdicts are as recent as these; nothing is lost by skipping).
 */
export async function applyVerdicts(dataSource: DataSource, verdicts: readonly Verdict[], at: Date): Promise<Transitions | undefined> {
  return dataSource.transaction(async (manager: EntityManager) => {
    const [lock] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [ALERTS_LOCK])) as Array<{ locked: boolean }>;
    if (!lock?.locked) return undefined;
    const repository = manager.getRepository(InvariantAlertRow);
    const keys = verdicts.map((verdict) => alertKey(verdict.invariant, verdict.subject));
    const rows = keys.length === 0 ? [] : await repository.createQueryBuilder('a').where('a.key IN (:...keys)', { keys }).getMany();
    const current = new Map(rows.map((row) => [row.key, row]));
    const transitions: Transitions = { raised: [], cleared: [] };
    for (const verdict of verdicts) {
      const key = alertKey(verdict.invariant, verdict.subject);
      const row = current.get(key);
      const raised = row?.state === 'raised';
      if (verdict.breach && raised) {
        // Still breached: the same alert; what it lists may have changed, which the dashboard shows, but nothing is published.
        await repository.update(
          { key },
          { summary: verdict.breach.summary, details: verdict.breach.details, detailsTotal: verdict.breach.detailsTotal, checkedAt: at },
        );
      } else if (verdict.breach) {
        await repository.save({
          key,
          invariant: verdict.invariant,
          subject: verdict.subject,
          state: 'raised',
          severity: verdict.severity,
          summary: verdict.breach.summary,
          details: verdict.breach.details,
          detailsTotal: verdict.breach.detailsTotal,
          firstSeenAt: at,
          changedAt: at,
          checkedAt: at,
          eventId: randomUUID(),
          publishedAt: null,
        });
        transitions.raised.push(key);
      } else if (row?.state === 'raised') {
        await repository.update(
          { key },
          {
            state: 'cleared',
            summary: `${verdict.invariant} holds again for ${verdict.subject}`,
            changedAt: at,
            checkedAt: at,
            eventId: randomUUID(),
            // A raise the broker never took was never announced: its end is not announced either.
            publishedAt: row.publishedAt === null ? at : null,
          },
        );
        transitions.cleared.push(key);
      }
    }
    return transitions;
  });
}

/** Transitions not yet acknowledged by the broker, oldest first. */
export async function unpublishedAlerts(dataSource: DataSource, limit = 100): Promise<InvariantAlert[]> {
  const rows = await dataSource
    .getRepository(InvariantAlertRow)
    .createQueryBuilder('a')
    .where('a.published_at IS NULL')
    .orderBy('a.changed_at')
    .addOrderBy('a.key')
    .limit(limit)
    .getMany();
  return rows.map(alertEventOf);
}

/** Marks what the broker acknowledged; a transition made meanwhile (another alert id) stays to be sent. */
export async function markPublished(dataSource: DataSource, alerts: readonly InvariantAlert[], at: Date): Promise<void> {
  if (alerts.length === 0) return;
  await dataSource.query(
    `UPDATE analytics.invariant_alerts AS a SET published_at = $3
       FROM unnest($1::text[], $2::text[]) AS p (key, event_id)
      WHERE a.key = p.key AND a.event_id = p.event_id AND a.published_at IS NULL`,
    [alerts.map((alert) => alert.key), alerts.map((alert) => alert.alertId), at],
  );
}

/** Deletes cleared alerts published longer than the retention ago (bounded per call). */
export async function pruneClearedAlerts(dataSource: DataSource, now: Date, retentionMs = CLEARED_ALERT_RETENTION_MS): Promise<void> {
  await dataSource.query(
    `DELETE FROM analytics.invariant_alerts WHERE key IN (
       SELECT key FROM analytics.invariant_alerts
        WHERE state = 'cleared' AND published_at IS NOT NULL AND changed_at < $1 ORDER BY changed_at LIMIT $2)`,
    [new Date(now.getTime() - retentionMs), ALERT_ROWS_MAX],
  );
}
