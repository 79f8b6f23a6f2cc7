import fc from 'fast-check';
import { assertValidBinTable, DEFAULT_BIN_TABLE, lookupBin, type CardBinTable } from './bin-table';
import {
  cardNumberFormatProblem,
  cardNumberRejection,
  checkCardNumber,
  containsCardNumberLikeRun,
  lastFour,
  luhnCheckDigit,
  luhnValid,
  maskCardNumber,
  maskHolderName,
  normalizeCardNumber,
} from './card-number';
import { CARDS_ERROR } from './codes';
import { LUHN_INVALID_CARD_NUMBER, TEST_CARDS, UNKNOWN_ICBC_CARD_NUMBER } from '@ledger/util/testing';

describe('Luhn', () => {
  it.each([
    '79927398713',
    '4111111111111111',
    '5555555555554444',
    '6011111111111117',
    '378282246310005',
    '0',
    '6222020000123452',
    '9558801000123456781',
  ])('accepts the valid vector %s', (digits) => expect(luhnValid(digits)).toBe(true));

  it.each(['79927398710', '4111111111111112', '5555555555554440', '6222020000123453', '1', '', '4111 1111 1111 1111', '41111111111111x1'])(
    'rejects %p',
    (digits) => {
      expect(luhnValid(digits)).toBe(false);
    },
  );

  it('the check digit completes any body into a valid number, and changing one digit breaks it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (body, position, delta) => {
          const number = `${body}${luhnCheckDigit(body)}`;
          expect(luhnValid(number)).toBe(true);
          const index = position % number.length;
          const changed = `${number.slice(0, index)}${(Number(number[index]) + delta) % 10}${number.slice(index + 1)}`;
          expect(luhnValid(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('card number format', () => {
  it('strips spaces, nothing else', () => {
    expect(normalizeCardNumber('6222 0200 0012 3452')).toBe('6222020000123452');
    expect(cardNumberFormatProblem(normalizeCardNumber('6222-0200-0012-3452'))).toBe('not_digits');
  });

  it('requires digits only', () => {
    expect(checkCardNumber('6222O20000123452')).toEqual({ outcome: 'invalid', reason: 'not_digits' });
    expect(checkCardNumber('')).toEqual({ outcome: 'invalid', reason: 'not_digits' });
  });

  it('accepts 16 to 19 digits and nothing shorter or longer (all with a valid check digit)', () => {
    const withLength = (length: number) => {
      const body = `622202${'1'.repeat(length - 7)}`;
      return `${body}${luhnCheckDigit(body)}`;
    };
    expect(checkCardNumber(withLength(15))).toEqual({ outcome: 'invalid', reason: 'too_short' });
    expect(checkCardNumber(withLength(16)).outcome).toBe('valid');
    expect(checkCardNumber(withLength(19)).outcome).toBe('valid');
    expect(checkCardNumber(withLength(20))).toEqual({ outcome: 'invalid', reason: 'too_long' });
  });

  it('rejects a failed check digit', () => {
    expect(checkCardNumber(LUHN_INVALID_CARD_NUMBER)).toEqual({ outcome: 'invalid', reason: 'luhn' });
  });
});

describe('issuer by BIN', () => {
  it('finds ICBC debit and credit cards in the default table', () => {
    expect(checkCardNumber('6222 0200 0012 3452')).toEqual({
      outcome: 'valid',
      bin: '622202',
      last4: '3452',
      issuer: 'ICBC',
      cardType: 'debit',
    });
    expect(checkCardNumber(TEST_CARDS.zhangSanSecond.number)).toEqual({
      outcome: 'valid',
      bin: '955880',
      last4: '6781',
      issuer: 'ICBC',
      cardType: 'debit',
    });
    expect(checkCardNumber(TEST_CARDS.zhangSanCredit.number)).toEqual({
      outcome: 'valid',
      bin: '625330',
      last4: '3458',
      issuer: 'ICBC',
      cardType: 'credit',
    });
  });

  it('recognises other banks as not supported', () => {
    expect(checkCardNumber(TEST_CARDS.nonIcbc.number)).toEqual({ outcome: 'not_supported', last4: '3452', issuer: 'ABC' });
    const ccb = `621700000000123${luhnCheckDigit('621700000000123')}`;
    expect(checkCardNumber(ccb)).toEqual({ outcome: 'not_supported', last4: ccb.slice(-4), issuer: 'CCB' });
  });

  it('treats a BIN in no table as not supported, with issuer null', () => {
    expect(checkCardNumber('4111111111111111')).toEqual({ outcome: 'not_supported', last4: '1111', issuer: null });
  });

  it('uses the longest matching prefix of a configured table', () => {
    const table: CardBinTable = {
      '62': { issuer: 'UnionPay-other', cardType: 'debit' },
      '6222': { issuer: 'ICBC', cardType: 'debit' },
      '622230': { issuer: 'ICBC', cardType: 'credit' },
      '62223099': { issuer: 'ABC', cardType: 'debit' },
    };
    expect(lookupBin('6222301234567890', table)).toEqual({ bin: '622230', issuer: 'ICBC', cardType: 'credit' });
    expect(lookupBin('6222991234567890', table)).toEqual({ bin: '6222', issuer: 'ICBC', cardType: 'debit' });
    expect(lookupBin('6222309912345678', table)).toEqual({ bin: '62223099', issuer: 'ABC', cardType: 'debit' });
    expect(lookupBin('6299991234567890', table)).toEqual({ bin: '62', issuer: 'UnionPay-other', cardType: 'debit' });
    expect(lookupBin('4111111111111111', table)).toBeUndefined();
    const number = `622230991234567${luhnCheckDigit('622230991234567')}`;
    expect(checkCardNumber(number, table)).toEqual({ outcome: 'not_supported', last4: number.slice(-4), issuer: 'ABC' });
  });

  it('does not treat inherited object keys as BINs', () => {
    expect(lookupBin('constructor', {})).toBeUndefined();
  });

  it('validates a table', () => {
    expect(() => assertValidBinTable(DEFAULT_BIN_TABLE)).not.toThrow();
    expect(() => assertValidBinTable({ '62a': { issuer: 'ICBC', cardType: 'debit' } })).toThrow(/prefix/);
    expect(() => assertValidBinTable({ '622202': { issuer: ' ', cardType: 'debit' } })).toThrow(/issuer/);
    expect(() => assertValidBinTable({ '622202': { issuer: 'ICBC', cardType: 'prepaid' as 'debit' } })).toThrow(/card type/);
  });

  it('classifies every test card as its comment says', () => {
    for (const card of Object.values(TEST_CARDS)) {
      const check = checkCardNumber(card.number);
      if (card.issuer === 'ICBC') expect(check).toMatchObject({ outcome: 'valid', cardType: card.cardType });
      else expect(check).toMatchObject({ outcome: 'not_supported', issuer: card.issuer });
    }
    expect(checkCardNumber(UNKNOWN_ICBC_CARD_NUMBER).outcome).toBe('valid');
  });
});

describe('rejections from the number rules', () => {
  it('maps invalid numbers to INVALID_CARD_NUMBER with the reason, others to CARD_NOT_SUPPORTED', () => {
    expect(cardNumberRejection({ outcome: 'invalid', reason: 'luhn' })).toMatchObject({
      code: CARDS_ERROR.INVALID_CARD_NUMBER,
      details: { reason: 'luhn' },
    });
    expect(cardNumberRejection({ outcome: 'invalid', reason: 'too_long' })).toMatchObject({
      code: CARDS_ERROR.INVALID_CARD_NUMBER,
      details: { reason: 'too_long' },
    });
    expect(cardNumberRejection({ outcome: 'not_supported', last4: '3452', issuer: 'ABC' })).toMatchObject({
      code: CARDS_ERROR.CARD_NOT_SUPPORTED,
      details: { issuer: 'ABC' },
    });
    expect(cardNumberRejection(checkCardNumber(TEST_CARDS.zhangSanDebit.number))).toBeUndefined();
  });
});

describe('masking', () => {
  it('shows a card as its last four digits only', () => {
    expect(lastFour('6222 0200 0012 3452')).toBe('3452');
    expect(maskCardNumber('3452')).toBe('**** **** **** 3452');
    expect(maskCardNumber(lastFour(TEST_CARDS.zhangSanSecond.number))).toBe('**** **** **** 6781');
  });

  it('refuses anything that is not four digits to mask', () => {
    expect(() => maskCardNumber('6222020000123452')).toThrow();
    expect(() => maskCardNumber('12a4')).toThrow();
    expect(() => lastFour('12')).toThrow();
  });

  it('masks holder names like a bank statement', () => {
    expect(maskHolderName('张三')).toBe('*三');
    expect(maskHolderName(' 欧阳娜娜 ')).toBe('***娜');
    expect(maskHolderName('王')).toBe('*');
    expect(() => maskHolderName('  ')).toThrow();
  });

  it('spots card-number-like runs of 12+ digits, also grouped', () => {
    expect(containsCardNumberLikeRun('6222020000123452')).toBe(true);
    expect(containsCardNumberLikeRun('card 6222 0200 0012 3452')).toBe(true);
    expect(containsCardNumberLikeRun('6222-0200-0012')).toBe(true);
    expect(containsCardNumberLikeRun('13800138000')).toBe(false);
    expect(containsCardNumberLikeRun('**** **** **** 3452')).toBe(false);
    expect(containsCardNumberLikeRun('tok_icbc_0001')).toBe(false);
  });
});
