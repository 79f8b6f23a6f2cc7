import { nowInstant } from '@ledger/util';
import { paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { commandMetadata } from '@ledger/event-store';
import { accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, paymentStreamId, type PaymentCommand } from '@ledger/payments-domain';
import type { PaymentsRuntime } from '../payments-runtime';
import { awaitOutcome, outcomeOf, paymentView, refusedStep } from './outcome';

/** Maker-checker: a supervisor approves a large counter top-up. Codes: `paymentsContract.approveCounterTopUp.rejects`. Answers the top-up's outcome once credited. */
export async function approveCounterTopUp(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.approveCounterTopUp>>,
): Promise<CommandResult> {
  const { paymentId, supervisorId } = command.payload;
  const refused = await recordSupervisorDecision(runtime, command, (now) => ({ type: 'RecordCounterApproval', supervisorId, now }));
  return refused ?? awaitOutcome(runtime, command, paymentId, {});
}

/** A supervisor rejects it. Codes: `paymentsContract.rejectCounterTopUp.rejects`. Accepted: the rejection is recorded (the payment's view, status failed). */
export async function rejectCounterTopUp(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.rejectCounterTopUp>>,
): Promise<CommandResult> {
  const { paymentId, supervisorId, reason } = command.payload;
  const refused = await recordSupervisorDecision(runtime, command, (now) => ({
    type: 'RecordCounterRejection',
    supervisorId,
    reason,
    now,
  }));
  if (refused) return refused;
  const state = await runtime.driver.stateOf(paymentId);
  if (state.status === 'none') return rejected(command, PAYMENT_ERROR.PAYMENT_NOT_FOUND, `no payment ${paymentId}`);
  // A decision that came after the deadline expired the top-up instead: that is the answer.
  return state.failed?.failure.code === PAYMENT_ERROR.COUNTER_TOP_UP_REJECTED
    ? accepted(command, paymentView(state))
    : outcomeOf(command, state);
}

/**
 * Records a supervisor's decision on a counter top-up awaiting approval, as that supervisor (the
 * actor, in the event's metadata, must be `supervisor:<supervisorId>`); the refusal, if any.
 */
async function recordSupervisorDecision(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<{ paymentId: string; supervisorId: string }>,
  decision: (now: string) => PaymentCommand,
): Promise<CommandResult | undefined> {
  const { paymentId, supervisorId } = command.payload;
  if (command.actor !== `supervisor:${supervisorId}`)
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not decide as supervisor ${supervisorId}`);
  const now = nowInstant(runtime.clock);
  const recorded = await runtime.handler.handle(paymentStreamId(paymentId), decision(now), commandMetadata(command, now));
  return recorded.kind === 'rejected' ? refusedStep(command, recorded.rejection) : undefined;
}
