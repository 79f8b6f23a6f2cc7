/**
 * Issuer identification by BIN (the leading digits of a card number). The table is configuration:
 * the service may load its own; `DEFAULT_BIN_TABLE` is what the demo and the tests use.
 */

/** Only ICBC cards can be bound to the ICBC wallet (docs/spec.md item 8). */
export const SUPPORTED_ISSUER = 'ICBC';

/** `'ICBC'` or the short name of another bank ('ABC', 'CCB', …). */
export type IssuerName = typeof SUPPORTED_ISSUER | (string & Record<never, never>);

export type CardType = 'debit' | 'credit';
export const CARD_TYPES: readonly CardType[] = ['debit', 'credit'];

export interface BinEntry {
  readonly issuer: IssuerName;
  readonly cardType: CardType;
}

/** BIN prefix (1–11 digits) → issuer and card type. The longest matching prefix wins. */
export type CardBinTable = Readonly<Record<string, BinEntry>>;

const PREFIX = /^\d{1,11}$/;

/**
 * Prefixes modelled on real ICBC (工商银行) ranges, plus a few other banks so that "not an ICBC card"
 * can be exercised. Illustrative, not an authoritative BIN list: production loads the bank's own.
 */
export const DEFAULT_BIN_TABLE: CardBinTable = Object.freeze({
  // ICBC debit (牡丹灵通卡, 工银借记卡)
  '622200': { issuer: 'ICBC', cardType: 'debit' },
  '622202': { issuer: 'ICBC', cardType: 'debit' },
  '622203': { issuer: 'ICBC', cardType: 'debit' },
  '622208': { issuer: 'ICBC', cardType: 'debit' },
  '621226': { issuer: 'ICBC', cardType: 'debit' },
  '621227': { issuer: 'ICBC', cardType: 'debit' },
  '621288': { issuer: 'ICBC', cardType: 'debit' },
  '621558': { issuer: 'ICBC', cardType: 'debit' },
  '621559': { issuer: 'ICBC', cardType: 'debit' },
  '620200': { issuer: 'ICBC', cardType: 'debit' },
  '955880': { issuer: 'ICBC', cardType: 'debit' },
  '955881': { issuer: 'ICBC', cardType: 'debit' },
  '955888': { issuer: 'ICBC', cardType: 'debit' },
  // ICBC credit (牡丹信用卡)
  '625330': { issuer: 'ICBC', cardType: 'credit' },
  '625331': { issuer: 'ICBC', cardType: 'credit' },
  '625332': { issuer: 'ICBC', cardType: 'credit' },
  '625929': { issuer: 'ICBC', cardType: 'credit' },
  '622230': { issuer: 'ICBC', cardType: 'credit' },
  '622235': { issuer: 'ICBC', cardType: 'credit' },
  '427020': { issuer: 'ICBC', cardType: 'credit' },
  '427030': { issuer: 'ICBC', cardType: 'credit' },
  '438125': { issuer: 'ICBC', cardType: 'credit' },
  '524047': { issuer: 'ICBC', cardType: 'credit' },
  // Other banks: recognised, never supported
  '622848': { issuer: 'ABC', cardType: 'debit' },
  '621700': { issuer: 'CCB', cardType: 'debit' },
  '436742': { issuer: 'CCB', cardType: 'credit' },
  '622588': { issuer: 'CMB', cardType: 'debit' },
  '621661': { issuer: 'BOC', cardType: 'debit' },
});

/** Throws for a table no deployment should run with (a prefix that is not 1–11 digits, an unknown card type). */
export function assertValidBinTable(table: CardBinTable): void {
  for (const [prefix, entry] of Object.entries(table)) {
    if (!PREFIX.test(prefix)) throw new Error(`BIN table: prefix ${JSON.stringify(prefix)} must be 1–11 digits`);
    if (typeof entry.issuer !== 'string' || entry.issuer.trim() === '') throw new Error(`BIN table: prefix ${prefix} has no issuer`);
    if (!CARD_TYPES.includes(entry.cardType))
      throw new Error(`BIN table: prefix ${prefix} has card type ${JSON.stringify(entry.cardType)}`);
  }
}

/** The entry of the longest prefix of `digits` in the table, with that prefix; undefined if none matches. */
export function lookupBin(digits: string, table: CardBinTable = DEFAULT_BIN_TABLE): (BinEntry & { readonly bin: string }) | undefined {
  // Bounded: at most 11 lookups, longest first, so a more specific range overrides a broader one.
  for (let length = Math.min(11, digits.length); length >= 1; length -= 1) {
    const bin = digits.slice(0, length);
    if (Object.hasOwn(table, bin)) {
      const entry = table[bin];
      if (entry !== undefined) return { bin, issuer: entry.issuer, cardType: entry.cardType };
    }
  }
  return undefined;
}
