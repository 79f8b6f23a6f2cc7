/**
 * A refund, on both streams: on the original payment, the claim that promises part of it to a refund
 * (and gives it back when the refund cannot be paid); on the refund's own stream, its recorded steps.
 */
import { assertNever, reject, type DomainRejection } from '@ledger/util';
import { PAYMENT_ERROR } from './codes';
import { refundableMinor } from './payment-evolve';
import { failed, outOfOrder } from './payment-step-helpers';
import type { ActivePaymentState, PaymentCommand, PaymentEvent, PaymentState } from './payment-types';

/** On the original payment: promise part of a completed merchant payment to a refund (idempotent by refund id). */
export function decideClaimRefund(
  command: Extract<PaymentCommand, { type: 'ClaimRefund' }>,
  state: PaymentState,
): PaymentEvent[] | DomainRejection {
  if (state.status === 'none') return reject(PAYMENT_ERROR.PAYMENT_NOT_FOUND, 'no such payment');
  if (state.status !== 'completed' || state.request.kind !== 'merchant')
    return reject(PAYMENT_ERROR.PAYMENT_NOT_REFUNDABLE, `a ${state.request.kind} payment in state ${state.status} cannot be refunded`);
  const earlier = state.refunds?.[command.refundId];
  if (earlier !== undefined) {
    if (earlier !== command.amountMinor)
      return reject(PAYMENT_ERROR.IDEMPOTENCY_KEY_REUSED, `refund ${command.refundId} was claimed with another amount`);
    return []; // the same claim again
  }
  const refundable = refundableMinor(state);
  if (command.amountMinor > refundable) {
    return reject(PAYMENT_ERROR.REFUND_EXCEEDS_PAYMENT, `only ${refundable} fen of the payment remain refundable`, {
      refundableMinor: refundable.toString(),
    });
  }
  return [
    {
      type: 'RefundClaimed',
      data: {
        paymentId: state.request.paymentId,
        refundId: command.refundId,
        amountMinor: command.amountMinor.toString(),
        claimedAt: command.now,
      },
    },
  ];
}

/** On the original payment: a refund that could not be paid gives its claim back (nothing to do if it holds none). */
export function decideReleaseRefundClaim(
  command: Extract<PaymentCommand, { type: 'ReleaseRefundClaim' }>,
  state: PaymentState,
): PaymentEvent[] {
  if (state.status === 'none' || state.refunds?.[command.refundId] === undefined) return [];
  return [
    { type: 'RefundClaimReleased', data: { paymentId: state.request.paymentId, refundId: command.refundId, releasedAt: command.now } },
  ];
}

export type RefundStepCommand = Extract<PaymentCommand, { type: 'RecordRefundClaim' | 'RecordRefundCredit' | 'RecordRefundClaimRelease' }>;

/** On the refund's own stream: the claim granted or refused, the credit, the claim given back. */
export function decideRefundStep(command: RefundStepCommand, state: ActivePaymentState): PaymentEvent[] | DomainRejection {
  const paymentId = state.request.paymentId;
  switch (command.type) {
    case 'RecordRefundClaim': {
      if (state.status !== 'claiming_refund' || state.request.kind !== 'refund') return outOfOrder(command, state);
      if (!command.result.ok) return [failed(state, command.result.failure, false, command.now)];
      const { walletId, userId, merchantId } = command.result;
      return [
        {
          type: 'RefundClaimGranted',
          data: { paymentId, originalPaymentId: state.request.originalPaymentId, walletId, userId, merchantId, grantedAt: command.now },
        },
      ];
    }
    case 'RecordRefundCredit': {
      if (state.status !== 'crediting_refund') return outOfOrder(command, state);
      if (!command.result.ok)
        return [{ type: 'RefundClaimReleaseRequested', data: { paymentId, failure: command.result.failure, requestedAt: command.now } }];
      const { transactionId, postings } = command.result;
      return [
        {
          type: 'PaymentCompleted',
          data: {
            paymentId,
            kind: 'refund',
            amountMinor: state.request.amountMinor.toString(),
            transactionIds: [transactionId],
            postings,
            completedAt: command.now,
          },
        },
      ];
    }
    case 'RecordRefundClaimRelease':
      if (state.status !== 'releasing_refund_claim') return outOfOrder(command, state);
      return [failed(state, state.pendingFailure ?? { code: 'UNKNOWN', message: 'released without a reason' }, false, command.now)];
    default:
      return assertNever(command, 'payment command');
  }
}
