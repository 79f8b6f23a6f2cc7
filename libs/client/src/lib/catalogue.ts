import { cardsContract, identityContract, paymentsContract, walletContract } from '@ledger/contracts';
import type { Static, TSchema } from '@sinclair/typebox';

/**
 * Every command and every published event of every context, with the schema its contract gives it.
 * Payload and event data types are derived from these schemas, so a payload that does not match its
 * contract, or a handler that reads a field an event does not have, fails to compile.
 */
export type LedgerCommand =
  | (typeof identityContract.COMMANDS)[number]
  | (typeof cardsContract.COMMANDS)[number]
  | (typeof walletContract.COMMANDS)[number]
  | (typeof paymentsContract.COMMANDS)[number];

const { EVENT_TYPES: IDENTITY } = identityContract;
const { EVENT_TYPES: CARDS } = cardsContract;

/**
 * The published event schemas by versioned type. Identity and cards list theirs in a record typed
 * only as `TSchema`, so their entries are spelled out here from the exported data schemas to keep
 * each event's own type; wallet and payments export theirs with the types intact.
 */
export const EVENT_SCHEMAS = {
  [IDENTITY.UserRegistered]: identityContract.UserRegisteredData,
  [IDENTITY.PaymentPasswordSet]: identityContract.PaymentPasswordSetData,
  [IDENTITY.PaymentPasswordReset]: identityContract.PaymentPasswordResetData,
  [IDENTITY.PaymentPasswordLocked]: identityContract.PaymentPasswordLockedData,
  [IDENTITY.AccountFrozen]: identityContract.AccountFrozenData,
  [IDENTITY.AccountUnfrozen]: identityContract.AccountUnfrozenData,
  [IDENTITY.RiskAlertRaised]: identityContract.RiskAlertRaisedData,
  [CARDS.CardBound]: cardsContract.CardBoundData,
  [CARDS.CardUnbound]: cardsContract.CardUnboundData,
  [CARDS.DefaultCardChanged]: cardsContract.DefaultCardChangedData,
  [CARDS.CardSuspended]: cardsContract.CardSuspendedData,
  [CARDS.CardReinstated]: cardsContract.CardReinstatedData,
  ...walletContract.eventData,
  ...paymentsContract.eventData,
} as const satisfies Readonly<Record<string, TSchema>>;

export type LedgerEventType = keyof typeof EVENT_SCHEMAS;
export type EventDataOf<T extends LedgerEventType> = Static<(typeof EVENT_SCHEMAS)[T]>;

/** The context that publishes an event type: `identity.AccountFrozen.v1` → `identity`. */
export type ContextOf<T extends string> = T extends `${infer Context}.${string}` ? Context : never;

export function contextOf(eventType: string): string {
  const dot = eventType.indexOf('.');
  if (dot < 1) throw new Error(`event type ${eventType} names no context`);
  return eventType.slice(0, dot);
}
