import { checkLoginPassword, checkPaymentPassword } from './password-policy';
import { isMobilePhone, maskPhone, normalizeMobilePhone } from './phone';
import { InvalidIdentityCommand } from './codes';
import { IDENTITY_ERROR_CODES, IDENTITY_ERROR } from './codes';
import { IDENTITY_EVENT_TYPES } from './events';

describe('checkLoginPassword', () => {
  it('accepts letters and digits of 8–20 characters', () => {
    expect(checkLoginPassword('Wallet2026', { phone: '13812345678' })).toEqual({ ok: true });
    expect(checkLoginPassword('abcdefg1')).toEqual({ ok: true });
    expect(checkLoginPassword('a1'.repeat(10))).toEqual({ ok: true });
  });

  it.each([
    ['abcde12', 'length'],
    ['a1'.repeat(10) + 'x', 'length'],
    ['abcd 1234', 'characters'],
    ['密码abc12345', 'characters'],
    ['abcdefgh', 'letters_and_digits'],
    ['12345678', 'letters_and_digits'],
    ['Password1', 'common_password'],
    ['WOAINI1314', 'common_password'],
    ['a13812345678', 'contains_phone'],
  ])('refuses %p by rule %s', (password, rule) => {
    expect(checkLoginPassword(password, { phone: '13812345678' })).toMatchObject({ ok: false, rule });
  });
});

describe('checkPaymentPassword', () => {
  it('accepts six digits that are not trivially guessable', () => {
    expect(checkPaymentPassword('135790', { phone: '13812345678' })).toEqual({ ok: true });
  });

  it.each([
    ['12345', 'six_digits'],
    ['12345a', 'six_digits'],
    ['1234567', 'six_digits'],
    ['000000', 'repeated_digit'],
    ['123456', 'sequential_digits'],
    ['987654', 'sequential_digits'],
    ['812345', 'part_of_phone'],
  ])('refuses %p by rule %s', (password, rule) => {
    expect(checkPaymentPassword(password, { phone: '13812345678' })).toMatchObject({ ok: false, rule });
  });
});

describe('phones', () => {
  it('masks a phone number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+86 138-1234-5678')).toBe('138****5678');
  });

  it('normalises mainland mobile numbers and refuses others', () => {
    expect(normalizeMobilePhone('+8613812345678')).toBe('13812345678');
    expect(normalizeMobilePhone('0086 138 1234 5678')).toBe('13812345678');
    expect(() => normalizeMobilePhone('12812345678')).toThrow(InvalidIdentityCommand);
    expect(isMobilePhone('1381234567')).toBe(false);
    expect(isMobilePhone('13812345678')).toBe(true);
  });
});

describe('catalogue', () => {
  it('lists every code once, each equal to its key', () => {
    expect(new Set(IDENTITY_ERROR_CODES).size).toBe(IDENTITY_ERROR_CODES.length);
    for (const [key, value] of Object.entries(IDENTITY_ERROR)) expect(key).toBe(value);
  });

  it('names every event identity.<Name>.v<n>', () => {
    for (const type of IDENTITY_EVENT_TYPES) expect(type).toMatch(/^identity\.[A-Z][A-Za-z]+\.v\d+$/);
  });
});
