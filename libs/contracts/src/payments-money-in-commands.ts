/**
 * The payments contract's top-up commands, every way money comes into the wallet: from a bound card,
 * through Alipay or WeChat (and the provider's signed callback), and in cash at a bank counter (and
 * the supervisor's approval or rejection of a large one). Re-exported through `payments-commands.ts`.
 */
import { Type } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';
import { PaymentAnswer } from './payments-accepted';
import { CONTEXT, PaymentId, UserId, object } from './payments-fields';
import { AmountMinor, WalletId } from './wallet';

export const topUpFromCard = defineCommand({
  type: 'payments.TopUpFromCard.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'CARD_NOT_FOUND',
    'NOT_CARD_OWNER',
    'CARD_EXPIRED',
    'CARD_BLOCKED',
    'ISSUER_UNAVAILABLE',
    'CARDS_UNAVAILABLE',
    'CARD_CHARGE_DECLINED',
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'BALANCE_CAP_EXCEEDED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
  ],
  description:
    'Tops the wallet up (充值) from a bound card: the card is checked (cards.CheckCard), charged through the issuer, and the wallet credited from clearing:card:<issuer>. Key: paymentId. ' +
    'Accepted data as PayMerchant. Rejected (the top-up failed): CARD_NOT_FOUND, NOT_CARD_OWNER, CARD_EXPIRED, CARD_BLOCKED, ISSUER_UNAVAILABLE, CARDS_UNAVAILABLE, CARD_CHARGE_DECLINED (nothing moved); ' +
    'WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED (the card was charged and paid back: details.cardRefund); refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    cardId: Type.String({ pattern: '^[^\\s]{1,128}$' }),
    amountMinor: AmountMinor,
  }),
  accepted: PaymentAnswer,
});

export const Provider = Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]);
/** When the provider signed the callback, in Unix milliseconds. */
export const CallbackTimestamp = Type.String({ pattern: '^[0-9]{13}$' });
/** The callback's one-time value; a second callback with the same nonce is a replay. */
export const CallbackNonce = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

export const providerTopUp = defineCommand({
  type: 'payments.ProviderTopUp.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['TOPUP_EXPIRED', 'IDEMPOTENCY_KEY_REUSED', 'PAYMENTS_BUSY', 'WALLET_NOT_OPEN'],
  description:
    'Starts a top-up through Alipay or WeChat: accepted at once with status "awaiting_provider" and the deadline; it completes when the provider\'s signed callback (ProviderCallback) arrives in time, ' +
    'and fails TOPUP_EXPIRED otherwise. Key: paymentId. Refused: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({ paymentId: PaymentId, userId: UserId, walletId: WalletId, provider: Provider, amountMinor: AmountMinor }),
  accepted: PaymentAnswer,
});

