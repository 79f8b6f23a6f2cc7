/** The payments contract's queries: a payment, a user's payments, and support's look-ups of them (re-exported through `payments-commands.ts`). */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import { PaymentView, SupportAccessPage, SupportAccessRecordedAnswer, UserPaymentsPage } from './payments-accepted';
import { CONTEXT, PaymentId, UserId, object } from './payments-fields';
import { Instant } from './wallet';

export const getPayment = defineCommand({
  type: 'payments.GetPayment.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['system'] },
  rejects: ['PAYMENT_NOT_FOUND', 'AUDIT_UNAVAILABLE'],
  description:
    "Query: a payment's status and outcome (accepted data: paymentId, kind, status, amountMinor, failure?, transactionIds?, postings?). Key: paymentId. " +
    "A support (support:<id>) look-up is audited on the owner's supportaudit-<userId> stream before it is answered. Codes: PAYMENT_NOT_FOUND, FORBIDDEN, AUDIT_UNAVAILABLE.",
  payload: object({ paymentId: PaymentId }),
  accepted: PaymentView,
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
  accepted: UserPaymentsPage,
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
  accepted: SupportAccessPage,
});

export const recordSupportAccess = defineCommand({
  type: 'payments.RecordSupportAccess.v1',
  context: CONTEXT,
  senders: { gateway: ['support'] },
  rejects: ['AUDIT_UNAVAILABLE'],
  description:
    "Records a support agent's look-up that another service answers (a user's statement or balance as of an instant from the projector) on the user's supportaudit-<userId> trail, " +
    'before the look-up is made: the gateway then names this command (its commandId) as auditedBy in the query, and the projector answers only when it finds the record. ' +
    "Actor: support:<id>. Accepted data: userId, at, auditId (this command's id, to name as auditedBy). Key: userId. Codes: AUDIT_UNAVAILABLE (the record could not be written).",
  payload: object({
    userId: UserId,
    viewed: Type.Union([
      object({
        kind: Type.Literal('statement'),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      }),
      object({ kind: Type.Literal('balance'), asOf: Instant }),
    ]),
  }),
  accepted: SupportAccessRecordedAnswer,
});
