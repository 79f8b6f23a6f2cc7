import type { CommandResult } from '@ledger/contracts';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, STEP_OUT_OF_ORDER, type ActivePaymentState } from '@ledger/payments-domain';
import type { DomainRejection } from '@ledger/util';
import type { PaymentSecrets } from '../payment-driver';
import type { PaymentsRuntime } from '../payments-runtime';

/** What a client learns about a payment: status, and the outcome once there is one. */
export function paymentView(state: ActivePaymentState): Record<string, unknown> {
  const base: Record<string, unknown> = {
    paymentId: state.request.paymentId,
    kind: state.request.kind,
    status: state.status,
    amountMinor: state.request.amountMinor.toString(),
  };
  if (state.request.kind === 'provider_topup') base.deadline = state.request.deadline;
  if (state.status === 'awaiting_approval' && state.approval) base.approvalDeadline = state.approval.deadline;
  if (state.request.kind === 'transfer') base.recipientPhoneMasked = state.request.recipientPhone.masked;
  if (state.completed)
    return {
      ...base,
      transactionIds: state.completed.transactionIds,
      postings: state.completed.postings,
      completedAt: state.completed.completedAt,
    };
  if (state.failed)
    return {
      ...base,
      failure: state.failed.failure,
      holdReleased: state.failed.holdReleased,
      ...(state.failed.cardRefund ? { cardRefund: state.failed.cardRefund } : {}),
      failedAt: state.failed.failedAt,
    };
  return base;
}

/** The answer for a payment as it stands: its failure's code when it failed, else its view. */
export function outcomeOf(command: CommandEnvelope, state: ActivePaymentState): CommandResult {
  if (state.failed)
    return rejected(command, state.failed.failure.code, state.failed.failure.message, {
      ...state.failed.failure.details,
      ...paymentView(state),
    });
  return accepted(command, paymentView(state));
}

/** Drives the payment and answers with its outcome, or its current status after the wait bound (or while it waits for a provider). */
export async function awaitOutcome(
  runtime: PaymentsRuntime,
  command: CommandEnvelope,
  paymentId: string,
  secrets: PaymentSecrets,
): Promise<CommandResult> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), runtime.replyWithinMs);
  });
  try {
    const state = await Promise.race([runtime.driver.drive(paymentId, secrets), waited]);
    if (state === 'pending' || state === undefined) return accepted(command, { paymentId, status: 'pending' });
    return outcomeOf(command, state);
  } finally {
    clearTimeout(timer);
  }
}

/** A step recorded on behalf of an outside party (a provider, a supervisor) that the decider refused; its STEP_OUT_OF_ORDER means there is no such payment. */
export function refusedStep(command: CommandEnvelope, rejection: DomainRejection): CommandResult {
  return rejectedBy(command, rejection.code === STEP_OUT_OF_ORDER ? { ...rejection, code: PAYMENT_ERROR.PAYMENT_NOT_FOUND } : rejection);
}
