import { paymentStreamId } from '@ledger/payments-domain';
import { wrongKind, type StepExecutor } from './step-context';

/**
 * claiming_refund: the claim is decided on the original payment's stream with its expected
 * revision, so concurrent refunds never exceed what was paid.
 */
export const claimRefund: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'refund') throw wrongKind(state, 'claiming_refund');
  const { handler } = context.options;
  const id = request.paymentId;
  const original = paymentStreamId(request.originalPaymentId);
  const claim = await handler.handle(
    original,
    { type: 'ClaimRefund', refundId: id, amountMinor: request.amountMinor, now },
    { commandId: `${id}:claim`, correlationId: id, actor: 'system:payments', occurredAt: now },
  );
  if (claim.kind === 'rejected') {
    const { code, message, details } = claim.rejection;
    return {
      record: {
        type: 'RecordRefundClaim',
        result: { ok: false, failure: details === undefined ? { code, message } : { code, message, details } },
        now,
      },
    };
  }
  const { state: paid } = await handler.load(original);
  if (paid.status === 'none' || paid.request.kind !== 'merchant')
    throw new Error(`${id}: claimed a refund on a payment that is not a merchant payment`);
  return {
    record: {
      type: 'RecordRefundClaim',
      result: { ok: true, walletId: paid.request.walletId, userId: paid.request.userId, merchantId: paid.request.merchantId },
      now,
    },
  };
};

/** releasing_refund_claim: a refund that could not be credited gives its claim back, so the amount can be refunded again. */
export const releaseRefundClaim: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'refund') throw wrongKind(state, 'releasing_refund_claim');
  const id = request.paymentId;
  await context.options.handler.handle(
    paymentStreamId(request.originalPaymentId),
    { type: 'ReleaseRefundClaim', refundId: id, now },
    { commandId: `${id}:release-claim`, correlationId: id, actor: 'system:payments', occurredAt: now },
  );
  return { record: { type: 'RecordRefundClaimRelease', now } };
};