export const providerCallback = defineCommand({
  type: 'payments.ProviderCallback.v1',
  context: CONTEXT,
  senders: { gateway: ['provider'] },
  rejects: [
    'INVALID_SIGNATURE',
    'CALLBACK_STALE',
    'CALLBACK_REPLAYED',
    'CALLBACK_MISMATCH',
    'PAYMENT_NOT_FOUND',
    'CALLBACK_AFTER_DEADLINE',
    'TOPUP_EXPIRED',
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'BALANCE_CAP_EXCEEDED',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'The provider\'s asynchronous confirmation of a top-up, signed with that provider\'s own secret: signature = hex HMAC-SHA256(secret, "<provider>|<paymentId>|<providerReference>|<amountMinor>|<timestamp>|<nonce>"), timestamp in Unix milliseconds. Key: paymentId. ' +
    "Accepted: the top-up's outcome (a repeated callback with a fresh nonce returns it again and credits nothing more). Rejected: INVALID_SIGNATURE, CALLBACK_STALE (timestamp more than 5 minutes from the ledger's clock), CALLBACK_REPLAYED (a nonce already used), CALLBACK_MISMATCH, PAYMENT_NOT_FOUND, " +
    "CALLBACK_AFTER_DEADLINE (refused, reported as payments.LateProviderCallbackReported.v1 for reconciliation), or the credit's failure code.",
  payload: object({
    paymentId: PaymentId,
    provider: Provider,
    providerReference: Type.String({ minLength: 1, maxLength: 128 }),
    amountMinor: AmountMinor,
    timestamp: CallbackTimestamp,
    nonce: CallbackNonce,
    signature: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  }),
  accepted: PaymentAnswer,
});

export const counterTopUp = defineCommand({
  type: 'payments.CounterTopUp.v1',
  context: CONTEXT,
  senders: { gateway: ['teller'] },
  rejects: [
    'COUNTER_TOP_UP_REJECTED',
    'APPROVAL_EXPIRED',
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'BALANCE_CAP_EXCEEDED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
    'DEPOSITOR_ID_REQUIRED',
  ],
  description:
    'Cash top-up at a bank counter (actor teller:<tellerId>, audited in the payment stream): the wallet is credited from cash:branch:<branchId>. Key: paymentId. ' +
    'Above the approval threshold (PAYMENTS_COUNTER_APPROVAL_ABOVE_MINOR) it is accepted with status "awaiting_approval" and approvalDeadline, and credits nothing until a supervisor other than the teller approves it (ApproveCounterTopUp); ' +
    'rejected (RejectCounterTopUp) it fails COUNTER_TOP_UP_REJECTED, undecided by the deadline APPROVAL_EXPIRED. ' +
    "Above the ID-check threshold (PAYMENTS_COUNTER_ID_CHECK_ABOVE_MINOR, 50,000 yuan by default) it names the depositor's ID number (depositorIdNumber), recorded protected on the payment; without it DEPOSITOR_ID_REQUIRED, nothing recorded. " +
    'Rejected: WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED (the teller hands the cash back), IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    branchId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    tellerId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    amountMinor: AmountMinor,
    depositorIdNumber: Type.Optional(
      Type.String({
        pattern: ENCRYPTED_FIELD_PATTERN,
        maxLength: 4096,
        description:
          "the depositor's resident ID number the teller checked, sealed for payments (secretAad depositorIdNumber): required above the ID-check threshold",
      }),
    ),
  }),
  accepted: PaymentAnswer,
});

const SupervisorDecision = {
  paymentId: PaymentId,
  supervisorId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
};

export const approveCounterTopUp = defineCommand({
  type: 'payments.ApproveCounterTopUp.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: [
    'SELF_APPROVAL_FORBIDDEN',
    'NOT_AWAITING_APPROVAL',
    'PAYMENT_NOT_FOUND',
    'APPROVAL_EXPIRED',
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'BALANCE_CAP_EXCEEDED',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'Maker-checker: a supervisor (actor supervisor:<supervisorId>) approves a counter top-up awaiting approval (recorded as payments.CounterTopUpApproved.v1), and the wallet is credited. Key: paymentId. ' +
    'Accepted: the outcome of the top-up; the same approval again returns it. Rejected: SELF_APPROVAL_FORBIDDEN (the teller who made it), NOT_AWAITING_APPROVAL (details.status), PAYMENT_NOT_FOUND, APPROVAL_EXPIRED, FORBIDDEN, ' +
    'and the failure codes of the credit (WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED: the teller hands the cash back).',
  payload: object(SupervisorDecision),
  accepted: PaymentAnswer,
});

export const rejectCounterTopUp = defineCommand({
  type: 'payments.RejectCounterTopUp.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: [
    'COUNTER_TOP_UP_REJECTED',
    'SELF_APPROVAL_FORBIDDEN',
    'NOT_AWAITING_APPROVAL',
    'PAYMENT_NOT_FOUND',
    'APPROVAL_EXPIRED',
    'IDEMPOTENCY_KEY_REUSED',
  ],
  description:
    'Maker-checker: a supervisor (actor supervisor:<supervisorId>) rejects a counter top-up awaiting approval, with a reason (payments.CounterTopUpRejected.v1); it fails COUNTER_TOP_UP_REJECTED and the teller hands the cash back. Key: paymentId. ' +
    'Rejected: SELF_APPROVAL_FORBIDDEN, NOT_AWAITING_APPROVAL, PAYMENT_NOT_FOUND, APPROVAL_EXPIRED, FORBIDDEN.',
  payload: object({ ...SupervisorDecision, reason: Type.String({ minLength: 1, maxLength: 256 }) }),
  accepted: PaymentAnswer,
});
