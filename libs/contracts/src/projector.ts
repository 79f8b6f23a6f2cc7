/**
 * The projector's queries: read models over every context's events (eventually consistent: they
 * trail the stores by the projector's poll interval, half a second by default).
 */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';
import { Instant } from './wallet';

export const CONTEXT = 'projector';

export const listStaffActions = defineCommand({
  type: 'projector.ListStaffActions.v1',
  context: CONTEXT,
  senders: { gateway: ['supervisor'] },
  rejects: [],
  description:
    'Query (supervisors): what a member of staff did, newest first, across identity and payments: every event recorded with their actor (support:, teller: or supervisor:<agentId>: ' +
    "freezes, unfreezes, second-factor resets, maintenance windows, counter deposits and their approvals or rejections, look-ups of users' payments) and every login attempt of theirs. " +
    'limit 1..100 (default 20); before = the nextCursor of the previous page. Accepted data: agentId, actions[] (action = the event type, role, stream, subjectUserId?, occurredAt, commandId?), nextCursor?. ' +
    'Key: agentId. Codes: INVALID_COMMAND (a malformed cursor).',
  payload: Type.Object(
    {
      agentId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    },
    { additionalProperties: false },
  ),
});

const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
/**
 * A support look-up names the command that recorded it on the user's support-access trail
 * (payments.RecordSupportAccess.v1); the projector answers only once it finds that record.
 */
const AuditedBy = Type.Optional(
  Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    description: 'the commandId of the payments.RecordSupportAccess.v1 that recorded this look-up',
  }),
);
const WHO =
  'Actor: user:<userId> (their own), support:<id> (audited: the gateway records the look-up with payments.RecordSupportAccess.v1 first and names that command in auditedBy; ' +
  'without such a record for this agent and user the query is refused AUDIT_REQUIRED) or system:<service>.';

export const getStatement = defineCommand({
  type: 'projector.GetStatement.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['system'] },
  rejects: ['WALLET_NOT_OPEN', 'AUDIT_REQUIRED'],
  description:
    "Query: a user's wallet statement, newest first: every entry that touched the wallet (credits: incoming transfers, top-ups of every kind, counter deposits, refunds; " +
    'debits: merchant payments, outgoing transfers, bills, withdrawals; and holds with their release or expiry), each with its signed amountMinor (the change of the balance; 0 for a hold), ' +
    'heldMinor (the change of the held amount), balanceAfterMinor and availableAfterMinor, the counterparty as the user may see it (phone numbers masked), paymentId and paymentKind when a payment made it. ' +
    'From the read models (eventually consistent: an entry appears within about a second). limit 1..100 (default 20); before = the nextCursor of the previous page. ' +
    `${WHO} Accepted data: userId, walletId, entries[] (seq, at, kind credit|debit|hold|release|expiry, amountMinor, heldMinor, balanceAfterMinor, availableAfterMinor, counterparty, paymentId?, paymentKind?, transactionId?), nextCursor?. ` +
    'Key: userId. Codes: FORBIDDEN, INVALID_COMMAND (a malformed cursor), WALLET_NOT_OPEN (no wallet of this user in the read models yet), AUDIT_REQUIRED.',
  payload: Type.Object(
    {
      userId: UserId,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      auditedBy: AuditedBy,
    },
    { additionalProperties: false },
  ),
});

export const getBalanceAsOf = defineCommand({
  type: 'projector.GetBalanceAsOf.v1',
  context: CONTEXT,
  senders: { gateway: ['user', 'support'], internal: ['system'] },
  rejects: ['WALLET_NOT_OPEN', 'AUDIT_REQUIRED'],
  description:
    "Query: a user's wallet as it was at an instant: its total, held and available balance and status, folded from the wallet's own events up to that instant " +
    "(the wallet's evolve, so it never disagrees with the wallet). " +
    `${WHO} Accepted data: userId, walletId, asOf, status, totalMinor, heldMinor, availableMinor, events (how many were folded). ` +
    'Key: userId. Codes: FORBIDDEN, WALLET_NOT_OPEN (no wallet of this user in the read models yet), AUDIT_REQUIRED.',
  payload: Type.Object({ userId: UserId, asOf: Instant, auditedBy: AuditedBy }, { additionalProperties: false }),
});

export const getMerchantSettlement = defineCommand({
  type: 'projector.GetMerchantSettlement.v1',
  context: CONTEXT,
  senders: { gateway: ['merchant'], internal: ['system'] },
  rejects: [],
  description:
    "Merchant API query: the merchant's settlement statement for one Asia/Shanghai day, from the read models (eventually consistent): completed payments (count, gross), refunds (count, amount) and net, in fen. " +
    "Actor: merchant:<merchantId> (the gateway asserts it once payments.AuthenticateMerchant.v1 accepted the merchant's key; its own only) or system:<service>. " +
    'Accepted data: merchantId, day, payments, grossMinor, refunds, refundedMinor, netMinor (zeros for a day without payments). Key: merchantId. Codes: FORBIDDEN (another merchant).',
  payload: Type.Object(
    {
      merchantId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
      day: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$' }),
    },
    { additionalProperties: false },
  ),
});

export const COMMANDS = [listStaffActions, getStatement, getBalanceAsOf, getMerchantSettlement] as const;

/** Every stable rejection code the projector's queries answer with, besides the transport's. */
export const ERROR_CODES = ['FORBIDDEN', 'WALLET_NOT_OPEN', 'AUDIT_REQUIRED'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
