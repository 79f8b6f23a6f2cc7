/**
 * `identity_users`, `risk_alerts`, `account_freezes`: registrations, risk alerts and account
 * freezes/unfreezes, from the identity service's events (schema `identity`, streams `user-<id>`).
 * `identity_users` is also the funnel's "registered" step. Instants are the events' own `at` /
 * `registeredAt` (the decision's clock).
 */
import type { RecordedEvent } from '@ledger/event-store';
import { IDENTITY_EVENT } from '@ledger/identity-domain';
import { tableName, text, type Projection, type Sql, type TableNames } from './projection';

interface UserDelta {
  registeredAt: string | null;
  /** Shown as the sender of a transfer on the recipient's statement. */
  maskedPhone: string | null;
  identityLevel: string | null;
  status: string | null;
  statusSince: string | null;
  freezes: number;
  alerts: number;
}

function actorOf(actor: unknown): { kind: string; ref: string | null } {
  const record = (actor ?? {}) as Record<string, unknown>;
  const kind = typeof record.kind === 'string' ? record.kind : 'unknown';
  const ref = typeof record.agentId === 'string' ? record.agentId : typeof record.ruleId === 'string' ? record.ruleId : null;
  return { kind, ref };
}

export const riskProjection: Projection = {
  name: 'risk',
  source: 'identity',
  category: 'user',
  description: 'registered users, risk alerts and account freezes/unfreezes',
  tables: [
    { name: 'identity_users', order: 'user_id COLLATE "C"' },
    { name: 'risk_alerts', order: 'occurred_at, event_id COLLATE "C"' },
    { name: 'account_freezes', order: 'occurred_at, event_id COLLATE "C"' },
  ],
  async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
    const users = new Map<string, UserDelta>();
    const alerts: string[][] = [];
    const freezes: Array<Array<string | null>> = [];
    const userOf = (userId: string): UserDelta => {
      let delta = users.get(userId);
      if (!delta) {
        delta = { registeredAt: null, maskedPhone: null, identityLevel: null, status: null, statusSince: null, freezes: 0, alerts: 0 };
        users.set(userId, delta);
      }
      return delta;
    };
    for (const event of events) {
      const where = `${event.stream}@${event.revision}`;
      const data = event.data;
      switch (event.type) {
        case IDENTITY_EVENT.UserRegistered: {
          const delta = userOf(text(data.userId, where));
          delta.registeredAt = text(data.registeredAt, where);
          delta.maskedPhone = typeof data.maskedPhone === 'string' ? data.maskedPhone : null;
          delta.identityLevel = text(data.identityLevel, where);
          delta.status ??= 'active';
          break;
        }
        case IDENTITY_EVENT.RiskAlertRaised: {
          const userId = text(data.userId, where);
          userOf(userId).alerts += 1;
          alerts.push([
            event.id,
            userId,
            text(data.at, where),
            text(data.signal, where),
            text(data.severity, where),
            text(data.description, where),
            text(data.source, where),
          ]);
          break;
        }
        case IDENTITY_EVENT.AccountFrozen:
        case IDENTITY_EVENT.AccountUnfrozen: {
          const userId = text(data.userId, where);
          const frozen = event.type === IDENTITY_EVENT.AccountFrozen;
          const at = text(data.at, where);
          const delta = userOf(userId);
          delta.status = frozen ? 'frozen' : 'active';
          delta.statusSince = at;
          if (frozen) delta.freezes += 1;
          const actor = actorOf(data.actor);
          freezes.push([
            event.id,
            userId,
            at,
            frozen ? 'frozen' : 'unfrozen',
            actor.kind,
            actor.ref,
            frozen ? text(data.reason, where) : null,
          ]);
          break;
        }
        default:
          break;
      }
    }
    const column = <T>(rows: T[][], i: number) => rows.map((row) => row[i]);
    if (alerts.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'risk_alerts')} (event_id, user_id, occurred_at, signal, severity, description, source)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5, 6].map((i) => column(alerts, i)),
      );
    }
    if (freezes.length > 0) {
      await sql(
        `INSERT INTO ${tableName(tables, 'account_freezes')} (event_id, user_id, occurred_at, action, actor_kind, actor_ref, reason)
         SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5, 6].map((i) => column(freezes, i)),
      );
    }
    if (users.size > 0) {
      const rows = [...users.entries()];
      await sql(
        `INSERT INTO ${tableName(tables, 'identity_users')} AS t (user_id, registered_at, identity_level, status, status_since, freezes, risk_alerts, masked_phone)
         SELECT u.user_id, u.registered_at, u.identity_level, COALESCE(u.status, 'active'), u.status_since, u.freezes, u.risk_alerts, u.masked_phone
           FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::text[])
             AS u(user_id, registered_at, identity_level, status, status_since, freezes, risk_alerts, masked_phone)
         ON CONFLICT (user_id) DO UPDATE SET
           registered_at = COALESCE(t.registered_at, excluded.registered_at),
           masked_phone = COALESCE(t.masked_phone, excluded.masked_phone),
           identity_level = COALESCE(excluded.identity_level, t.identity_level),
           status = CASE WHEN excluded.status_since IS NOT NULL THEN excluded.status ELSE t.status END,
           status_since = COALESCE(excluded.status_since, t.status_since),
           freezes = t.freezes + excluded.freezes,
           risk_alerts = t.risk_alerts + excluded.risk_alerts`,
        [
          rows.map(([id]) => id),
          rows.map(([, d]) => d.registeredAt),
          rows.map(([, d]) => d.identityLevel),
          rows.map(([, d]) => d.status),
          rows.map(([, d]) => d.statusSince),
          rows.map(([, d]) => d.freezes),
          rows.map(([, d]) => d.alerts),
          rows.map(([, d]) => d.maskedPhone),
        ],
      );
    }
  },
};
