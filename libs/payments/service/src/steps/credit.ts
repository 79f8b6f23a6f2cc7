import { walletContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { PAYMENT_ERROR, creditIdFor } from '@ledger/payments-domain';
import { failureOf, moneyOf, wrongKind, type StepExecutor } from './step-context';

/**
 * The wallet credits of the payments that bring money in. Each credit has an id derived from the
 * payment, so a credit asked again after silence is the same credit: a silent wallet is asked
 * again later (`later`), never given up.
 */

/** crediting_recipient (transfers): the recipient's wallet receives the sender's held amount. */
export const creditRecipient: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'transfer' || !state.recipient) throw wrongKind(state, 'crediting_recipient');
  const id = request.paymentId;
  const result = await context.call(
    walletContract.creditWallet,
    {
      walletId: state.recipient.walletId,
      creditId: creditIdFor('transfer', id),
      amountMinor: request.amountMinor.toString(),
      reference: `transfer ${id} from wallet ${request.walletId}`,
      counterparty: 'clearing:transfer',
    },
    state.recipient.walletId,
    `${id}:credit-recipient`,
  );
  if (result.status === 'accepted') return { record: { type: 'RecordRecipientCredit', result: { ok: true, ...moneyOf(result) }, now } };
  if (isUnanswered(result)) return { later: `credit recipient: ${result.code}` };
  return {
    record: {
      type: 'RecordRecipientCredit',
      result: {
        ok: false,
        failure: { code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE, message: result.message, details: { reason: result.code } },
      },
      now,
    },
  };
};

/** crediting (top-ups by card, by a provider, in cash at a counter): the user's wallet receives the amount from the matching clearing account. */
export const creditTopUp: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'topup' && request.kind !== 'provider_topup' && request.kind !== 'counter') throw wrongKind(state, 'crediting');
  const id = request.paymentId;
  const counterparty =
    request.kind === 'topup'
      ? `clearing:card:${state.card?.issuer ?? 'ICBC'}`
      : request.kind === 'provider_topup'
        ? `clearing:provider:${request.provider}`
        : `cash:branch:${request.branchId}`;
  const reference =
    request.kind === 'topup'
      ? `top-up ${id} from card ${request.cardId}`
      : request.kind === 'provider_topup'
        ? `top-up ${id} via ${request.provider}`
        : `cash top-up ${id} at branch ${request.branchId} by teller ${request.tellerId}`;
  const result = await context.call(
    walletContract.creditWallet,
    {
      walletId: request.walletId,
      creditId: creditIdFor('topup', id),
      amountMinor: request.amountMinor.toString(),
      reference,
      counterparty,
    },
    request.walletId,
    `${id}:credit`,
  );
  if (result.status === 'accepted') return { record: { type: 'RecordWalletCredit', result: { ok: true, ...moneyOf(result) }, now } };
  if (isUnanswered(result)) return { later: `credit: ${result.code}` };
  return { record: { type: 'RecordWalletCredit', result: { ok: false, failure: failureOf(result) }, now } };
};

/** crediting_refund (refunds): the merchant gives the money back, merchant −x, wallet +x. */
export const creditRefund: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'refund' || !state.refundTarget) throw wrongKind(state, 'crediting_refund');
  const id = request.paymentId;
  const target = state.refundTarget;
  const result = await context.call(
    walletContract.creditWallet,
    {
      walletId: target.walletId,
      creditId: creditIdFor('refund', id),
      amountMinor: request.amountMinor.toString(),
      reference: `refund ${id} of payment ${request.originalPaymentId}`,
      counterparty: `merchant:${target.merchantId}`,
    },
    target.walletId,
    `${id}:credit-refund`,
  );
  if (result.status === 'accepted') return { record: { type: 'RecordRefundCredit', result: { ok: true, ...moneyOf(result) }, now } };
  if (isUnanswered(result)) return { later: `refund credit: ${result.code}` };
  return { record: { type: 'RecordRefundCredit', result: { ok: false, failure: failureOf(result) }, now } };
};
