/**
 * `staff_actions_identity`, `staff_actions_payments`: every event a member of staff caused, for the
 * supervisors' trail (`projector.ListStaffActions.v1`). A staff action is an event whose `actor`
 * (metadata, written by the service from the command's verified actor) is `support:`, `teller:` or
 * `supervisor:<agentId>`: freezes, unfreezes, second-factor resets and maintenance windows in
 * identity; counter deposits, their approvals and rejections, and every look-up of a user's
 * payments (the support-access trail) in payments. Staff logins are actions too: every attempt is
 * on the agent's `staff-<agentId>` stream in identity, sent by nobody yet (`anonymous`).
 *
 * One projection per source store (each keeps its own checkpoint and can be rebuilt alone); the
 * query reads both tables. Rows hold what was done, to whom and when, never the event's data.
 */
import { parseActorHeader } from '@ledger/contracts';
import type { RecordedEvent } from '@ledger/event-store';
import { tableName, type Projection, type Sql, type TableNames } from './projection';

const STAFF_KINDS: ReadonlySet<string> = new Set(['support', 'teller', 'supervisor']);
const STAFF_LOGIN_STREAM = 'staff-';

export interface StaffAction {
  agentId: string;
  /** The role the agent acted in (the actor's kind), or `login` for a login attempt. */
  role: string;
  subject: string | null;
}

/** Who of the staff caused `event`, or undefined when nobody of the staff did. */
export function staffActionOf(event: RecordedEvent): StaffAction | undefined {
  const subject = typeof event.data.userId === 'string' ? event.data.userId : null;
  if (event.stream.startsWith(STAFF_LOGIN_STREAM))
    return { agentId: event.stream.slice(STAFF_LOGIN_STREAM.length), role: 'login', subject: null };
  const actor = parseActorHeader(String(event.metadata.actor ?? ''));
  if (actor === undefined || !STAFF_KINDS.has(actor.kind)) return undefined;
  return { agentId: actor.id, role: actor.kind, subject };
}

export type StaffActionSource = 'identity' | 'payments';

export const staffActionsTable = (source: StaffActionSource): string => `staff_actions_${source}`;

function staffActionsProjection(source: StaffActionSource): Projection {
  const table = staffActionsTable(source);
  return {
    name: table,
    source,
    description: `what each member of staff did in ${source} (actor support:, teller: or supervisor:${source === 'identity' ? ', and staff logins' : ''})`,
    tables: [{ name: table, order: 'occurred_at, seq' }],
    async applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void> {
      const rows: Array<Array<string | null>> = [];
      for (const event of events) {
        const action = staffActionOf(event);
        if (action === undefined) continue;
        const occurredAt = typeof event.metadata.occurredAt === 'string' ? event.metadata.occurredAt : event.recordedAt.toISOString();
        rows.push([
          event.id,
          event.position.toString(),
          action.agentId,
          action.role,
          event.type,
          event.stream,
          action.subject,
          occurredAt,
          typeof event.metadata.commandId === 'string' ? event.metadata.commandId : null,
        ]);
      }
      if (rows.length === 0) return;
      await sql(
        `INSERT INTO ${tableName(tables, table)} (event_id, seq, agent_id, role, action, stream, subject_user_id, occurred_at, command_id)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[]) ON CONFLICT DO NOTHING`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => rows.map((row) => row[i])),
      );
    },
  };
}

export const identityStaffActionsProjection = staffActionsProjection('identity');
export const paymentsStaffActionsProjection = staffActionsProjection('payments');
