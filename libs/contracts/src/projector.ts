/**
 * The projector's queries: read models over every context's events (eventually consistent: they
 * trail the stores by the projector's poll interval, half a second by default).
 */
import { Type } from '@sinclair/typebox';
import { defineCommand } from './command';

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

export const COMMANDS = [listStaffActions] as const;

/** Every stable rejection code the projector's queries answer with, besides the transport's. */
export const ERROR_CODES = ['FORBIDDEN'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
