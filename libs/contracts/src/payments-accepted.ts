/**
 * What the payments commands answer when accepted (each command's `accepted` in the payments
 * contract), as `libs/payments/service/src/use-cases` builds it: a payment's view
 * (`outcome.ts` `paymentView`), the `pending` answer of a payment still in flight after the wait
 * bound (`awaitOutcome`), and the queries' pages.
 */
import { Type } from '@sinclair/typebox';
import { AnsweredInstant, PositiveMinor, Posting, answer } from './accepted-fields';
import { PaymentKind, SupportAccessRecordedData } from './payments-events';

/** Every status a payment's view shows: the step it is at, or its outcome (`PaymentStatus` in `@ledger/payments-domain`). */
export const PAYMENT_STATUSES = [
  'finding_recipient',
  'verifying_password',
  'reserving',
  'confirming',
  'settling',
  'crediting_recipient',
  'capturing',
  'releasing',
  'checking_card',
  'charging',
  'crediting',
  'refunding_card',
  'paying_out',
  'checking_bill',
  'awaiting_provider',
  'awaiting_approval',
  'paying_bill',
  'claiming_refund',
  'crediting_refund',
  'releasing_refund_claim',
  'completed',
  'failed',
] as const;

/**
 * A payment as it stands (`paymentView`). The outcome's fields appear once there is one: a
 * completed payment's transactions, postings and completedAt; a failed one's failure, holdReleased,
 * cardRefund (a charged card paid back) and failedAt. A provider top-up shows its `deadline`, a
 * counter top-up awaiting a supervisor its `approvalDeadline`, a transfer the recipient's masked phone.
 */
export const PaymentView = answer({
  paymentId: Type.String(),
  kind: PaymentKind,
  status: Type.Union(PAYMENT_STATUSES.map((status) => Type.Literal(status))),
  amountMinor: PositiveMinor,
  deadline: Type.Optional(AnsweredInstant),
  approvalDeadline: Type.Optional(AnsweredInstant),
  recipientPhoneMasked: Type.Optional(Type.String()),
  transactionIds: Type.Optional(Type.Array(Type.String())),
  postings: Type.Optional(Type.Array(Posting)),
  completedAt: Type.Optional(AnsweredInstant),
  failure: Type.Optional(
    answer({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
  ),
  holdReleased: Type.Optional(Type.Boolean()),
  cardRefund: Type.Optional(answer({ issuerReference: Type.String() })),
  failedAt: Type.Optional(AnsweredInstant),
});

/** A payment not decided within the service's wait bound: it carries on; send the command again with the same paymentId, or ask GetPayment. */
export const PaymentPending = answer({ paymentId: Type.String(), status: Type.Literal('pending') });

/**
 * What a command that starts or decides a payment answers: the payment's view, or `pending`. A
 * failed payment is answered rejected with its failure's code (the view in `details`), except by
 * RejectCounterTopUp, whose accepted answer is the top-up it failed.
 */
export const PaymentAnswer = Type.Union([PaymentPending, PaymentView]);

/** ListUserPayments: one page of the user's payments from the read model, newest first. */
export const UserPaymentsPage = answer({
  userId: Type.String(),
  payments: Type.Array(
    answer({
      paymentId: Type.String(),
      userId: Type.String(),
      kind: Type.String(),
      amountMinor: PositiveMinor,
      counterparty: Type.String(),
      status: Type.Union([Type.Literal('pending'), Type.Literal('completed'), Type.Literal('failed')]),
      failureCode: Type.Optional(Type.String()),
      createdAt: AnsweredInstant,
      updatedAt: AnsweredInstant,
    }),
  ),
  /** Pass as `before` for the next (older) page; absent on the last page. */
  nextCursor: Type.Optional(Type.String()),
});

/** ListSupportAccess: one page of the user's support-access trail, newest first. */
export const SupportAccessPage = answer({
  userId: Type.String(),
  entries: Type.Array(SupportAccessRecordedData),
  nextCursor: Type.Optional(Type.String()),
});

/** RecordSupportAccess: the record's instant and its id (this command's id), to name as `auditedBy`. */
export const SupportAccessRecordedAnswer = answer({ userId: Type.String(), at: AnsweredInstant, auditId: Type.String() });
