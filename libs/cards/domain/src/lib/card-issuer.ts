/**
 * The card issuer (ICBC's card system) as the cards service sees it: it verifies a card on binding
 * and tells its status before use. (The payments service charges and pays out through its own port
 * to the same issuer.) The adapter speaks the issuer's HTTP API; nothing here does I/O.
 *
 * Answers the issuer gives are values (`outcome`, `status`); a failure to get an answer at all is a
 * thrown `CardIssuerUnavailable`.
 */
import type { CardType } from './bin-table';

export interface VerifyCardRequest {
  /** The full number, in memory only for the duration of the call: never logged, never stored. */
  readonly cardNumber: string;
  readonly holderName: string;
  /** The phone number reserved with the bank for this card (预留手机号). */
  readonly reservedPhone: string;
}

export type CardVerificationFailure = 'expired' | 'blocked' | 'holder_mismatch' | 'phone_mismatch' | 'unknown_card';
export const CARD_VERIFICATION_FAILURES: readonly CardVerificationFailure[] = [
  'expired',
  'blocked',
  'holder_mismatch',
  'phone_mismatch',
  'unknown_card',
];

/**
 * The issuer's answer to a verification. On success it issues an opaque `cardToken` that stands for
 * the card from then on; a token never looks like a card number (no run of 12 digits).
 */
export type CardVerification =
  | {
      readonly outcome: 'valid';
      readonly cardToken: string;
      readonly cardType: CardType;
      /** `YYYY-MM`, the last month the card is valid. */ readonly expiresOn: string;
    }
  | { readonly outcome: CardVerificationFailure };

export type IssuerCardStatus = 'active' | 'expired' | 'blocked';
export const ISSUER_CARD_STATUSES: readonly IssuerCardStatus[] = ['active', 'expired', 'blocked'];

export interface CardCheck {
  readonly status: IssuerCardStatus;
}

export interface CardIssuer {
  verifyCard(request: VerifyCardRequest): Promise<CardVerification>;
  /** The card's status now (used before every charge or payout, docs/spec.md item 11). Unknown tokens answer `blocked`. */
  checkCard(cardToken: string): Promise<CardCheck>;
}

/** How a call can fail to produce an answer. */
export type CardIssuerFailure = 'timeout' | 'unavailable';

/**
 * No answer from the issuer. `unavailable`: the request was refused before processing (safe to
 * retry, nothing happened). `timeout`: no answer in time (both calls only read, so a retry is safe too).
 */
export class CardIssuerUnavailable extends Error {
  constructor(
    readonly failure: CardIssuerFailure,
    readonly operation: CardIssuerOperation,
  ) {
    super(`card issuer ${failure} during ${operation}`);
    this.name = 'CardIssuerUnavailable';
  }
}

export type CardIssuerOperation = keyof CardIssuer;
