import { BillerUnavailable, PAYMENT_ERROR, type Failure } from '@ledger/payments-domain';
import { wrongKind, type StepExecutor, type StepOutcome } from './step-context';

/** checking_bill: the biller knows the bill and, when it says what is due, the amount matches exactly. */
export const checkBill: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'bill') throw wrongKind(state, 'checking_bill');
  const { biller, billReferenceForBiller } = context.options;
  const fail = (failure: Failure): StepOutcome => ({ record: { type: 'RecordBillCheck', result: { ok: false, failure }, now } });
  const tried = await context.askPartner(
    () => biller.checkBill(request.billerId, billReferenceForBiller(request.billReference)),
    BillerUnavailable,
  );
  if (tried === undefined) return fail({ code: PAYMENT_ERROR.BILLER_UNAVAILABLE, message: 'the biller did not answer the bill check' });
  const bill = tried.answer;
  if (!bill.found)
    return fail({
      code: PAYMENT_ERROR.BILL_NOT_FOUND,
      message: `biller ${request.billerId} knows no bill ${request.billReference.masked}`,
    });
  if (bill.amountDueMinor !== undefined && bill.amountDueMinor !== request.amountMinor) {
    return fail({
      code: PAYMENT_ERROR.BILL_AMOUNT_MISMATCH,
      message: 'the bill must be paid exactly',
      details: { amountDueMinor: bill.amountDueMinor.toString() },
    });
  }
  return { record: { type: 'RecordBillCheck', result: { ok: true }, now } };
};

/** paying_bill: the biller is paid (idempotent on the payment id); the held amount is captured or released after. */
export const payBill: StepExecutor = async (context, { state }) => {
  const request = state.request;
  if (request.kind !== 'bill') throw wrongKind(state, 'paying_bill');
  const { biller, billReferenceForBiller } = context.options;
  const payment = {
    paymentId: request.paymentId,
    billerId: request.billerId,
    billReference: billReferenceForBiller(request.billReference),
    amountMinor: request.amountMinor,
  };
  const tried = await context.askPartner(() => biller.payBill(payment), BillerUnavailable);
  // No answer: an earlier attempt may have paid the bill (an answer lost on the way), and a refusal
  // now (a 503, an open circuit) does not say it did not. So the hold stays and the biller is asked
  // again with the same payment id (its idempotency key) until it answers; releasing on a guess could
  // pay the bill for free. As for a card payout, a biller's restart costs the payment time, not its outcome.
  if (tried === undefined) return { later: 'the biller did not answer the payment; asking again with the same payment id' };
  const answer = tried.answer;
  const result = answer.accepted
    ? ({ ok: true, receipt: answer.receipt } as const)
    : ({ ok: false, failure: { code: PAYMENT_ERROR.BILLER_DECLINED, message: answer.reason } } as const);
  return { record: { type: 'RecordBillPayment', result, now: context.now() } };
};
