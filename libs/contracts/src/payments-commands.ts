/** The payments contract's commands and their list `COMMANDS` (re-exported by `payments.ts`, which describes the contract). */
import { Type } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';
import { CONTEXT, Channel, DeviceId, EncryptedPassword, PaymentId, StepUpCode, UserId, object } from './payments-fields';
import { AmountMinor, WalletId } from './wallet';

const RISK_CODES =
  ' Refused before the payment starts (nothing recorded on it, a risk alert is raised): RISK_VELOCITY_EXCEEDED (too many payments within a minute), STEP_UP_REQUIRED (first payment from a new device above the threshold, without stepUpCode); ' +
  'with a stepUpCode that identity refuses: INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED, IDENTITY_UNAVAILABLE (details.stepUp = "rejected"; nothing moved).';

export const payMerchant = defineCommand({
  type: 'payments.PayMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'MERCHANT_NOT_SUPPORTED',
    'CHANNEL_NOT_SUPPORTED',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'ACCOUNT_FROZEN',
    'INSUFFICIENT_FUNDS',
    'WALLET_FROZEN',
    'LIMIT_EXCEEDED',
    'WALLET_NOT_OPEN',
    'MERCHANT_DECLINED',
    'ACQUIRER_UNAVAILABLE',
    'WALLET_UNAVAILABLE',
    'IDENTITY_UNAVAILABLE',
    'PAYMENT_INTERRUPTED',
    'HOLD_EXPIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
    'RISK_VELOCITY_EXCEEDED',
    'STEP_UP_REQUIRED',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'PAYMENT_PASSWORD_NOT_SET',
  ],
  description:
    'Pays a merchant from the wallet (online, offline QR or POS) with the payment password. Key: paymentId. ' +
    'Accepted data: paymentId, status "completed", transactionIds, postings — or status "pending" when the outcome is not known yet (send again with the same paymentId or ask GetPayment). ' +
    'Rejected (the payment failed, code = its failure code): MERCHANT_NOT_SUPPORTED, CHANNEL_NOT_SUPPORTED, WRONG_PAYMENT_PASSWORD (attemptsLeft), PAYMENT_PASSWORD_LOCKED, ACCOUNT_FROZEN, ' +
    'INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, MERCHANT_DECLINED, ACQUIRER_UNAVAILABLE, WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED, FORBIDDEN; ' +
    'refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES,
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    merchantId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    channel: Channel,
    amountMinor: AmountMinor,
    description: Type.Optional(Type.String({ maxLength: 256 })),
    paymentPassword: EncryptedPassword,
    deviceId: DeviceId,
    stepUpCode: StepUpCode,
  }),
});

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
});

export const transfer = defineCommand({
  type: 'payments.Transfer.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'RECIPIENT_NOT_FOUND',
    'RECIPIENT_WALLET_UNAVAILABLE',
    'SELF_TRANSFER',
    'INSUFFICIENT_FUNDS',
    'WALLET_FROZEN',
    'LIMIT_EXCEEDED',
    'WALLET_NOT_OPEN',
    'IDENTITY_UNAVAILABLE',
    'WALLET_UNAVAILABLE',
    'PAYMENT_INTERRUPTED',
    'HOLD_EXPIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
    'RISK_VELOCITY_EXCEEDED',
    'STEP_UP_REQUIRED',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'PAYMENT_PASSWORD_NOT_SET',
    'ACCOUNT_FROZEN',
  ],
  description:
    'Transfers to another wallet user found by phone number, with the payment password: sender reserved, recipient credited and sender captured, both through clearing:transfer. Key: paymentId. ' +
    'Accepted data as PayMerchant (two transactions). Rejected (the transfer failed): RECIPIENT_NOT_FOUND, RECIPIENT_WALLET_UNAVAILABLE (details.reason), SELF_TRANSFER, the password codes, ' +
    'INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, IDENTITY_UNAVAILABLE, WALLET_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES,
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    recipientPhone: Type.String({
      pattern: ENCRYPTED_FIELD_PATTERN,
      maxLength: 4096,
      description: 'the recipient’s mobile number, encrypted for payments (secretAad recipientPhone): a number never travels in clear',
    }),
    amountMinor: AmountMinor,
    description: Type.Optional(Type.String({ maxLength: 256 })),
    paymentPassword: EncryptedPassword,
    deviceId: DeviceId,
    stepUpCode: StepUpCode,
  }),
});

