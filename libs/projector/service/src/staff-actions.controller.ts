import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, projectorContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { InvalidPageCursor, decodePageCursor, encodePageCursor } from '@ledger/util';
import type { DataSource } from 'typeorm';
import { ProjectorLifecycle } from './projector-lifecycle';
import { staffActionsTable, type StaffActionSource } from './projections/staff-actions';

const SOURCES: readonly StaffActionSource[] = ['identity', 'payments'];
const DEFAULT_PAGE_SIZE = 20;

interface Row {
  seq: string;
  source: StaffActionSource;
  role: string;
  action: string;
  stream: string;
  subject_user_id: string | null;
  occurred_at: Date;
  command_id: string | null;
}

/**
 * One page of an agent's actions, newest first (the events of one decision, recorded at one
 * instant, in reverse store order), from both staff-action tables; `before` is the `nextCursor` of
 * the previous page (InvalidPageCursor otherwise).
 */
export async function listStaffActions(dataSource: DataSource, agentId: string, limit = DEFAULT_PAGE_SIZE, before?: string) {
  const after = before === undefined ? undefined : decodePageCursor(before);
  // The position is the store's, so the source breaks a tie between the two tables: (instant, position, source) orders every row.
  const position = after === undefined ? undefined : /^(\d{1,19}):(identity|payments)$/.exec(after.id);
  if (after !== undefined && (position === null || position === undefined)) throw new InvalidPageCursor();
  const values: unknown[] = [agentId, limit + 1];
  const where = after === undefined ? 'agent_id = $1' : 'agent_id = $1 AND (occurred_at, seq, source) < ($3::timestamptz, $4::bigint, $5)';
  if (after !== undefined && position) values.push(after.at, position[1], position[2]);
  // Each table's index gives its newest rows in order; the union is cut to the page.
  const selects = SOURCES.map(
    (source) =>
      `(SELECT * FROM (SELECT agent_id, seq, '${source}'::text AS source, role, action, stream, subject_user_id, occurred_at, command_id FROM analytics.${staffActionsTable(source)}) AS actions ` +
      `WHERE ${where} ORDER BY occurred_at DESC, seq DESC LIMIT $2)`,
  );
  const rows: Row[] = await dataSource.query(
    `${selects.join(' UNION ALL ')} ORDER BY occurred_at DESC, seq DESC, source DESC LIMIT $2`,
    values,
  );
  const page = rows.slice(0, limit);
  const actions = page.map((row) => ({
    action: row.action,
    role: row.role,
    stream: row.stream,
    ...(row.subject_user_id === null ? {} : { subjectUserId: row.subject_user_id }),
    occurredAt: row.occurred_at.toISOString(),
    ...(row.command_id === null ? {} : { commandId: row.command_id }),
  }));
  const last = page[page.length - 1];
  return rows.length > limit && last
    ? { agentId, actions, nextCursor: encodePageCursor(last.occurred_at.toISOString(), `${last.seq}:${last.source}`) }
    : { agentId, actions };
}

/** The projector's queries on `projector.commands.from.gateway`. */
@Controller()
export class StaffActionsController {
  constructor(private readonly lifecycle: ProjectorLifecycle) {}

  /** INVALID_COMMAND (a malformed cursor). The transport has let only the gateway's supervisors through. */
  @CommandHandler(projectorContract.listStaffActions)
  async listStaffActions(command: CommandEnvelope<PayloadOf<typeof projectorContract.listStaffActions>>): Promise<CommandResult> {
    const dataSource = this.lifecycle.projector.dataSource;
    if (dataSource === undefined) throw new Error('the projector has not opened its read models yet');
    const { agentId, limit, before } = command.payload;
    try {
      return accepted(command, await listStaffActions(dataSource, agentId, limit, before));
    } catch (error) {
      if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }
}
