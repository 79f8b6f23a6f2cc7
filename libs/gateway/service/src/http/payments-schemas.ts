/** The HTTP schemas of payments: paying, top-ups, transfers, bills, withdrawals, the counter and provider flows, and the payment lists. */
import { Type } from '@sinclair/typebox';
import { SecondFactorCode } from './identity-schemas';
import { Amount, Instant, PaymentPassword, Phone, loose, strict } from './schema-fields';

/** Amounts in requests: positive fen as a decimal string (no sign, no fraction, no leading zero). */
export const PositiveAmount = Type.String({
  pattern: '^[1-9][0-9]{0,17}$',
  description: 'positive amount in fen as a decimal string ("12345" = 123.45 CNY)',
  examples: ['2500'],
});
/** The client's payment id: the idempotency key. The same id with the same body returns the first outcome. */
export const PaymentIdField = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
  description:
    'client-generated payment id (e.g. a UUID): the idempotency key. Resend the same body with the same id after a timeout; another body with the same id → 409 IDEMPOTENCY_KEY_REUSED',
  examples: ['3f1c7a2e-4b1d-4f7e-9a51-0d2c8e6b9f10'],
});
export const PaymentIdParam = PaymentIdField;
export const Code64 = (description: string) => Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description });
const CardIdField = Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'a bound card of mine (GET /users/{userId}/cards)' });
const Description = Type.Optional(Type.String({ maxLength: 256 }));
const PaymentStepUpCode = Type.Optional(
  Type.String({
    pattern: '^[0-9]{6}$',
    description:
      'login_step_up SMS code, for the first payment above the threshold from a new device (answer STEP_UP_REQUIRED); verified by identity (one use), after which the device is known',
  }),
);

export const PayMerchantRequest = strict({
  paymentId: PaymentIdField,
  merchantId: Code64('merchant id, e.g. m-canteen'),
  channel: Type.Union([Type.Literal('online'), Type.Literal('qr'), Type.Literal('pos')], {
    description: 'online, offline QR code or POS terminal',
  }),
  amountMinor: PositiveAmount,
  description: Description,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
  // Identity asks for it above its threshold and from a new device when the user's second factor is on (answer SECOND_FACTOR_REQUIRED).
  secondFactorCode: SecondFactorCode,
});
export const CardTopUpRequest = strict({ paymentId: PaymentIdField, cardId: CardIdField, amountMinor: PositiveAmount });
export const ProviderTopUpRequest = strict({
  paymentId: PaymentIdField,
  provider: Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]),
  amountMinor: PositiveAmount,
});
export const TransferRequest = strict({
  paymentId: PaymentIdField,
  recipientPhone: Phone,
  amountMinor: PositiveAmount,
  description: Description,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
  // Identity asks for it above its threshold and from a new device when the user's second factor is on (answer SECOND_FACTOR_REQUIRED).
  secondFactorCode: SecondFactorCode,
});
export const BillPaymentRequest = strict({
  paymentId: PaymentIdField,
  billerId: Code64('biller id: b-power, b-water, b-mobile'),
  billReference: Type.String({ minLength: 1, maxLength: 64, description: 'the account or bill number at the biller' }),
  amountMinor: PositiveAmount,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
  // Identity asks for it above its threshold and from a new device when the user's second factor is on (answer SECOND_FACTOR_REQUIRED).
  secondFactorCode: SecondFactorCode,
});
export const WithdrawalRequest = strict({
  paymentId: PaymentIdField,
  cardId: CardIdField,
  amountMinor: PositiveAmount,
  paymentPassword: PaymentPassword('the payment password'),
  stepUpCode: PaymentStepUpCode,
  // Identity asks for it above its threshold and from a new device when the user's second factor is on (answer SECOND_FACTOR_REQUIRED).
  secondFactorCode: SecondFactorCode,
});
export const CounterTopUpRequest = strict({
  paymentId: PaymentIdField,
  branchId: Code64('the branch where the cash was paid in'),
  amountMinor: PositiveAmount,
  depositorIdNumber: Type.Optional(
    Type.String({
      pattern: '^[0-9]{17}[0-9Xx]$',
      description:
        "the depositor's resident ID number, as the teller checked it: required above the ID-check threshold (50,000 yuan by default)",
    }),
  ),
});
export const CounterTopUpApprovalRequest = strict({});
export const CounterTopUpRejectionRequest = strict({
  reason: Type.String({ minLength: 1, maxLength: 256, description: 'why the cash is handed back (recorded)' }),
});
export const ProviderCallbackRequest = strict({
  paymentId: PaymentIdField,
  provider: Type.Union([Type.Literal('alipay'), Type.Literal('wechat')]),
  providerReference: Type.String({ minLength: 1, maxLength: 128 }),
  amountMinor: PositiveAmount,
  timestamp: Type.String({ pattern: '^[0-9]{13}$', description: 'when the provider signed the callback, Unix milliseconds' }),
  nonce: Type.String({
    pattern: '^[A-Za-z0-9_-]{16,64}$',
    description: 'one-time value; a callback whose nonce was already used is a replay',
  }),
  signature: Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: 'hex HMAC-SHA256(the provider\'s secret, "<provider>|<paymentId>|<providerReference>|<amountMinor>|<timestamp>|<nonce>")',
  }),
});

const Posting = Type.Object({ account: Type.String(), amountMinor: Amount });
export const PaymentResponse = loose({
  paymentId: Type.String(),
  status: Type.String({
    description:
      'completed; pending (not known yet: GET the payment or resend); awaiting_provider (provider top-up); awaiting_approval (counter top-up above the threshold, until approvalDeadline); failed (a rejection recorded)',
  }),
  transactionIds: Type.Optional(Type.Array(Type.String())),
  postings: Type.Optional(Type.Array(Posting, { description: 'double-entry postings of the ledger, summing to 0' })),
});
export const PaymentStatusResponse = loose({
  paymentId: Type.String(),
  kind: Type.String(),
  status: Type.String(),
  amountMinor: Amount,
  failure: Type.Optional(loose({ code: Type.String(), message: Type.String() })),
  transactionIds: Type.Optional(Type.Array(Type.String())),
  postings: Type.Optional(Type.Array(Posting)),
});
export const PaymentListResponse = loose({
  userId: Type.String(),
  payments: Type.Array(
    loose({
      paymentId: Type.String(),
      kind: Type.String(),
      amountMinor: Amount,
      counterparty: Type.String({ description: 'merchant, biller, card, provider, branch or the masked recipient phone' }),
      status: Type.String({ description: 'pending, completed or failed' }),
      failureCode: Type.Optional(Type.String()),
      createdAt: Instant,
      updatedAt: Instant,
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
export const SupportAccessResponse = loose({
  userId: Type.String(),
  entries: Type.Array(
    loose({
      agentId: Type.String({ description: 'the support agent who looked' }),
      userId: Type.String(),
      viewed: loose({
        kind: Type.String({
          description: '"list" (the payment list, with its page parameters limit? and before?) or "payment" (one payment, paymentId)',
        }),
        limit: Type.Optional(Type.Integer()),
        before: Type.Optional(Type.String()),
        paymentId: Type.Optional(Type.String()),
      }),
      at: Instant,
    }),
  ),
  nextCursor: Type.Optional(Type.String()),
});
