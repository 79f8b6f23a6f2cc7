import { paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { commandMetadata } from '@ledger/event-store';
import { rejected, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, paymentStreamId } from '@ledger/payments-domain';
import { nowInstant, parsePositiveMinor } from '@ledger/util';
import type { PaymentsRuntime } from '../payments-runtime';
import { verifyProviderCallback } from '../provider-signature';
import { awaitOutcome, refusedStep } from './outcome';

/** A third-party provider confirms a top-up. Codes: `paymentsContract.providerCallback.rejects`. */
export async function providerCallback(
  runtime: PaymentsRuntime,
  command: CommandEnvelope<PayloadOf<typeof paymentsContract.providerCallback>>,
): Promise<CommandResult> {
  const p = command.payload;
  if (!verifyProviderCallback(runtime.providerSecret, p, p.signature))
    return rejected(command, PAYMENT_ERROR.INVALID_SIGNATURE, 'the callback signature does not verify');
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
