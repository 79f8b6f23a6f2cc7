import { Type, type Static } from '@sinclair/typebox';

/** The single answer to a command, sent to its `reply-to` topic with its `correlation-id`. */
export const AcceptedResult = Type.Object(
  {
    status: Type.Literal('accepted'),
    commandId: Type.String(),
    /** What the command produced (ids, revisions, tokens…); shape defined per command. */
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'AcceptedResult' },
);

export const RejectedResult = Type.Object(
  {
    status: Type.Literal('rejected'),
    commandId: Type.String(),
    /** A stable, documented code such as `INSUFFICIENT_FUNDS`; clients branch on it. */
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }),
    /** For people; never parsed. */
    message: Type.String(),
    /** Facts that go with the code (attempts left, available amount…). */
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'RejectedResult' },
);

export const CommandResult = Type.Union([AcceptedResult, RejectedResult], { $id: 'CommandResult' });
export type AcceptedResult = Static<typeof AcceptedResult>;
export type RejectedResult = Static<typeof RejectedResult>;
export type CommandResult = Static<typeof CommandResult>;

export const COMMAND_RESULT_TYPE = 'CommandResult.v1';

/** Codes the messaging layer itself can answer with, whatever the command. */
export const TRANSPORT_ERROR = {
  /** The payload does not match the command's schema (the message also goes to dead letters). */
  INVALID_COMMAND: 'INVALID_COMMAND',
  /** No handler for this `message-type` in the receiving service. */
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
  /** The handler kept failing after bounded retries (the message also goes to dead letters). */
  PROCESSING_FAILED: 'PROCESSING_FAILED',
  /** The sender (proven by the topic it wrote to) may not send this command, or not as this actor; nothing was done. */
  FORBIDDEN: 'FORBIDDEN',
  /** The caller stopped waiting; the command may still complete (resend with the same id). */
  TIMEOUT: 'TIMEOUT',
} as const;
