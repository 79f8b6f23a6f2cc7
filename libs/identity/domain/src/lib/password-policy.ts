/**
 * Password rules, as pure functions over the plaintext. The service runs them on the decrypted
 * password just before hashing, and passes the outcome (never the password) in the command, so the
 * decider can reject with `WEAK_PASSWORD` and the plaintext never reaches an event.
 */
export type LoginPasswordRule = 'length' | 'characters' | 'letters_and_digits' | 'common_password' | 'contains_phone';
export type PaymentPasswordRule = 'six_digits' | 'repeated_digit' | 'sequential_digits' | 'part_of_phone';

export type PasswordCheck<Rule extends string = LoginPasswordRule | PaymentPasswordRule> =
  { ok: true } | { ok: false; rule: Rule; message: string };

export const LOGIN_PASSWORD_MIN_LENGTH = 8;
export const LOGIN_PASSWORD_MAX_LENGTH = 20;

/**
 * A small list of the passwords that satisfy "letters and digits, 8–20" yet top every leaked
 * password list (including Chinese ones such as woaini1314). Compared case-insensitively. It is
 * deliberately short: a large list belongs in the service as a breach-corpus lookup.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password1',
  'password123',
  'passw0rd',
  'abc12345',
  'abc123456',
  'abcd1234',
  'a1234567',
  'a12345678',
  'a123456789',
  'aa123456',
  'aa12345678',
  'qwerty123',
  'qwe123456',
  'asd123456',
  'zxc123456',
  '1qaz2wsx',
  'qwer1234',
  'admin123',
  'iloveyou1',
  'woaini1314',
  'woaini520',
  'q1w2e3r4',
  'z123456789',
  '123456abc',
  '12345678a',
]);

/**
 * Login password policy (docs/spec.md item 2): 8–20 printable ASCII characters with at least one letter
 * and one digit, not a well-known password, and not containing the phone number (the first thing
 * an attacker tries). Returns the first failing rule.
 */
export function checkLoginPassword(password: string, context: { phone?: string } = {}): PasswordCheck<LoginPasswordRule> {
  if (password.length < LOGIN_PASSWORD_MIN_LENGTH || password.length > LOGIN_PASSWORD_MAX_LENGTH) {
    return { ok: false, rule: 'length', message: `use ${LOGIN_PASSWORD_MIN_LENGTH} to ${LOGIN_PASSWORD_MAX_LENGTH} characters` };
  }
  if (!/^[\x21-\x7e]+$/.test(password)) return { ok: false, rule: 'characters', message: 'use printable ASCII characters without spaces' };
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password))
    return { ok: false, rule: 'letters_and_digits', message: 'use both letters and digits' };
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return { ok: false, rule: 'common_password', message: 'this password is too common' };
  const phoneDigits = context.phone?.replace(/\D/g, '').slice(-11);
  if (phoneDigits !== undefined && phoneDigits.length >= 7 && password.includes(phoneDigits)) {
    return { ok: false, rule: 'contains_phone', message: 'do not use your phone number in the password' };
  }
  return { ok: true };
}

/**
 * Payment password policy: exactly six digits (what the payment keypad accepts), and none of the
 * guesses that make an online lockout of five tries pointless: one repeated digit (000000), a run
 * (123456, 987654) or six consecutive digits of the user's phone number.
 */
export function checkPaymentPassword(password: string, context: { phone?: string } = {}): PasswordCheck<PaymentPasswordRule> {
  if (!/^\d{6}$/.test(password)) return { ok: false, rule: 'six_digits', message: 'the payment password is exactly 6 digits' };
  if (/^(\d)\1{5}$/.test(password)) return { ok: false, rule: 'repeated_digit', message: 'do not repeat one digit' };
  const steps = [...password].slice(1).map((digit, index) => Number(digit) - Number(password[index]));
  if (steps.every((step) => step === 1) || steps.every((step) => step === -1)) {
    return { ok: false, rule: 'sequential_digits', message: 'do not use a run of digits' };
  }
  const phoneDigits = context.phone?.replace(/\D/g, '');
  if (phoneDigits !== undefined && phoneDigits.length >= 6 && phoneDigits.includes(password)) {
    return { ok: false, rule: 'part_of_phone', message: 'do not use part of your phone number' };
  }
  return { ok: true };
}
