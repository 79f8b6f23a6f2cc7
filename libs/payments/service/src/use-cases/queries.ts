import { TRANSPORT_ERROR, actorIdOf, paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, type PaymentState } from '@ledger/payments-domain';
import { InvalidPageCursor, nowInstant } from '@ledger/util';
import type { PaymentsRuntime } from '../payments-runtime';
import { AUDIT_UNAVAILABLE, supportAgentOf, type Viewed } from '../support-access';
import { paymentView } from './outcome';

/** A payment's status and outcome. Codes: `paymentsContract.getPayment.rejects`. */
export async function getPayment(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.getPayment>>,
): Promise<CommandResult> {
  const state: PaymentState = await runtime.driver.stateOf(command.payload.paymentId);
  if (state.status === 'none') return rejected(command, PAYMENT_ERROR.PAYMENT_NOT_FOUND, `no payment ${command.payload.paymentId}`);
  const actorUser = actorIdOf(command.actor, 'user');
  const owner = state.request.kind === 'refund' ? state.refundTarget?.userId : state.request.userId;
  if (actorUser !== undefined && actorUser !== owner)
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not see this payment`);
  // A refund whose claim is not granted yet belongs to no user: there is nobody's trail to write to.
  if (owner !== undefined) {
    const refusal = await auditSupportAccess(runtime, command, owner, { kind: 'payment', paymentId: command.payload.paymentId });
    if (refusal) return refusal;
  }
  return accepted(command, paymentView(state));
}

/**
 * The user's payments, newest first, bounded pages (read model, eventually consistent).
 * Codes: `paymentsContract.listUserPayments.rejects`.
 */
export async function listUserPayments(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.listUserPayments>>,
): Promise<CommandResult> {
  const { userId, limit, before } = command.payload;
  if (!isSelfOrSupport(command.actor, userId))
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not list the payments of ${userId}`);
  const refusal = await auditSupportAccess(runtime, command, userId, {
    kind: 'list',
    ...(limit === undefined ? {} : { limit }),
    ...(before === undefined ? {} : { before }),
  });
  if (refusal) return refusal;
  return page(command, () => runtime.userPayments.list(userId, limit, before));
}

/**
 * Who in support looked at the user's transactions, newest first, bounded pages (read from
 * `supportaudit-<userId>`, always current). Codes: FORBIDDEN (not the user themself nor support),
 * INVALID_COMMAND (a malformed cursor).
 */
export async function listSupportAccess(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.listSupportAccess>>,
): Promise<CommandResult> {
  const { userId, limit, before } = command.payload;
  if (!isSelfOrSupport(command.actor, userId))
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not see the support access of ${userId}`);
  return page(command, () => runtime.supportAccess.list(userId, limit, before));
}

/**
 * Records a support look-up another service answers (the projector's statement and balance as of an
 * instant) before it is made. Codes: `paymentsContract.recordSupportAccess.rejects`, FORBIDDEN (not
 * support: the transport lets only the gateway's support actors through).
 */
export async function recordSupportAccess(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.recordSupportAccess>>,
): Promise<CommandResult> {
  if (supportAgentOf(command.actor) === undefined)
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} is not support: only a support look-up is recorded`);
  const at = nowInstant(runtime.clock);
  const refusal = await auditSupportAccess(runtime, command, command.payload.userId, command.payload.viewed, at);
  return refusal ?? accepted(command, { userId: command.payload.userId, at, auditId: command.commandId });
}

const isSelfOrSupport = (actor: string, userId: string): boolean =>
  actorIdOf(actor, 'user') === userId || supportAgentOf(actor) !== undefined;

/** One page of a list, or INVALID_COMMAND for a cursor this service did not hand out. */
async function page(command: CommandEnvelope, read: () => Promise<object>): Promise<CommandResult> {
  try {
    return accepted(command, { ...(await read()) });
  } catch (error) {
    if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
    throw error;
  }
}

/**
 * A support agent's look-up of a user's transactions is recorded before it is answered; a user's
 * own look-up is not. Answers the refusal (AUDIT_UNAVAILABLE) when the record cannot be written:
 * no unaudited access.
 */
async function auditSupportAccess(
  runtime: PaymentsRuntime,
  command: CommandEnvelope,
  userId: string,
  viewed: Viewed,
  at = nowInstant(runtime.clock),
): Promise<CommandResult | undefined> {
  const agentId = supportAgentOf(command.actor);
  if (agentId === undefined) return undefined;
  try {
    await runtime.supportAccess.record(
      { agentId, userId, viewed, at },
      { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor },
    );
    return undefined;
  } catch (error) {
    return rejected(
      command,
      AUDIT_UNAVAILABLE,
      `the support access could not be audited, so it is refused: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
