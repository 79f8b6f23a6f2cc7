/**
 * The payments contract's commands that take money out of the wallet, each with the payment password:
 * paying a merchant, a transfer to another user, a withdrawal to a bound card, a bill; and the
 * merchant side's refund that gives a merchant payment back (re-exported through `payments-commands.ts`).
 */
import { Type } from '@sinclair/typebox';
import { ENCRYPTED_FIELD_PATTERN, defineCommand } from './command';
import { PaymentAnswer } from './payments-accepted';
import { CONTEXT, Channel, DeviceId, EncryptedPassword, PaymentId, SecondFactorCode, StepUpCode, UserId, object } from './payments-fields';
import { AmountMinor, WalletId } from './wallet';
import { SECOND_FACTOR_REJECTS } from './identity-fields';

const RISK_CODES =
  ' Refused before the payment starts (nothing recorded on it, a risk alert is raised): RISK_VELOCITY_EXCEEDED (too many payments within a minute), STEP_UP_REQUIRED (first payment from a new device above the threshold, without stepUpCode); ' +
  'with a stepUpCode that identity refuses: INVALID_CODE, CODE_EXPIRED, CODE_ATTEMPTS_EXHAUSTED, CODE_ALREADY_USED, CODE_NOT_REQUESTED, IDENTITY_UNAVAILABLE (details.stepUp = "rejected"; nothing moved).';

/**
 * What every money-out payment may be refused or fail with before any money moves, besides its own
 * codes: the risk rules and their SMS step-up (RISK_CODES), the payment password, and the second
 * factor (SECOND_FACTOR_CODES).
 */
const AUTHORIZATION_REJECTS = [
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
  ...SECOND_FACTOR_REJECTS,
] as const;

const SECOND_FACTOR_CODES =
  ' When the user has the second factor on, identity asks for secondFactorCode with the payment password above its threshold (IDENTITY_SECOND_FACTOR_ABOVE_MINOR, default 50000 fen) ' +
  'and on any payment from a device the user has never paid from; without a valid code the payment fails (nothing moved) with SECOND_FACTOR_REQUIRED, ' +
  'INVALID_SECOND_FACTOR (attemptsLeft) or SECOND_FACTOR_LOCKED; send it again with a new paymentId and the code.';

export const payMerchant = defineCommand({
  type: 'payments.PayMerchant.v1',
  context: CONTEXT,
  senders: { gateway: ['user'] },
  rejects: [
    'MERCHANT_NOT_SUPPORTED',
    'CHANNEL_NOT_SUPPORTED',
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
    ...AUTHORIZATION_REJECTS,
  ],
  description:
    'Pays a merchant from the wallet (online, offline QR or POS) with the payment password. Key: paymentId. ' +
    'Accepted data: paymentId, status "completed", transactionIds, postings — or status "pending" when the outcome is not known yet (send again with the same paymentId or ask GetPayment). ' +
    'Rejected (the payment failed, code = its failure code): MERCHANT_NOT_SUPPORTED, CHANNEL_NOT_SUPPORTED, WRONG_PAYMENT_PASSWORD (attemptsLeft), PAYMENT_PASSWORD_LOCKED, ACCOUNT_FROZEN, ' +
    'INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, MERCHANT_DECLINED, ACQUIRER_UNAVAILABLE, WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED, FORBIDDEN; ' +
    'refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES +
    SECOND_FACTOR_CODES,
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
    secondFactorCode: SecondFactorCode,
  }),
  accepted: PaymentAnswer,
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
    ...AUTHORIZATION_REJECTS,
  ],
  description:
    'Transfers to another wallet user found by phone number, with the payment password: sender reserved, recipient credited and sender captured, both through clearing:transfer. Key: paymentId. ' +
    'Accepted data as PayMerchant (two transactions). Rejected (the transfer failed): RECIPIENT_NOT_FOUND, RECIPIENT_WALLET_UNAVAILABLE (details.reason), SELF_TRANSFER, the password codes, ' +
    'INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, IDENTITY_UNAVAILABLE, WALLET_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES +
    SECOND_FACTOR_CODES,
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
    secondFactorCode: SecondFactorCode,
  }),
  accepted: PaymentAnswer,
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
    ...AUTHORIZATION_REJECTS,
  ],
  description:
    'Withdraws (提现) to a bound card with the payment password: funds reserved, paid out to the card through the issuer, hold captured to clearing:card:ICBC. Key: paymentId. ' +
    'Rejected (the withdrawal failed): the password codes, INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, CARD_NOT_FOUND, NOT_CARD_OWNER, CARD_EXPIRED, CARD_BLOCKED, CARD_PAYOUT_DECLINED (hold released), ' +
    'WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES +
    SECOND_FACTOR_CODES,
  payload: object({
    paymentId: PaymentId,
    userId: UserId,
    walletId: WalletId,
    cardId: Type.String({ pattern: '^[^\\s]{1,128}$' }),
    amountMinor: AmountMinor,
    paymentPassword: EncryptedPassword,
    deviceId: DeviceId,
    stepUpCode: StepUpCode,
    secondFactorCode: SecondFactorCode,
  }),
  accepted: PaymentAnswer,
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
    ...AUTHORIZATION_REJECTS,
  ],
  description:
    'Pays a bill (缴费: electricity, water, phone top-up) with the payment password: biller registry and bill check, funds reserved, biller paid, hold captured to biller:<id>. Key: paymentId. ' +
    'Rejected (the payment failed): BILLER_NOT_SUPPORTED, BILL_NOT_FOUND, BILL_AMOUNT_MISMATCH (details.amountDueMinor), the password codes, INSUFFICIENT_FUNDS, WALLET_FROZEN, LIMIT_EXCEEDED, WALLET_NOT_OPEN, ' +
    'BILLER_DECLINED, BILLER_UNAVAILABLE (hold released), WALLET_UNAVAILABLE, IDENTITY_UNAVAILABLE, PAYMENT_INTERRUPTED, HOLD_EXPIRED; refused without a payment: IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).' +
    RISK_CODES +
    SECOND_FACTOR_CODES,
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
    secondFactorCode: SecondFactorCode,
  }),
  accepted: PaymentAnswer,
});

export const refundPayment = defineCommand({
  type: 'payments.RefundPayment.v1',
  context: CONTEXT,
  senders: { internal: ['system'], gateway: ['merchant'] },
  rejects: [
    'NOT_MERCHANTS_PAYMENT',
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
    'Refunds a completed merchant payment fully or partly: the merchant account gives the money back to the wallet. Actor: the merchant (merchant:<merchantId>, asserted by the gateway once its API key was checked; ' +
    "only its own payments: NOT_MERCHANTS_PAYMENT) or an internal system:<name>. refundId is the idempotency key (the refund's own payment id). " +
    'Key: paymentId (the original). Rejected: REFUND_EXCEEDS_PAYMENT (details.refundableMinor), PAYMENT_NOT_REFUNDABLE, PAYMENT_NOT_FOUND, WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED (claim given back), ' +
    'IDEMPOTENCY_KEY_REUSED, FORBIDDEN, PAYMENTS_BUSY (admission control: retry after details.retryAfterMs).',
  payload: object({
    refundId: PaymentId,
    paymentId: PaymentId,
    amountMinor: AmountMinor,
    reason: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  accepted: PaymentAnswer,
});
