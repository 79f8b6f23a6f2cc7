/**
 * The card issuer (ICBC's card system) as a port. It lives in the domain so that the cards service
 * (verify on bind, check before use) and the payments service (charge for a top-up, pay out for a
 * withdrawal) share one contract and one simulator. Adapters implement it; nothing here does I/O.
 *
 * Answers the issuer gives are values (`outcome`); a failure to get an answer at all is a thrown
 * `CardIssuerUnavailable`. For `charge` and `payout` a `timeout` means *unknown*: the money may
 * have moved. Callers retry with the same `reference`, which the issuer treats as an idempotency
 * key (the same reference never moves money twice).
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

export type CardDeclineReason =
  'insufficient_funds' | 'card_expired' | 'card_blocked' | 'unknown_card' | 'duplicate_reference' | 'limit_exceeded' | 'issuer_declined';

export type CardMoneyResult =
  { readonly outcome: 'approved'; readonly issuerReference: string } | { readonly outcome: 'declined'; readonly reason: CardDeclineReason };

export interface CardIssuer {
  verifyCard(request: VerifyCardRequest): Promise<CardVerification>;
  /** The card's status now (used before every charge or payout, SPEC item 11). Unknown tokens answer `blocked`. */
  checkCard(cardToken: string): Promise<CardCheck>;
  /** Takes money from the card (top-up). `reference` is the idempotency key. */
  charge(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult>;
  /** Sends money to the card (withdrawal). `reference` is the idempotency key. */
  payout(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult>;
}

/** How a call can fail to produce an answer. */
export type CardIssuerFailure = 'timeout' | 'unavailable';

/**
 * No answer from the issuer. `unavailable`: the request was refused before processing (safe to
 * retry, nothing happened). `timeout`: no answer in time, the request may or may not have been
 * processed (retry with the same reference, or reconcile).
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
