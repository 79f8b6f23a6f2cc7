import type { AcceptedResult, CommandResult, RejectedResult } from '@ledger/contracts';
import type { DomainRejection } from '@ledger/util';
import type { CommandEnvelope } from './envelope';

/** Builders for the two kinds of result, so handlers never spell the union by hand. */
export function accepted(command: { commandId: string }, data?: Record<string, unknown>): AcceptedResult {
  return data === undefined
    ? { status: 'accepted', commandId: command.commandId }
    : { status: 'accepted', commandId: command.commandId, data };
}

export function rejected(command: { commandId: string }, code: string, message: string, details?: Record<string, unknown>): RejectedResult {
  const result: RejectedResult = { status: 'rejected', commandId: command.commandId, code, message };
  if (details !== undefined) result.details = details;
  return result;
}

/** The result of a rejection a decider answered or recorded. */
export function rejectedBy(command: { commandId: string }, rejection: DomainRejection): RejectedResult {
  return rejected(command, rejection.code, rejection.message, rejection.details);
}

/** The code of input a service cannot use, whatever the service. */
export const INVALID_INPUT = 'INVALID_INPUT';

/**
 * Input a service found it cannot use (a sealed field that does not open, a malformed phone, a blank
 * name), thrown by a use case and answered INVALID_INPUT with `details.field`. The message never
 * repeats the value.
 */
export class InvalidInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/**
 * Runs one use case of a service and answers what it refused by throwing: `InvalidInput` as
 * INVALID_INPUT, and `refusalOf` maps the service's own exceptions (a wrong actor, a partner that did
 * not answer) to a rejected result; anything else is an infrastructure fault and propagates, so the
 * transport retries it a bounded number of times. One log line per command, without its payload.
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
    const refusal =
      error instanceof InvalidInput ? rejected(envelope, INVALID_INPUT, error.message, { field: error.field }) : refusalOf(error);
    if (refusal === undefined) throw error;
    result = refusal;
  }
  log(
    `${envelope.type} ${envelope.commandId} ${result.status}${result.status === 'rejected' ? ` ${result.code}` : ''} actor=${envelope.actor}`,
  );
  return result;
}