export const withdraw = defineCommand({
  type: 'payments.Withdraw.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'INSUFFICIENT_FUNDS',
    'WALLET_FROZEN',
    'LIMIT_EXCEEDED',
    'WALLET_NOT_OPEN',
    'CARD_NOT_FOUND',
    'NOT_CARD_OWNER',
    'CARD_EXPIRED',
    'CARD_BLOCKED',
    'CARD_PAYOUT_DECLINED',
    'WALLET_UNAVAILABLE',
    'IDENTITY_UNAVAILABLE',
    'PAYMENT_INTERRUPTED',
    'HOLD_EXPIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
    'RISK_VELOCITY_EXCEEDED',
    'STEP_UP_REQUIRED',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'PAYMENT_PASSWORD_NOT_SET',
    'ACCOUNT_FROZEN',
  ],
  description:
    'Withdraws (提现) to a bound card with the payment password: funds reserved, paid out to the card through the issuer, hold captured to clearing:card:ICBC. Key: paymentId. ' +
    'Rejected (the withdrawal failed): the password codes, INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, CARD_NOT_FOUND, NOT_CARD_OWNER, CARD_EXPIRED, CARD_BLOCKED, CARD_PAYOUT_DECLINED (hold released), ' +
    'WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES,
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    cardId: Type.String({ pattern: '^[^\\s]{1,128}$' }),
    amountMinor: AmountMinor,
    paymentPassword: EncryptedPassword,
    deviceId: DeviceId,
    stepUpCode: StepUpCode,
  }),
});

export const payBill = defineCommand({
  type: 'payments.PayBill.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'BILLER_NOT_SUPPORTED',
    'BILL_NOT_FOUND',
    'BILL_AMOUNT_MISMATCH',
    'INSUFFICIENT_FUNDS',
    'WALLET_FROZEN',
    'LIMIT_EXCEEDED',
    'WALLET_NOT_OPEN',
    'BILLER_DECLINED',
    'BILLER_UNAVAILABLE',
    'WALLET_UNAVAILABLE',
    'IDENTITY_UNAVAILABLE',
    'PAYMENT_INTERRUPTED',
    'HOLD_EXPIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
    'RISK_VELOCITY_EXCEEDED',
    'STEP_UP_REQUIRED',
    'INVALID_CODE',
    'CODE_EXPIRED',
    'CODE_ATTEMPTS_EXHAUSTED',
    'CODE_ALREADY_USED',
    'CODE_NOT_REQUESTED',
    'WRONG_PAYMENT_PASSWORD',
    'PAYMENT_PASSWORD_LOCKED',
    'PAYMENT_PASSWORD_NOT_SET',
    'ACCOUNT_FROZEN',
  ],
  description:
    'Pays a bill (缴费: electricity, water, phone top-up) with the payment password: biller registry and bill check, funds reserved, biller paid, hold captured to biller:<id>. Key: paymentId. ' +
    'Rejected (the payment failed): BILLER_NOT_SUPPORTED, BILL_NOT_FOUND, BILL_AMOUNT_MISMATCH (details.amountDueMinor), the password codes, INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, ' +
    'BILLER_DECLINED, BILLER_UNAVAILABLE (hold released), WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES,
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    billerId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    billReference: Type.String({
      pattern: ENCRYPTED_FIELD_PATTERN,
      maxLength: 4096,
      description:
        'the account or bill number at the biller (for a mobile bill the phone number), encrypted for payments (secretAad billReference)',
    }),
    amountMinor: AmountMinor,
    paymentPassword: EncryptedPassword,
    deviceId: DeviceId,
    stepUpCode: StepUpCode,
  }),
});

export const Provider = Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]);

export const providerTopUp = defineCommand({
  type: 'payments.ProviderTopUp.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: ['TOPUP_EXPIRED', 'IDEMPOTENCY_KEY_REUSED', 'PAYMENTS_BUSY', 'WALLET_NOT_OPEN'],
  description:
    'Starts a top-up through Alipay or WeChat: accepted at once with status "awaiting_provider" and the deadline; it completes when the provider\'s signed callback (ProviderCallback) arrives in time, ' +
    'and fails TOPUP_EXPIRED otherwise. Key: paymentId. Refused: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({ paymentId: PaymentId, userId: UserId, walletId: WalletId, provider: Provider, amountMinor: AmountMinor }),
});

