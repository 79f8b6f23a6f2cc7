import { wrongKind, type StepExecutor } from './step-context';

/**
 * Steps that wait for someone outside: nothing is asked, the payment is left in flight until its
 * deadline (recorded in its first event), when its persisted timer comes back and the expiry is
 * recorded.
 */

/** awaiting_provider (third-party top-ups): the provider's callback; `provider_deadline` timer. */
export const awaitProvider: StepExecutor = async (_context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'provider_topup') throw wrongKind(state, 'awaiting_provider');
  if (Date.parse(now) <= Date.parse(request.deadline)) return { later: 'waiting for the provider callback' };
  return { record: { type: 'RecordProviderExpiry', now } };
};

/** awaiting_approval (large counter deposits): a supervisor's decision; `approval_deadline` timer. */
export const awaitApproval: StepExecutor = async (_context, { state, now }) => {
  if (state.approval === undefined) throw new Error(`${state.request.paymentId}: awaiting_approval without an approval requirement`);
  if (Date.parse(now) <= Date.parse(state.approval.deadline)) return { later: "waiting for a supervisor's decision" };
  return { record: { type: 'RecordApprovalExpiry', now } };
};
