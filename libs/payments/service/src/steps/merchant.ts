import { walletContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { AcquirerUnavailable, PAYMENT_ERROR, type PaymentCommand } from '@ledger/payments-domain';
import { failureOf, moneyOf, wrongKind, type StepExecutor } from './step-context';

/**
 * confirming (merchant payments with a held amount): the acquirer authorizes; approved, the hold is
 * captured at once and both are recorded with one append. Asked again after a crash, the acquirer
 * gives the same answer for the payment id and the wallet the same capture.
 */
export const confirmWithAcquirer: StepExecutor = async (context, { state }) => {
  const request = state.request;
  if (request.kind !== 'merchant') throw wrongKind(state, 'confirming');
  const { acquirer } = context.options;
  const authorization = {
    paymentId: request.paymentId,
    merchantId: request.merchantId,
    channel: request.channel,
    amountMinor: request.amountMinor,
  };
  const tried = await context.askPartner(() => acquirer.authorize(authorization), AcquirerUnavailable);
  if (tried === undefined) {
    return {
      record: {
        type: 'RecordAcquirerAnswer',
        result: { ok: false, failure: { code: PAYMENT_ERROR.ACQUIRER_UNAVAILABLE, message: 'the merchant acquirer did not answer' } },
        now: context.now(),
      },
    };
  }
  const answer = tried.answer;
  if (!answer.approved)
    return {
      record: {
        type: 'RecordAcquirerAnswer',
        result: { ok: false, failure: { code: PAYMENT_ERROR.MERCHANT_DECLINED, message: answer.reason } },
        now: context.now(),
      },
    };
  const approval: PaymentCommand = {
    type: 'RecordAcquirerAnswer',
    result: { ok: true, authorizationCode: answer.authorizationCode },
    now: context.now(),
  };
  const capture = await context.capture(request, context.now());
  if ('later' in capture) return { record: approval };
  return { record: { type: 'RecordSteps', steps: [approval, capture.record] } };
};

/** settling (merchant payments settled in the wallet): one wallet decision reserves and captures; retried with the same hold id, it is the same payment. */
export const settleInWallet: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'merchant') throw wrongKind(state, 'settling');
  const result = await context.call(
    walletContract.payFromWallet,
    { ...context.holdOf(state), counterparty: `merchant:${request.merchantId}` },
    request.walletId,
    `${request.paymentId}:settle`,
    `user:${request.userId}`,
  );
  if (result.status === 'accepted') return { record: { type: 'RecordSettlement', result: { ok: true, ...moneyOf(result) }, now } };
  // No answer: the money may have moved. Asked again later, never given up (nothing is held that could be released).
  if (isUnanswered(result)) return { later: `settle: ${result.code}` };
  return { record: { type: 'RecordSettlement', result: { ok: false, failure: failureOf(result) }, now } };
};
