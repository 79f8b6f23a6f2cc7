/**
 * Commands of the cards context. Everything a decision needs arrives inside the command: the time
 * (`now`, from the injected clock), ids, and facts learned elsewhere (the card-number check, the
 * issuer's verification, the identity service's payment-password verification, whether the wallet
 * is open). Every UserCards command names its actor; only the owner may act (NOT_CARD_OWNER).
 */
import type { Instant } from '@ledger/util';
import type { CardNumberCheck } from './card-number';
import type { CardVerification, IssuerCardStatus } from './card-issuer';
import type { FingerprintReleaseReason } from './events';

// ---------------------------------------------------------------- fingerprint reservation

/**
 * Claims a card (by fingerprint) for one user's binding. Codes: CARD_ALREADY_BOUND (this user, with
 * another binding: details.cardId), CARD_BOUND_TO_ANOTHER_USER. The same user and card id again is
 * a retry: no events, no rejection.
 */
export interface ReserveCardFingerprint {
  readonly type: 'ReserveCardFingerprint';
  readonly fingerprint: string;
  readonly userId: string;
  readonly cardId: string;
  readonly now: Instant;
}

/**
 * Gives the card back (after CardUnbound, or when a binding is abandoned). A release that does not
 * match the current holder (a redelivered, stale CardUnbound) changes nothing. No codes.
 */
export interface ReleaseCardFingerprint {
  readonly type: 'ReleaseCardFingerprint';
  readonly fingerprint: string;
  readonly userId: string;
  readonly cardId: string;
  readonly reason: FingerprintReleaseReason;
  readonly now: Instant;
}

export type CardFingerprintCommand = ReserveCardFingerprint | ReleaseCardFingerprint;

// ---------------------------------------------------------------- user cards

interface UserCardsCommandBase {
  /** Owner of the stream `cards-<userId>`. */
  readonly userId: string;
  /** Who asks. Must equal `userId` (NOT_CARD_OWNER otherwise). */
  readonly actorUserId: string;
  readonly now: Instant;
}

/**
 * Codes, in the order they are checked: NOT_CARD_OWNER, INVALID_CARD_NUMBER, CARD_NOT_SUPPORTED,
 * CARD_ALREADY_BOUND, TOO_MANY_CARDS (the "pre-checks", see bindPrecheck, which the service runs
 * before calling the issuer), then the issuer's answer: CARD_EXPIRED, CARD_BLOCKED,
 * CARD_HOLDER_MISMATCH, RESERVED_PHONE_MISMATCH, INVALID_CARD_NUMBER (unknown to the issuer).
 */
export interface BindCard extends UserCardsCommandBase {
  readonly type: 'BindCard';
  /** A fresh id for this binding (never reused). */
  readonly cardId: string;
  /** Keyed hash of the normalised number, `<keyId>.<hash>`. */
  readonly fingerprint: string;
  /** `checkCardNumber(...)` of the number the user typed. */
  readonly numberCheck: CardNumberCheck;
  /** The issuer's answer. Absent only when the number check failed (the issuer is not asked then). */
  readonly verification?: CardVerification;
  /** `maskHolderName(holderName)`. */
  readonly holderNameMasked: string;
}

/**
 * Codes: NOT_CARD_OWNER, CARD_NOT_FOUND. The payment password is verified by the identity service
 * before this command is built (wrong password and lockout are identity's codes, passed through).
 */
export interface UnbindCard extends UserCardsCommandBase {
  readonly type: 'UnbindCard';
  readonly cardId: string;
  /** Proof that identity accepted the payment password; `decide` throws for anything else. */
  readonly paymentPasswordVerified: true;
  /** Whether the user's wallet is open (from the wallet context), for the last-card report. */
  readonly walletOpen: boolean;
}

/** Codes: NOT_CARD_OWNER, CARD_NOT_FOUND, CARD_SUSPENDED. Choosing the current default changes nothing. */
export interface SetDefaultCard extends UserCardsCommandBase {
  readonly type: 'SetDefaultCard';
  readonly cardId: string;
}

/**
 * Records what the issuer said when the card was checked before use (CheckCard). expired/blocked
 * suspends an active card; active reinstates a suspended one; anything else changes nothing.
 * Codes: NOT_CARD_OWNER, CARD_NOT_FOUND. (The service answers the check itself with
 * `issuerStatusRejection`.)
 */
export interface RecordCardCheck extends UserCardsCommandBase {
  readonly type: 'RecordCardCheck';
  readonly cardId: string;
  readonly issuerStatus: IssuerCardStatus;
}

export type UserCardsCommand = BindCard | UnbindCard | SetDefaultCard | RecordCardCheck;

export type CardsCommand = CardFingerprintCommand | UserCardsCommand;
export type CardsCommandType = CardsCommand['type'];
export const CARDS_COMMAND_TYPES: readonly CardsCommandType[] = [
  'ReserveCardFingerprint',
  'ReleaseCardFingerprint',
  'BindCard',
  'UnbindCard',
  'SetDefaultCard',
  'RecordCardCheck',
];
