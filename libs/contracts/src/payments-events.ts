/** The payments contract's events and the support-access audit record, with their data schemas (re-exported by `payments.ts`). */
import { Type, type Static } from '@sinclair/typebox';
import { PaymentId } from './payments-fields';
import { AmountMinor, Instant } from './wallet';

// ─── Events on `payments.events` (key = stream `payment-<paymentId>`) ────────────────────────────

export const EVENT_TYPES = {
  PaymentInitiated: 'payments.PaymentInitiated.v1',
  PaymentPasswordVerified: 'payments.PaymentPasswordVerified.v1',
  PaymentFundsReserved: 'payments.PaymentFundsReserved.v1',
  MerchantApproved: 'payments.MerchantApproved.v1',
  PaymentReleaseRequested: 'payments.PaymentReleaseRequested.v1',
  RecipientFound: 'payments.RecipientFound.v1',
  RecipientCredited: 'payments.RecipientCredited.v1',
  CardChecked: 'payments.CardChecked.v1',
  CardCharged: 'payments.CardCharged.v1',
  CardRefundRequested: 'payments.CardRefundRequested.v1',
  CardPaidOut: 'payments.CardPaidOut.v1',
  BillChecked: 'payments.BillChecked.v1',
  ProviderConfirmed: 'payments.ProviderConfirmed.v1',
  LateProviderCallbackReported: 'payments.LateProviderCallbackReported.v1',
  CounterTopUpApproved: 'payments.CounterTopUpApproved.v1',
  CounterTopUpRejected: 'payments.CounterTopUpRejected.v1',
  BillPaid: 'payments.BillPaid.v1',
  RefundClaimed: 'payments.RefundClaimed.v1',
  RefundClaimReleased: 'payments.RefundClaimReleased.v1',
  RefundClaimGranted: 'payments.RefundClaimGranted.v1',
  RefundClaimReleaseRequested: 'payments.RefundClaimReleaseRequested.v1',
  PaymentCompleted: 'payments.PaymentCompleted.v1',
  PaymentFailed: 'payments.PaymentFailed.v1',
} as const;

const Posting = Type.Object({ account: Type.String(), amountMinor: Type.String() });
const Failure = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** Every kind of payment, as its events and answers name it. */
export const PaymentKind = Type.Union([
  Type.Literal('merchant'),
  Type.Literal('topup'),
  Type.Literal('transfer'),
  Type.Literal('withdrawal'),
  Type.Literal('bill'),
  Type.Literal('refund'),
  Type.Literal('provider_topup'),
  Type.Literal('counter'),
]);

/** Data of the two outcome events: exactly one of them per payment. */
export const eventData = {
  [EVENT_TYPES.PaymentCompleted]: Type.Object({
    paymentId: PaymentId,
    kind: PaymentKind,
    amountMinor: AmountMinor,
    transactionIds: Type.Array(Type.String()),
    postings: Type.Array(Posting),
    completedAt: Instant,
  }),
  [EVENT_TYPES.PaymentFailed]: Type.Object({
    paymentId: PaymentId,
    kind: PaymentKind,
    failure: Failure,
    holdReleased: Type.Boolean(),
    cardRefund: Type.Optional(Type.Object({ issuerReference: Type.String() })),
    failedAt: Instant,
  }),
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/**
 * What the relay publishes on `payments.events`: a payment's start, its outcome, and a provider's
 * late callback (for reconciliation). The process steps in between (password verified, funds
 * reserved, approved, …) stay in the event store, where the projector and analysts read them: no
 * other context consumes them, and publishing them was three records more per merchant payment.
 */
export const PUBLISHED_EVENTS: ReadonlySet<EventType> = new Set([
  EVENT_TYPES.PaymentInitiated,
  EVENT_TYPES.PaymentCompleted,
  EVENT_TYPES.PaymentFailed,
  EVENT_TYPES.LateProviderCallbackReported,
]);
export type PaymentCompletedData = Static<(typeof eventData)[typeof EVENT_TYPES.PaymentCompleted]>;
export type PaymentFailedData = Static<(typeof eventData)[typeof EVENT_TYPES.PaymentFailed]>;

// ─── Support-access audit (stream `supportaudit-<userId>`, event store schema `payments`; not relayed to Kafka) ───

/** Recorded before a support agent's look-up of a user's transactions is answered. Read it with ListSupportAccess. */
export const SUPPORT_ACCESS_RECORDED = 'payments.SupportAccessRecorded.v1';
/** The user's support-access trail; the projector reads it to check a support look-up was recorded before it answers. */
export const SUPPORT_AUDIT_CATEGORY = 'supportaudit';
export const supportAuditStreamOf = (userId: string): string => `${SUPPORT_AUDIT_CATEGORY}-${userId}`;
export const SupportAccessViewed = Type.Union([
  Type.Object({ kind: Type.Literal('list'), limit: Type.Optional(Type.Integer()), before: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('payment'), paymentId: Type.String() }),
  Type.Object({ kind: Type.Literal('statement'), limit: Type.Optional(Type.Integer()), before: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('balance'), asOf: Instant }),
]);
export const SupportAccessRecordedData = Type.Object({
  agentId: Type.String(),
  userId: Type.String(),
  viewed: SupportAccessViewed,
  at: Instant,
});
export type SupportAccessRecorded = Static<typeof SupportAccessRecordedData>;
