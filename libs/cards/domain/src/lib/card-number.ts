/**
 * Card number rules: the single source of truth. The service checks a number with
 * `checkCardNumber` before it asks the issuer anything, and hands the result (which holds no full
 * number) to the UserCards decider, which rejects with the same codes via `cardNumberRejection`.
 */
import { luhnCheckDigit, luhnValid, maskPersonName, reject } from '@ledger/util';
import { DEFAULT_BIN_TABLE, SUPPORTED_ISSUER, lookupBin, type CardBinTable, type CardType, type IssuerName } from './bin-table';
import { CARDS_ERROR, type CardsRejection } from './codes';

export const CARD_NUMBER_MIN_LENGTH = 16;
export const CARD_NUMBER_MAX_LENGTH = 19;

export type InvalidCardNumberReason = 'not_digits' | 'too_short' | 'too_long' | 'luhn';

/**
 * What the rules say about a number. JSON-safe and free of the number itself (only the last four
 * digits and the BIN, which are printed on receipts anyway), so it may travel inside a command.
 */
export type CardNumberCheck =
  | {
      readonly outcome: 'valid';
      readonly bin: string;
      readonly last4: string;
      readonly issuer: typeof SUPPORTED_ISSUER;
      readonly cardType: CardType;
    }
  | { readonly outcome: 'invalid'; readonly reason: InvalidCardNumberReason }
  | { readonly outcome: 'not_supported'; readonly last4: string; readonly issuer: IssuerName | null };

/** Removes the spaces people type between groups ("6222 0200 …"). Nothing else is forgiven. */
export function normalizeCardNumber(raw: string): string {
  return raw.replace(/ /g, '');
}

export { luhnCheckDigit, luhnValid };

/** Format rules only (digits, 16–19, Luhn), on a normalised number. */
export function cardNumberFormatProblem(digits: string): InvalidCardNumberReason | undefined {
  if (!/^\d+$/.test(digits)) return 'not_digits';
  if (digits.length < CARD_NUMBER_MIN_LENGTH) return 'too_short';
  if (digits.length > CARD_NUMBER_MAX_LENGTH) return 'too_long';
  if (!luhnValid(digits)) return 'luhn';
  return undefined;
}

/** Every rule in order: format, then issuer by BIN (longest prefix), and only ICBC is supported. */
export function checkCardNumber(raw: string, table: CardBinTable = DEFAULT_BIN_TABLE): CardNumberCheck {
  const digits = normalizeCardNumber(raw);
  const problem = cardNumberFormatProblem(digits);
  if (problem !== undefined) return { outcome: 'invalid', reason: problem };
  const entry = lookupBin(digits, table);
  const last4 = lastFour(digits);
  if (entry === undefined) return { outcome: 'not_supported', last4, issuer: null };
  if (entry.issuer !== SUPPORTED_ISSUER) return { outcome: 'not_supported', last4, issuer: entry.issuer };
  return { outcome: 'valid', bin: entry.bin, last4, issuer: SUPPORTED_ISSUER, cardType: entry.cardType };
}

/** INVALID_CARD_NUMBER or CARD_NOT_SUPPORTED for a failed check; undefined for a valid one. */
export function cardNumberRejection(check: CardNumberCheck): CardsRejection | undefined {
  switch (check.outcome) {
    case 'valid':
      return undefined;
    case 'invalid':
      return reject(CARDS_ERROR.INVALID_CARD_NUMBER, invalidMessage(check.reason), { reason: check.reason });
    case 'not_supported':
      return reject(CARDS_ERROR.CARD_NOT_SUPPORTED, 'only ICBC bank cards can be bound to this wallet', {
        issuer: check.issuer,
        last4: check.last4,
      });
  }
}

function invalidMessage(reason: InvalidCardNumberReason): string {
  switch (reason) {
    case 'not_digits':
      return 'a card number has only digits';
    case 'too_short':
    case 'too_long':
      return `a card number has ${CARD_NUMBER_MIN_LENGTH} to ${CARD_NUMBER_MAX_LENGTH} digits`;
    case 'luhn':
      return 'this is not a valid card number (check digit)';
  }
}

/** The last four digits of a normalised number. */
export function lastFour(digits: string): string {
  const normalized = normalizeCardNumber(digits);
  if (!/^\d{4,}$/.test(normalized)) throw new Error('lastFour: expected at least four digits');
  return normalized.slice(-4);
}

/** `**** **** **** 1234`: the only form in which a card number is ever shown. */
export function maskCardNumber(last4: string): string {
  if (!/^\d{4}$/.test(last4)) throw new Error('maskCardNumber: expected exactly four digits');
  return `**** **** **** ${last4}`;
}

/**
 * The holder name as events and lists keep it: every character but the last replaced by `*`
 * (张三 → *三, 欧阳娜娜 → ***娜), the way Chinese banks print names. One-character names stay `*`.
 */
export const maskHolderName = maskPersonName;

/**
 * A run of 12 or more digits, also when grouped by single spaces or hyphens (`6222 0200 …`): a full
 * card number or most of one. No text the cards context writes may contain one.
 */
export const CARD_NUMBER_LIKE_RUN = /\d(?:[ -]?\d){11,}/;

export function containsCardNumberLikeRun(text: string): boolean {
  return CARD_NUMBER_LIKE_RUN.test(text);
}
