import type { DomainRejection } from '@ledger/util';

/**
 * Every stable rejection code the cards context can answer with. Clients branch on these, so a code
 * is never renamed or reused for another meaning; add a new one instead. `details` never holds a
 * card number: at most the last four digits, a card id or a fingerprint.
 */
export const CARDS_ERROR = {
  /** Not 16–19 digits after removing spaces, a failed Luhn check, or a number the issuer does not know. details.reason */
  INVALID_CARD_NUMBER: 'INVALID_CARD_NUMBER',
  /** The BIN belongs to another bank (or to no bank in the table): only ICBC cards can be bound. details.issuer (null if unknown) */
  CARD_NOT_SUPPORTED: 'CARD_NOT_SUPPORTED',
  /** The issuer says the card has expired. */
  CARD_EXPIRED: 'CARD_EXPIRED',
  /** The issuer says the card is blocked (lost, stolen, frozen by the bank). */
  CARD_BLOCKED: 'CARD_BLOCKED',
  /** The holder name does not match the issuer's records. */
  CARD_HOLDER_MISMATCH: 'CARD_HOLDER_MISMATCH',
  /** The phone number is not the one reserved with the bank for this card (预留手机号). */
  RESERVED_PHONE_MISMATCH: 'RESERVED_PHONE_MISMATCH',
  /** This user already has this card (same fingerprint). details.cardId: the existing binding. */
  CARD_ALREADY_BOUND: 'CARD_ALREADY_BOUND',
  /** Another user has bound this card. No details: who holds it is not the caller's business. */
  CARD_BOUND_TO_ANOTHER_USER: 'CARD_BOUND_TO_ANOTHER_USER',
  /** The user already has the maximum number of bound cards. details.maxCards */
  TOO_MANY_CARDS: 'TOO_MANY_CARDS',
  /** No bound card with this id in the user's cards (never bound, or already unbound). details.cardId */
  CARD_NOT_FOUND: 'CARD_NOT_FOUND',
  /** The actor is not the owner of the cards addressed. */
  NOT_CARD_OWNER: 'NOT_CARD_OWNER',
  /** The card is suspended (the issuer reported it expired or blocked): it cannot be the default or be used. details.cardId, details.reason */
  CARD_SUSPENDED: 'CARD_SUSPENDED',
} as const;

export type CardsErrorCode = (typeof CARDS_ERROR)[keyof typeof CARDS_ERROR];

export const CARDS_ERROR_CODES: readonly CardsErrorCode[] = Object.values(CARDS_ERROR);

export type CardsRejection = DomainRejection<CardsErrorCode>;

/**
 * Thrown for a command that no correct caller can send (an empty id, a full card number where only
 * a token belongs, an unbind without a verified payment password). That is a programmer error in
 * the adapter, never a business outcome, so it is an exception rather than a rejection code.
 */
export class InvalidCardsCommand extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCardsCommand';
  }
}
