/**
 * Commands of the wallet aggregate (stream `wallet-<walletId>`). Everything the decision needs
 * arrives inside the command: the time (`now`, an ISO-8601 instant from the injected clock), ids,
 * and facts learned from other services (OpenWallet's prerequisites, from identity and cards events).
 *
 * Amounts are `bigint` fen. An amount that is not a positive whole number of fen is rejected with
 * INVALID_AMOUNT (amounts come from outside, so that is an expected failure). Other malformed input
 * (an unparsable instant, a malformed account id, an empty id, a command routed to the wrong
 * wallet) is a bug in the adapter, which validates payloads against their schema first: `decide`
 * throws `InvalidWalletCommand` for it.
 *
 * Money commands carry an idempotency key (see `idempotencyKeyOf`): ReserveFunds, CaptureHold,
 * ReleaseHold and ExpireHold use the hold id (one key per hold and operation), CreditWallet its
 * credit id. PayFromWallet is a reservation and its capture decided at once: it records both
 * operations' keys, and a repeat is answered by the capture's.
 */
import type { Instant } from '@ledger/util';
import type { AccountId } from './ledger';
import type { WalletTier } from './policy';

export type FreezeSource = 'identity' | 'support';

export interface WalletPrerequisites {
  /** The user completed registration (identity). */
  readonly registered: boolean;
  /** The user set a payment password (identity). */
  readonly paymentPasswordSet: boolean;
  /** The user has at least one bound card (cards). */
  readonly cardBound: boolean;
}

interface WalletCommandBase {
  readonly walletId: string;
  /** When the command is decided (ISO-8601), from the injected clock. */
  readonly now: Instant;
}

/** Codes: WALLET_ALREADY_OPEN, WALLET_PREREQUISITES_MISSING. */
export interface OpenWallet extends WalletCommandBase {
  readonly type: 'OpenWallet';
  readonly userId: string;
  readonly tier: WalletTier;
  readonly prerequisites: WalletPrerequisites;
}

/**
 * Holds funds for a payment. Codes: INVALID_AMOUNT, WALLET_NOT_OPEN, IDEMPOTENCY_KEY_REUSED,
 * HOLD_EXPIRY_PASSED, WALLET_FROZEN, LIMIT_EXCEEDED, INSUFFICIENT_FUNDS.
 */
export interface ReserveFunds extends WalletCommandBase {
  readonly type: 'ReserveFunds';
  readonly holdId: string;
  readonly amountMinor: bigint;
  /** When the hold lapses if neither captured nor released (ISO-8601; not after `now`: HOLD_EXPIRY_PASSED). */
  readonly expiresAt: Instant;
  /** The business reference (payment id, order number), for people and reconciliation. */
  readonly reference: string;
  /** The account that receives the money when the hold is captured. */
  readonly counterparty: AccountId;
}

/**
 * Takes `amountMinor` (≤ reserved) of a hold; the rest is released in the same event.
 * Codes: INVALID_AMOUNT, WALLET_NOT_OPEN, IDEMPOTENCY_KEY_REUSED, HOLD_NOT_FOUND, HOLD_ALREADY_SETTLED,
 * CAPTURE_EXCEEDS_HOLD.
 */
export interface CaptureHold extends WalletCommandBase {
  readonly type: 'CaptureHold';
  readonly holdId: string;
  readonly amountMinor: bigint;
}

/**
 * Pays a counterparty inside the ledger at once: the reservation of `amountMinor` and its capture,
 * decided together and recorded as the same two events (FundsReserved, HoldCaptured) in one append,
 * so every projection, limit and check sees exactly what a reserve-then-capture leaves. For a
 * payment that needs no outside party's answer between the two (a merchant that settles in the
 * wallet). Codes: those of ReserveFunds, and HOLD_ALREADY_SETTLED when the hold id was reserved
 * before and released or expired since.
 */
export interface PayFromWallet extends WalletCommandBase {
  readonly type: 'PayFromWallet';
  readonly holdId: string;
  readonly amountMinor: bigint;
  /** The reservation's expiry (the two are decided together, so it only bounds a late first attempt: HOLD_EXPIRY_PASSED). */
  readonly expiresAt: Instant;
  readonly reference: string;
  readonly counterparty: AccountId;
}

/** Gives a whole hold back. Codes: WALLET_NOT_OPEN, HOLD_NOT_FOUND, HOLD_ALREADY_SETTLED. */
export interface ReleaseHold extends WalletCommandBase {
  readonly type: 'ReleaseHold';
  readonly holdId: string;
}

/**
 * Sent by the durable expiry timer. Codes: WALLET_NOT_OPEN, HOLD_NOT_FOUND, HOLD_ALREADY_SETTLED,
 * HOLD_NOT_EXPIRED.
 */
export interface ExpireHold extends WalletCommandBase {
  readonly type: 'ExpireHold';
  readonly holdId: string;
}

/**
 * Incoming money (top-up, incoming transfer, refund). Codes: INVALID_AMOUNT, WALLET_NOT_OPEN,
 * IDEMPOTENCY_KEY_REUSED, WALLET_FROZEN (under the `reject` policy), BALANCE_CAP_EXCEEDED.
 */
export interface CreditWallet extends WalletCommandBase {
  readonly type: 'CreditWallet';
  readonly creditId: string;
  readonly amountMinor: bigint;
  readonly reference: string;
  /** The account the money comes from (card clearing, provider clearing, branch cash…). */
  readonly counterparty: AccountId;
}

/** Freezing a frozen wallet changes nothing (returns no events). Codes: WALLET_NOT_OPEN. */
export interface FreezeWallet extends WalletCommandBase {
  readonly type: 'FreezeWallet';
  readonly reason: string;
  readonly source: FreezeSource;
}

/** Unfreezing a wallet that is not frozen changes nothing. Codes: WALLET_NOT_OPEN. */
export interface UnfreezeWallet extends WalletCommandBase {
  readonly type: 'UnfreezeWallet';
  readonly reason: string;
  readonly source: FreezeSource;
}

/** Moves the wallet to another tier (after identity verification, for example). Codes: WALLET_NOT_OPEN. */
export interface ChangeWalletTier extends WalletCommandBase {
  readonly type: 'ChangeWalletTier';
  readonly tier: WalletTier;
}

export type WalletCommand =
  | OpenWallet
  | ReserveFunds
  | CaptureHold
  | PayFromWallet
  | ReleaseHold
  | ExpireHold
  | CreditWallet
  | FreezeWallet
  | UnfreezeWallet
  | ChangeWalletTier;

export type WalletCommandType = WalletCommand['type'];

export const WALLET_COMMAND_TYPES: readonly WalletCommandType[] = [
  'OpenWallet',
  'ReserveFunds',
  'CaptureHold',
  'PayFromWallet',
  'ReleaseHold',
  'ExpireHold',
  'CreditWallet',
  'FreezeWallet',
  'UnfreezeWallet',
  'ChangeWalletTier',
];

export class InvalidWalletCommand extends Error {
  constructor(
    readonly command: WalletCommandType | 'unknown',
    reason: string,
  ) {
    super(`invalid ${command} command: ${reason}`);
    this.name = 'InvalidWalletCommand';
  }
}
