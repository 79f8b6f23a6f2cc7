/**
 * Events of the wallet aggregate. Each is `{ type, data }`; the adapter adds the metadata envelope
 * (event id, correlation, causation, actor, occurred-at, schema version).
 *
 * Serialization choice: event data is JSON-native by construction. Every amount is a decimal
 * string of fen (`amountMinor: "12345"`, signed only inside postings), every instant an ISO-8601
 * string, so `JSON.stringify(event)` / `JSON.parse` round-trip exactly and no custom serializer
 * exists to forget. `evolve` parses amounts with `parseMinor` (throws on anything non-canonical), and
 * state holds `bigint`. Only `decide` builds events, from `bigint` via `toString()`.
 *
 * Money movements (HoldCaptured, WalletCredited) carry their double-entry transaction
 * (`transactionId`, `postings`). Holds (FundsReserved, HoldReleased, HoldExpired) post nothing:
 * a hold moves no money between accounts; it only lowers the wallet's *available* balance, which is
 * the wallet aggregate's own constraint. The ledger therefore sees a payment once, when captured.
 */
import { assertNever } from '@ledger/util';
import type { FreezeSource } from './commands';
import type { AccountId, LedgerTransaction, Posting } from './ledger';
import type { WalletTier } from './policy';

export const WALLET_EVENT = {
  WalletOpened: 'wallet.WalletOpened.v1',
  FundsReserved: 'wallet.FundsReserved.v1',
  HoldCaptured: 'wallet.HoldCaptured.v1',
  HoldReleased: 'wallet.HoldReleased.v1',
  HoldExpired: 'wallet.HoldExpired.v1',
  WalletCredited: 'wallet.WalletCredited.v1',
  WalletFrozen: 'wallet.WalletFrozen.v1',
  WalletUnfrozen: 'wallet.WalletUnfrozen.v1',
  WalletTierChanged: 'wallet.WalletTierChanged.v1',
} as const;

export type WalletEventType = (typeof WALLET_EVENT)[keyof typeof WALLET_EVENT];
export const WALLET_EVENT_TYPES: readonly WalletEventType[] = Object.values(WALLET_EVENT);

export function isWalletEventType(value: unknown): value is WalletEventType {
  return typeof value === 'string' && (WALLET_EVENT_TYPES as readonly string[]).includes(value);
}

/** Fields every idempotent money event carries, so `evolve` can remember the key and payload. */
export interface IdempotencyRecord {
  /** `reserve:<holdId>`, `capture:<holdId>`, `release:<holdId>`, `expire:<holdId>`, `credit:<creditId>`. */
  readonly idempotencyKey: string;
  /** Canonical string of the command's payload (without `now`): a repeat must match it exactly. */
  readonly payloadFingerprint: string;
}

export interface WalletOpenedData {
  readonly walletId: string;
  readonly userId: string;
  readonly tier: WalletTier;
  readonly openedAt: string;
}

export interface FundsReservedData extends IdempotencyRecord {
  readonly walletId: string;
  readonly holdId: string;
  readonly amountMinor: string;
  readonly expiresAt: string;
  readonly reference: string;
  readonly counterparty: AccountId;
  readonly reservedAt: string;
  /** The Asia/Shanghai day whose daily limit this reservation counts against. */
  readonly debitDay: string;
}

export interface HoldCapturedData extends IdempotencyRecord {
  readonly walletId: string;
  readonly holdId: string;
  /** What left the wallet. */
  readonly amountMinor: string;
  /** The rest of the hold, given back to the available balance ("0" for a full capture). */
  readonly releasedMinor: string;
  readonly counterparty: AccountId;
  readonly capturedAt: string;
  readonly transactionId: string;
  readonly postings: readonly Posting[];
}

export interface HoldReleasedData extends IdempotencyRecord {
  readonly walletId: string;
  readonly holdId: string;
  readonly amountMinor: string;
  readonly releasedAt: string;
}

export interface HoldExpiredData extends IdempotencyRecord {
  readonly walletId: string;
  readonly holdId: string;
  readonly amountMinor: string;
  readonly expiredAt: string;
}

export interface WalletCreditedData extends IdempotencyRecord {
  readonly walletId: string;
  readonly creditId: string;
  readonly amountMinor: string;
  readonly reference: string;
  readonly counterparty: AccountId;
  readonly creditedAt: string;
  readonly transactionId: string;
  readonly postings: readonly Posting[];
}

export interface WalletFrozenData {
  readonly walletId: string;
  readonly reason: string;
  readonly source: FreezeSource;
  readonly frozenAt: string;
}

export interface WalletUnfrozenData {
  readonly walletId: string;
  readonly reason: string;
  readonly source: FreezeSource;
  readonly unfrozenAt: string;
}

export interface WalletTierChangedData {
  readonly walletId: string;
  readonly fromTier: WalletTier;
  readonly toTier: WalletTier;
  readonly changedAt: string;
}

export type WalletOpened = { readonly type: typeof WALLET_EVENT.WalletOpened; readonly data: WalletOpenedData };
export type FundsReserved = { readonly type: typeof WALLET_EVENT.FundsReserved; readonly data: FundsReservedData };
export type HoldCaptured = { readonly type: typeof WALLET_EVENT.HoldCaptured; readonly data: HoldCapturedData };
export type HoldReleased = { readonly type: typeof WALLET_EVENT.HoldReleased; readonly data: HoldReleasedData };
export type HoldExpired = { readonly type: typeof WALLET_EVENT.HoldExpired; readonly data: HoldExpiredData };
export type WalletCredited = { readonly type: typeof WALLET_EVENT.WalletCredited; readonly data: WalletCreditedData };
export type WalletFrozen = { readonly type: typeof WALLET_EVENT.WalletFrozen; readonly data: WalletFrozenData };
export type WalletUnfrozen = { readonly type: typeof WALLET_EVENT.WalletUnfrozen; readonly data: WalletUnfrozenData };
export type WalletTierChanged = { readonly type: typeof WALLET_EVENT.WalletTierChanged; readonly data: WalletTierChangedData };

export type WalletEvent =
  | WalletOpened
  | FundsReserved
  | HoldCaptured
  | HoldReleased
  | HoldExpired
  | WalletCredited
  | WalletFrozen
  | WalletUnfrozen
  | WalletTierChanged;

/** The ledger transaction an event records, or undefined for events that move no money. */
export function transactionOf(event: WalletEvent): LedgerTransaction | undefined {
  switch (event.type) {
    case WALLET_EVENT.HoldCaptured:
    case WALLET_EVENT.WalletCredited:
      return { transactionId: event.data.transactionId, postings: event.data.postings };
    case WALLET_EVENT.WalletOpened:
    case WALLET_EVENT.FundsReserved:
    case WALLET_EVENT.HoldReleased:
    case WALLET_EVENT.HoldExpired:
    case WALLET_EVENT.WalletFrozen:
    case WALLET_EVENT.WalletUnfrozen:
    case WALLET_EVENT.WalletTierChanged:
      return undefined;
    default:
      return assertNever(event, 'wallet event');
  }
}
