import { identityContract, walletContract } from '@ledger/contracts';
import { isUnanswered } from '@ledger/messaging';
import { PAYMENT_ERROR, type Failure } from '@ledger/payments-domain';
import { wrongKind, type StepExecutor, type StepOutcome } from './step-context';

/** finding_recipient (transfers): the recipient's user by phone, then their wallet, which must be open and not the sender's. */
export const findRecipient: StepExecutor = async (context, { state, now }) => {
  const request = state.request;
  if (request.kind !== 'transfer') throw wrongKind(state, 'finding_recipient');
  const id = request.paymentId;
  const fail = (failure: Failure): StepOutcome => ({ record: { type: 'RecordRecipient', result: { ok: false, failure }, now } });
  // The plain number lives only in this call; the Kafka key is its keyed fingerprint, not the number.
  const found = await context.call(
    identityContract.findUserByPhone,
    { phone: context.options.phoneForIdentity(request.recipientPhone) },
    request.recipientPhone.fingerprint,
    `${id}:find-recipient`,
  );
  if (found.status === 'rejected') {
    if (isUnanswered(found))
      return fail({ code: PAYMENT_ERROR.IDENTITY_UNAVAILABLE, message: `identity did not answer: ${found.message}` });
    return fail({
      code: PAYMENT_ERROR.RECIPIENT_NOT_FOUND,
      message: 'no wallet user has this phone number',
      details: { reason: found.code },
    });
  }
  const recipientUserId = String(found.data?.userId);
  const wallet = await context.call(walletContract.getWalletByUser, { userId: recipientUserId }, recipientUserId, `${id}:recipient-wallet`);
  if (wallet.status === 'rejected') {
    if (isUnanswered(wallet)) return fail({ code: PAYMENT_ERROR.WALLET_UNAVAILABLE, message: `wallet did not answer: ${wallet.message}` });
    return fail({
      code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE,
      message: 'the recipient has no open wallet',
      details: { reason: wallet.code },
    });
  }
  const recipientWalletId = String(wallet.data?.walletId);
  if (wallet.data?.status !== 'active')
    return fail({
      code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE,
      message: 'the recipient wallet is frozen',
      details: { reason: 'WALLET_FROZEN' },
    });
  if (recipientWalletId === request.walletId)
    return fail({ code: PAYMENT_ERROR.SELF_TRANSFER, message: 'a transfer needs another wallet' });
  return { record: { type: 'RecordRecipient', result: { ok: true, recipientUserId, recipientWalletId }, now } };
};
