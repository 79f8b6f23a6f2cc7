import { paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { commandMetadata } from '@ledger/event-store';
import { rejected, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, paymentStreamId } from '@ledger/payments-domain';
import { nowInstant, parsePositiveMinor } from '@ledger/util';
import type { PaymentsRuntime } from '../payments-runtime';
import { checkProviderCallback } from '../provider-signature';
import { awaitOutcome, refusedStep } from './outcome';

/** A third-party provider confirms a top-up. Codes: `paymentsContract.providerCallback.rejects`. */
export async function providerCallback(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.providerCallback>>,
): Promise<CommandResult> {
  const p = command.payload;
  const check = checkProviderCallback(runtime.providerSecrets, p, p.signature, runtime.clock.now().getTime());
  if (check === 'INVALID_SIGNATURE') return rejected(command, PAYMENT_ERROR.INVALID_SIGNATURE, 'the callback signature does not verify');
  if (check === 'CALLBACK_STALE')
    return rejected(command, PAYMENT_ERROR.CALLBACK_STALE, 'the callback was signed too long ago (or in the future)', {
      windowMs: paymentsContract.PROVIDER_CALLBACK_WINDOW_MS,
    });
  // Only a verified callback's nonce is recorded: a forger cannot use up a provider's nonces.
  if (!(await runtime.callbackNonces.firstUse(p.provider, p.nonce, command.commandId, runtime.clock.now())))
    return rejected(command, PAYMENT_ERROR.CALLBACK_REPLAYED, 'this callback (its nonce) was already received');
  const now = nowInstant(runtime.clock);
  const recorded = await runtime.handler.handle(
    paymentStreamId(p.paymentId),
    {
      type: 'RecordProviderConfirmation',
      provider: p.provider,
      providerReference: p.providerReference,
      amountMinor: parsePositiveMinor(p.amountMinor),
      now,
    },
    commandMetadata(command, now),
  );
  if (recorded.kind === 'rejected') return refusedStep(command, recorded.rejection);
  const { state } = await runtime.handler.load(paymentStreamId(p.paymentId));
  if (state.status !== 'none' && state.lateCallbacks?.includes(p.providerReference)) {
    return rejected(
      command,
      PAYMENT_ERROR.CALLBACK_AFTER_DEADLINE,
      'the callback came after the deadline; it is reported for reconciliation',
      { paymentId: p.paymentId, status: state.status },
    );
  }
  return awaitOutcome(runtime, command, p.paymentId, {});
}
