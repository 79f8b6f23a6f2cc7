import { assertNever, parseMinor } from '@ledger/util';
import type { PaymentKind } from './payment-requests';
import {
  requestFromRecord,
  type ActivePaymentState,
  type PaymentEvent,
  type PaymentState,
  type PaymentStatus,
  type PaymentStep,
} from './payment-types';

/** Where a flow goes once its funds are reserved. */
const AFTER_RESERVATION: Record<PaymentKind, PaymentStatus> = {
  merchant: 'confirming',
  transfer: 'crediting_recipient',
  withdrawal: 'paying_out',
  bill: 'paying_bill',
  provider_topup: 'failed', // never reserves
  counter: 'failed', // never reserves
  topup: 'failed', // never reserves
  refund: 'failed', // never reserves
};

/** The payment's state after one of its events: which step is next, and what the steps so far found out. */
export function evolvePayment(state: PaymentState, event: PaymentEvent): PaymentState {
  if (event.type === 'PaymentInitiated') {
    const first: Record<PaymentKind, PaymentStatus> = {
      merchant: 'verifying_password',
      topup: 'checking_card',
      transfer: 'finding_recipient',
      withdrawal: 'verifying_password',
      bill: 'checking_bill',
      provider_topup: 'awaiting_provider',
      counter: 'crediting',
      refund: 'claiming_refund',
    };
    const { fingerprint, initiatedAt, settlement, approval } = event.data;
    const request = requestFromRecord(event.data.request);
    const started: ActivePaymentState = {
      status: approval === undefined ? first[request.kind] : 'awaiting_approval',
      request,
      fingerprint,
      initiatedAt,
    };
    if (settlement !== undefined) started.settlement = settlement;
    if (approval !== undefined) started.approval = { ...approval, aboveMinor: parseMinor(approval.aboveMinor) };
    return started;
  }
  if (state.status === 'none') throw new Error(`${event.type} before PaymentInitiated`);
  switch (event.type) {
    case 'PaymentPasswordVerified':
      return { ...state, status: state.settlement === 'wallet' ? 'settling' : 'reserving' };
    case 'PaymentFundsReserved':
      return { ...state, status: AFTER_RESERVATION[state.request.kind], holdId: event.data.holdId, holdExpiresAt: event.data.expiresAt };
    case 'RecipientFound':
      return {
        ...state,
        status: 'verifying_password',
        recipient: { userId: event.data.recipientUserId, walletId: event.data.recipientWalletId },
      };
    case 'RecipientCredited':
      return { ...state, status: 'capturing', recipientCredit: { transactionId: event.data.transactionId, postings: event.data.postings } };
    case 'CardChecked':
      return { ...state, status: 'charging', card: { last4: event.data.last4, issuer: event.data.issuer } };
    case 'CardCharged':
      return {
        ...state,
        status: 'crediting',
        card: { last4: state.card?.last4 ?? '', issuer: state.card?.issuer ?? '', issuerReference: event.data.issuerReference },
      };
    case 'CardRefundRequested':
      return { ...state, status: 'refunding_card', pendingFailure: event.data.failure };
    case 'CardPaidOut':
      return { ...state, status: 'capturing' };
    case 'ProviderConfirmed':
      return { ...state, status: 'crediting', providerReference: event.data.providerReference };
    case 'LateProviderCallbackReported':
      return { ...state, lateCallbacks: [...(state.lateCallbacks ?? []), event.data.providerReference] };
    case 'BillChecked':
      return { ...state, status: 'verifying_password' };
    case 'BillPaid':
      return { ...state, status: 'capturing' };
    case 'RefundClaimed':
      return { ...state, refunds: { ...state.refunds, [event.data.refundId]: parseMinor(event.data.amountMinor) } };
    case 'RefundClaimReleased': {
      const { [event.data.refundId]: _released, ...rest } = state.refunds ?? {};
      return { ...state, refunds: rest };
    }
    case 'RefundClaimGranted':
      return {
        ...state,
        status: 'crediting_refund',
        refundTarget: { walletId: event.data.walletId, userId: event.data.userId, merchantId: event.data.merchantId },
      };
    case 'RefundClaimReleaseRequested':
      return { ...state, status: 'releasing_refund_claim', pendingFailure: event.data.failure };
    case 'MerchantApproved':
      return { ...state, status: 'capturing', authorizationCode: event.data.authorizationCode };
    case 'CounterTopUpApproved':
      return state.approval === undefined
        ? state
        : { ...state, status: 'crediting', approval: { ...state.approval, approvedBy: event.data.supervisorId } };
    case 'CounterTopUpRejected':
      return state; // the PaymentFailed of the same append ends it
    case 'PaymentReleaseRequested':
      return { ...state, status: 'releasing', holdId: event.data.holdId, pendingFailure: event.data.failure };
    case 'PaymentCompleted':
      return { ...state, status: 'completed', completed: event.data };
    case 'PaymentFailed':
      return { ...state, status: 'failed', failed: event.data };
    default:
      return assertNever(event, 'payment event');
  }
}

/** What is left to refund of a completed merchant payment. */
export function refundableMinor(state: PaymentState): bigint {
  if (state.status !== 'completed' || state.request.kind !== 'merchant') return 0n;
  const claimed = Object.values(state.refunds ?? {}).reduce((sum, amount) => sum + amount, 0n);
  return state.request.amountMinor - claimed;
}

/** The step the service executes next, or undefined once the payment has its outcome. */
export function nextStep(state: PaymentState): PaymentStep | undefined {
  if (state.status === 'none' || state.status === 'completed' || state.status === 'failed') return undefined;
  return state.status;
}
