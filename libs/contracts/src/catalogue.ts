import * as cards from './cards';
import type { CommandContract, Sender } from './command';
import { TRANSPORT_ERROR } from './command-result';
import * as identity from './identity';
import * as payments from './payments';
import * as projector from './projector';
import { pingCommand } from './system';
import * as wallet from './wallet';

/** The contexts whose services consume commands: the four with an event store, the gateway (pings only) and the projector (pings and its queries). */
export const COMMAND_CONTEXTS = [identity.CONTEXT, cards.CONTEXT, wallet.CONTEXT, payments.CONTEXT, 'gateway', projector.CONTEXT] as const;

/** The contexts whose services publish events (their relays), each on `topics.events(context)`. */
export const EVENT_CONTEXTS = [identity.CONTEXT, cards.CONTEXT, wallet.CONTEXT, payments.CONTEXT] as const;

/** Every command any service handles, the pings included: what the grants and the topic lists are made from. */
export const ALL_COMMANDS: readonly CommandContract[] = [
  ...identity.COMMANDS,
  ...cards.COMMANDS,
  ...wallet.COMMANDS,
  ...payments.COMMANDS,
  ...projector.COMMANDS,
  ...COMMAND_CONTEXTS.map((context) => pingCommand(context)),
];

/**
 * Every stable code a command can be rejected with, whatever service answers it: the transport's
 * and each context's list. The gateway's HTTP status table covers exactly these and its own.
 */
export const SERVICE_ERROR_CODES = [
  ...new Set([
    ...Object.values(TRANSPORT_ERROR),
    ...identity.ERROR_CODES,
    ...cards.ERROR_CODES,
    ...wallet.ERROR_CODES,
    ...payments.ERROR_CODES,
    ...projector.ERROR_CODES,
  ]),
] as readonly ServiceErrorCode[];
export type ServiceErrorCode =
  | (typeof TRANSPORT_ERROR)[keyof typeof TRANSPORT_ERROR]
  | identity.ErrorCode
  | cards.ErrorCode
  | wallet.ErrorCode
  | payments.ErrorCode
  | projector.ErrorCode;

/** The senders some command of `context` lists: the command topics its service consumes. */
export function sendersOfContext(context: string): Sender[] {
  const senders = new Set(
    ALL_COMMANDS.filter((command) => command.context === context).flatMap((command) => Object.keys(command.senders) as Sender[]),
  );
  return [...senders].sort();
}
