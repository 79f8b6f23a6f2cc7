/**
 * The test bank's cards: the accounts the card issuer simulator holds, and the numbers tests and the
 * demo bind. Every number passes Luhn; the BINs are those of the cards domain's default BIN table.
 * Made-up numbers, not real accounts. Plain data (the issuer is a partner with its own vocabulary),
 * shared by the simulator and the tests of every layer.
 */
import { luhnCheckDigit } from '../luhn';

export interface TestCard {
  /** The full number as a person types it (no spaces). Only the simulator and tests ever hold it. */
  readonly number: string;
  /** Which bank issued it; the ICBC simulator only knows ICBC cards. */
  readonly issuer: string;
  readonly holderName: string;
  readonly reservedPhone: string;
  /** The token the simulator answers with on a successful verification (deterministic). */
  readonly cardToken: string;
  readonly cardType: 'debit' | 'credit';
  readonly status: 'active' | 'expired' | 'blocked';
  /** `YYYY-MM`. */
  readonly expiresOn: string;
  /** What a charge can take (the account balance, or the credit line left). */
  readonly balanceMinor: bigint;
}

export const TEST_CARDS = {
  /** 张三's ICBC debit card (BIN 622202, 16 digits), reserved to 13800138000: binds fine. */
  zhangSanDebit: {
    number: '6222020000123452',
    issuer: 'ICBC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_icbc_0001',
    cardType: 'debit',
    status: 'active',
    expiresOn: '2031-12',
    balanceMinor: 1_000_000n,
  },
  /** 张三's second ICBC debit card (BIN 955880, 19 digits like old 灵通卡), same phone: binds fine. */
  zhangSanSecond: {
    number: '9558801000123456781',
    issuer: 'ICBC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_icbc_0002',
    cardType: 'debit',
    status: 'active',
    expiresOn: '2030-06',
    balanceMinor: 500_000n,
  },
  /** 张三's ICBC credit card (BIN 625330): binds fine, cardType credit. */
  zhangSanCredit: {
    number: '6253301000123458',
    issuer: 'ICBC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_icbc_0003',
    cardType: 'credit',
    status: 'active',
    expiresOn: '2029-03',
    balanceMinor: 2_000_000n,
  },
  /** 张三's expired ICBC card (BIN 621226): verification answers `expired` → CARD_EXPIRED. */
  expired: {
    number: '6212262000123452',
    issuer: 'ICBC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_icbc_0004',
    cardType: 'debit',
    status: 'expired',
    expiresOn: '2024-06',
    balanceMinor: 0n,
  },
  /** 张三's blocked ICBC card (BIN 621288, reported lost): `blocked` → CARD_BLOCKED. */
  blocked: {
    number: '6212881000222228',
    issuer: 'ICBC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_icbc_0005',
    cardType: 'debit',
    status: 'blocked',
    expiresOn: '2031-01',
    balanceMinor: 300_000n,
  },
  /** 李四's ICBC card (BIN 622208), reserved to 13900139000: as 张三 → CARD_HOLDER_MISMATCH. */
  liSi: {
    number: '6222081000333335',
    issuer: 'ICBC',
    holderName: '李四',
    reservedPhone: '13900139000',
    cardToken: 'tok_icbc_0006',
    cardType: 'debit',
    status: 'active',
    expiresOn: '2032-08',
    balanceMinor: 800_000n,
  },
  /** 张三's Agricultural Bank (ABC, BIN 622848) card: valid Luhn, not ICBC → CARD_NOT_SUPPORTED. The ICBC simulator does not know it. */
  nonIcbc: {
    number: '6228480000123452',
    issuer: 'ABC',
    holderName: '张三',
    reservedPhone: '13800138000',
    cardToken: 'tok_abc_0001',
    cardType: 'debit',
    status: 'active',
    expiresOn: '2031-12',
    balanceMinor: 100_000n,
  },
} as const satisfies Record<string, TestCard>;

export type TestCardName = keyof typeof TEST_CARDS;

/** An ICBC BIN (621558) with a valid Luhn digit that the issuer has never issued: `unknown_card`. */
export const UNKNOWN_ICBC_CARD_NUMBER = '6215581000444445';

/** A number that fails Luhn (the last digit of zhangSanDebit changed). */
export const LUHN_INVALID_CARD_NUMBER = '6222020000123453';

/** How many load-test cards a simulator can hold (8 digits of index in the number). */
export const MAX_LOAD_TEST_CARDS = 100_000_000;

/** The reserved phone of load-test card `index` (and the phone its generated user registers with). */
export function loadTestPhone(index: number): string {
  return `147${String(index).padStart(8, '0')}`;
}

/**
 * Load-test card `index`: an ICBC debit card (BIN 622202, the `8` after it keeps the family apart
 * from TEST_CARDS) of a generated user `负载用户<index>` with phone `loadTestPhone(index)` and
 * ¥1,000,000 of balance. Benchmarks register thousands of users, each binding a card the issuer
 * really verifies; the fixed TEST_CARDS are too few for that. Made-up numbers with a valid Luhn digit.
 */
export function loadTestCard(index: number): TestCard {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_LOAD_TEST_CARDS)
    throw new RangeError(`load-test card index out of range: ${index}`);
  const body = `6222028${String(index).padStart(8, '0')}`;
  return {
    number: body + luhnCheckDigit(body),
    issuer: 'ICBC',
    holderName: `负载用户${index}`,
    reservedPhone: loadTestPhone(index),
    cardToken: `tok_icbc_load_${index}`,
    cardType: 'debit',
    status: 'active',
    expiresOn: '2035-12',
    balanceMinor: 100_000_000n,
  };
}
