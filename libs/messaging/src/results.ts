import type { AcceptedResult, CommandResult, RejectedResult } from '@ledger/contracts';
import type { CommandEnvelope } from './envelope';

/** Builders for the two kinds of result, so handlers never spell the union by hand. */
export function accepted(command: { commandId: string }, data?: Record<string, unknown>): AcceptedResult {
  return data === undefined ? { status: 'accepted', commandId: command.commandId } : { status: 'accepted', commandId: command.commandId, data };
}

export function rejected(command: { commandId: string }, code: string, message: string, details?: Record<string, unknown>): RejectedResult {
  const result: RejectedResult = { status: 'rejected', commandId: command.commandId, code, message };
  if (details !== undefined) result.details = details;
  return result;
}

/**
 * Runs one use case of a service and answers what it refused by throwing: `refusalOf` maps the use
 * case's own exceptions (a wrong actor, input it cannot use) to a rejected result; anything else is
 * an infrastructure fault and propagates, so the transport retries it a bounded number of times.
 * One log line per command, without its payload.
 */
export async function runUseCase(
  envelope: CommandEnvelope,
  work: () => Promise<CommandResult>,
  refusalOf: (error: unknown) => RejectedResult | undefined,
  log: (line: string) => void,
): Promise<CommandResult> {
  let result: CommandResult;
  try {
    result = await work();
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal === undefined) throw error;
    result = refusal;
  }
  log(`${envelope.type} ${envelope.commandId} ${result.status}${result.status === 'rejected' ? ` ${result.code}` : ''} actor=${envelope.actor}`);
  return result;
}