export const providerCallback = defineCommand({
  type: 'payments.ProviderCallback.v1',
  context: CONTEXT,
  senders: { gateway: ['provider'] },
  rejects: [
    'INVALID_SIGNATURE',
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
    'The provider\'s asynchronous confirmation of a top-up, signed: signature = hex HMAC-SHA256(provider secret, "<provider>|<paymentId>|<providerReference>|<amountMinor>"). Key: paymentId. ' +
    "Accepted: the top-up's outcome (a repeated callback returns it again and credits nothing more). Rejected: INVALID_SIGNATURE, CALLBACK_MISMATCH, PAYMENT_NOT_FOUND, " +
    "CALLBACK_AFTER_DEADLINE (refused, reported as payments.LateProviderCallbackReported.v1 for reconciliation), or the credit's failure code.",
  payload: object({
    paymentId: PaymentId,
    provider: Provider,
    providerReference: Type.String({ minLength: 1, maxLength: 128 }),
    amountMinor: AmountMinor,
    signature: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  }),
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
  ],
  description:
    'Cash top-up at a bank counter (actor teller:<tellerId>, audited in the payment stream): the wallet is credited from cash:branch:<branchId>. Key: paymentId. ' +
    'Above the approval threshold (PAYMENTS_COUNTER_APPROVAL_ABOVE_MINOR) it is accepted with status "awaiting_approval" and approvalDeadline, and credits nothing until a supervisor other than the teller approves it (ApproveCounterTopUp); ' +
    'rejected (RejectCounterTopUp) it fails COUNTER_TOP_UP_REJECTED, undecided by the deadline APPROVAL_EXPIRED. ' +
    'Rejected: WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED (the teller hands the cash back), IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    branchId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    tellerId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    amountMinor: AmountMinor,
  }),
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
});

export const refundPayment = defineCommand({
  type: 'payments.RefundPayment.v1',
  context: CONTEXT,
  senders: { internal: ['system'] },
  rejects: [
    'REFUND_EXCEEDS_PAYMENT',
    'PAYMENT_NOT_REFUNDABLE',
    'PAYMENT_NOT_FOUND',
    'WALLET_NOT_OPEN',
    'WALLET_FROZEN',
    'BALANCE_CAP_EXCEEDED',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENTS_BUSY',
  ],
  description:
    "Refunds a completed merchant payment fully or partly (actor system:<merchant side>): the merchant account gives the money back to the wallet. refundId is the idempotency key (the refund's own payment id). " +
    'Key: paymentId (the original). Rejected: REFUND_EXCEEDS_PAYMENT (details.refundableMinor), PAYMENT_NOT_REFUNDABLE, PAYMENT_NOT_FOUND, WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED (claim given back), ' +
    'IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({
    refundId: PaymentId,
    paymentId: PaymentId,
    amountMinor: AmountMinor,
    reason: Type.Optional(Type.String({ maxLength: 256 })),
  }),
});

export const getPayment = defineCommand({
  type: 'payments.GetPayment.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['system'] },
  rejects: ['PAYMENT_NOT_FOUND', 'AUDIT_UNAVAILABLE'],
  description:
    "Query: a payment's status and outcome (accepted data: paymentId, kind, status, amountMinor, failure?, transactionIds?, postings?). Key: paymentId. " +
    "A support (support:<id>) look-up is audited on the owner's supportaudit-<userId> stream before it is answered. Codes: PAYMENT_NOT_FOUND, FORBIDDEN, AUDIT_UNAVAILABLE.",
  payload: object({ paymentId: PaymentId }),
});

export const listUserPayments = defineCommand({
  type: 'payments.ListUserPayments.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'] },
  rejects: ['AUDIT_UNAVAILABLE'],
  description:
    "Query: a user's payments, newest first, from the read model (eventually consistent; GetPayment is always current). Actor: user:<userId> (their own) or support:<id>. " +
    'limit 1..100 (default 20); before = the nextCursor of the previous page. Accepted data: userId, payments[] (paymentId, kind, amountMinor, counterparty, ' +
    'status pending|completed|failed, failureCode?, createdAt, updatedAt), nextCursor?. Key: userId. A support look-up is audited first (payments.SupportAccessRecorded.v1 on supportaudit-<userId>; ' +
    'refused AUDIT_UNAVAILABLE when it cannot be recorded). Codes: FORBIDDEN, INVALID_COMMAND (a malformed cursor), AUDIT_UNAVAILABLE.',
  payload: object({
    userId: UserId,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  }),
});

export const listSupportAccess = defineCommand({
  type: 'payments.ListSupportAccess.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'] },
  rejects: [],
  description:
    "Query: who in support looked at a user's transactions (every support ListUserPayments / GetPayment is recorded before it is answered), newest first. " +
    'Actor: user:<userId> (their own) or support:<id>. limit 1..100 (default 20); before = the nextCursor of the previous page. ' +
    'Accepted data: userId, entries[] (agentId, viewed {kind "list", limit?, before?} | {kind "payment", paymentId}, at), nextCursor?. Key: userId. Codes: FORBIDDEN, INVALID_COMMAND (a malformed cursor).',
  payload: object({
    userId: UserId,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  }),
});

export const COMMANDS = [
  payMerchant,
  topUpFromCard,
  transfer,
  withdraw,
  payBill,
  providerTopUp,
  providerCallback,
  counterTopUp,
  approveCounterTopUp,
  rejectCounterTopUp,
  refundPayment,
  getPayment,
  listUserPayments,
  listSupportAccess,
] as const;
