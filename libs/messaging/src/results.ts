import type { AcceptedResult, RejectedResult } from '@ledger/contracts';

/** Builders for the two kinds of result, so handlers never spell the union by hand. */
export function accepted(command: { commandId: string }, data?: Record<string, unknown>): AcceptedResult {
  return data === undefined ? { status: 'accepted', commandId: command.commandId } : { status: 'accepted', commandId: command.commandId, data };
}

export function rejected(command: { commandId: string }, code: string, message: string, details?: Record<string, unknown>): RejectedResult {
  const result: RejectedResult = { status: 'rejected', commandId: command.commandId, code, message };
  if (details !== undefined) result.details = details;
  return result;
}
