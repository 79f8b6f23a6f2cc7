import { walletContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { holdIdFor } from '@ledger/payments-domain';
import { wrongKind, type StepExecutor } from './step-context';

/** capturing: the held amount is taken (the wallet's capture; see `StepContext.capture`). */
export const captureHold: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind === 'topup' || request.kind === 'refund') throw wrongKind(state, 'capturing');
  return context.capture(request, now);
};

/** releasing: the held amount is given back; asked again later while the wallet does not answer. */
export const releaseHold: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind === 'topup' || request.kind === 'refund') throw wrongKind(state, 'releasing');
  const result = await context.call(
    walletContract.releaseHold,
    { walletId: request.walletId, holdId: holdIdFor(request.paymentId) },
    request.walletId,
    `${request.paymentId}:release`,
  );
  // Released now, never made (HOLD_NOT_FOUND, WALLET_NOT_OPEN) or already expired: in every case no money is held any more.
  if (result.status === 'accepted') return { record: { type: 'RecordRelease', now, holdFound: true } };
  if (isUnanswered(result)) return { later: `release: ${result.code}` };
  return { record: { type: 'RecordRelease', now, holdFound: result.code !== 'HOLD_NOT_FOUND' } };
};
