/**
 * Money is an integer number of minor units (fen): `bigint` in code, a decimal string in JSON.
 * Never `number`, never floats (docs/design.md §4). Currency is CNY with scale 2.
 */
export const CURRENCY = 'CNY';

const MINOR_UNITS = /^(0|[1-9]\d{0,17})$/;

/** Parses a JSON amount ("12345" fen). Throws `InvalidAmount` for anything but a canonical non-negative integer string. */
export function parseMinor(value: unknown): bigint {
  if (typeof value !== 'string' || !MINOR_UNITS.test(value)) throw new InvalidAmount(value);
  return BigInt(value);
}

/** Parses an amount that must be strictly positive (every money-moving command). */
export function parsePositiveMinor(value: unknown): bigint {
  const amount = parseMinor(value);
  if (amount <= 0n) throw new InvalidAmount(value);
  return amount;
}

export function formatMinor(amountMinor: bigint): string {
  return amountMinor.toString();
}

/** For people: 12345n → "123.45". */
export function formatYuan(amountMinor: bigint): string {
  const sign = amountMinor < 0n ? '-' : '';
  const abs = amountMinor < 0n ? -amountMinor : amountMinor;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

export class InvalidAmount extends Error {
  readonly code = 'INVALID_AMOUNT';
  constructor(readonly value: unknown) {
    super(`amount must be a positive whole number of fen as a decimal string, got ${JSON.stringify(value)}`);
    this.name = 'InvalidAmount';
  }
}
