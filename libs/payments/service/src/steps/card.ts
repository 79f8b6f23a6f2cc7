import { cardsContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { PAYMENT_ERROR } from '@ledger/payments-domain';
import { failureOf, wrongKind, type StepExecutor } from './step-context';

/**
 * The steps that move money on a bound card through the card issuer. The issuer's token is never
 * stored: it is asked for right before each use (docs/spec.md item 11: checked when used). The issuer is asked
 * with a reference derived from the payment, so a charge or payout asked again after silence never
 * happens twice; silence is asked again later (`later`).
 */

/** checking_card (top-ups from a card): the card is bound to the user and usable. */
export const checkCard: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'topup') throw wrongKind(state, 'checking_card');
  const result = await context.call(
    cardsContract.checkCard,
    { cardId: request.cardId, userId: request.userId },
    request.userId,
    `${request.paymentId}:check-card`,
  );
  if (result.status === 'accepted')
    return {
      record: {
        type: 'RecordCardCheck',
        result: { ok: true, last4: String(result.data?.last4), issuer: String(result.data?.issuer ?? 'ICBC') },
        now,
      },
    };
  const failure = isUnanswered(result)
    ? { code: PAYMENT_ERROR.CARDS_UNAVAILABLE, message: `cards did not answer: ${result.message}` }
    : failureOf(result);
  return { record: { type: 'RecordCardCheck', result: { ok: false, failure }, now } };
};

/** charging (top-ups from a card): the issuer debits the card. */
export const chargeCard: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'topup') throw wrongKind(state, 'charging');
  const id = request.paymentId;
  const token = await context.cardToken(request.cardId, request.userId, `${id}:charge-card`);
  if ('failure' in token)
    return token.definite
      ? { record: { type: 'RecordCardCharge', result: { ok: false, failure: token.failure }, now } }
      : { later: token.failure.code };
  try {
    const answer = await context.options.cards.charge(token.cardToken, request.amountMinor, `topup-${id}`);
    if (answer.outcome === 'approved')
      return { record: { type: 'RecordCardCharge', result: { ok: true, issuerReference: answer.issuerReference }, now } };
    return {
      record: {
        type: 'RecordCardCharge',
        result: {
          ok: false,
          failure: {
            code: PAYMENT_ERROR.CARD_CHARGE_DECLINED,
            message: 'the card issuer declined the charge',
            details: { reason: answer.reason },
          },
        },
        now,
      },
    };
  } catch (error) {
    // No answer: the card may have been charged. The same reference is asked again later; it never charges twice.
    return { later: `charge: ${String(error)}` };
  }
};

/** refunding_card (a charged top-up whose credit failed): the charge goes back to the card; tried until the issuer pays. */
export const refundCard: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'topup') throw wrongKind(state, 'refunding_card');
  const id = request.paymentId;
  const token = await context.cardToken(request.cardId, request.userId, `${id}:refund-card`);
  if ('failure' in token) return { later: `refund: ${token.failure.code}` };
  try {
    const answer = await context.options.cards.payout(token.cardToken, request.amountMinor, `topup-refund-${id}`);
    if (answer.outcome === 'approved') return { record: { type: 'RecordCardRefund', issuerReference: answer.issuerReference, now } };
    return { later: `refund declined: ${answer.reason}` };
  } catch (error) {
    return { later: `refund: ${String(error)}` };
  }
};

/** paying_out (withdrawals): the issuer credits the card with the held amount. */
export const payOut: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'withdrawal') throw wrongKind(state, 'paying_out');
  const id = request.paymentId;
  const token = await context.cardToken(request.cardId, request.userId, `${id}:payout-card`);
  if ('failure' in token)
    return token.definite
      ? { record: { type: 'RecordPayout', result: { ok: false, failure: token.failure }, now } }
      : { later: token.failure.code };
  try {
    const answer = await context.options.cards.payout(token.cardToken, request.amountMinor, `withdrawal-${id}`);
    if (answer.outcome === 'approved')
      return { record: { type: 'RecordPayout', result: { ok: true, issuerReference: answer.issuerReference }, now } };
    return {
      record: {
        type: 'RecordPayout',
        result: {
          ok: false,
          failure: {
            code: PAYMENT_ERROR.CARD_PAYOUT_DECLINED,
            message: 'the card issuer declined the payout',
            details: { reason: answer.reason },
          },
        },
        now,
      },
    };
  } catch (error) {
    // No answer: the money may have left. The same reference is asked again later; it never pays twice.
    return { later: `payout: ${String(error)}` };
  }
};
