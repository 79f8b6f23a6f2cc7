import { SERVICE_ERROR_CODES } from '@ledger/contracts';
import { GATEWAY_ERROR, KNOWN_CODES, ProblemError, problemFromRejection, statusForCode } from './problem';

describe('statusForCode: the one code → HTTP status table', () => {
  it.each([
    ['INVALID_INPUT', 400],
    ['VALIDATION_FAILED', 400],
    ['INVALID_JSON', 400],
    ['INVALID_CODE', 422],
    ['INVALID_CARD_NUMBER', 422],
    ['WEAK_PASSWORD', 422],
    ['INVALID_CREDENTIALS', 401],
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
    ['NOT_CARD_OWNER', 403],
    ['USER_NOT_FOUND', 404],
    ['CARD_NOT_FOUND', 404],
    ['PHONE_ALREADY_REGISTERED', 409],
    ['ALREADY_FROZEN', 409],
    ['WALLET_ALREADY_OPEN', 409],
    ['NOT_FROZEN', 409],
    ['PAYMENT_PASSWORD_LOCKED', 423],
    ['LOGIN_LOCKED', 423],
    ['ACCOUNT_FROZEN', 423],
    ['RESEND_TOO_SOON', 429],
    ['TOO_MANY_CODES', 429],
    ['TOO_MANY_CARDS', 409],
    ['RATE_LIMITED', 429],
    ['PAYLOAD_TOO_LARGE', 413],
    ['SYSTEM_MAINTENANCE', 503],
    ['TIMEOUT', 504],
    ['PROCESSING_FAILED', 502],
    ['INSUFFICIENT_FUNDS', 422],
    ['SOME_FUTURE_BUSINESS_RULE', 422],
    // Payments.
    ['MERCHANT_NOT_SUPPORTED', 422],
    ['LIMIT_EXCEEDED', 422],
    ['RECIPIENT_WALLET_UNAVAILABLE', 422],
    ['PAYMENT_NOT_FOUND', 404],
    ['IDEMPOTENCY_KEY_REUSED', 409],
    ['HOLD_EXPIRED', 409],
    ['TOPUP_EXPIRED', 410],
    ['INVALID_SIGNATURE', 401],
    ['RISK_VELOCITY_EXCEEDED', 429],
    ['WALLET_UNAVAILABLE', 503],
    ['ACQUIRER_UNAVAILABLE', 503],
    ['PAYMENT_INTERRUPTED', 503],
  ])('%s → %i', (code, status) => {
    expect(statusForCode(code)).toBe(status);
  });

  it('has an explicit status for every code a contract lists and every code of its own', () => {
    expect([...KNOWN_CODES].sort()).toEqual([...new Set([...SERVICE_ERROR_CODES, ...Object.values(GATEWAY_ERROR)])].sort());
  });

  it('gives 5xx only to availability codes', () => {
    const fiveHundreds = [
      'SYSTEM_MAINTENANCE',
      'TIMEOUT',
      'PROCESSING_FAILED',
      'UNKNOWN_COMMAND',
      'NOT_READY',
      'SERVICE_UNAVAILABLE',
      'ISSUER_UNAVAILABLE',
      'IDENTITY_UNAVAILABLE',
      'INTERNAL_ERROR',
    ];
    for (const code of ['WRONG_PAYMENT_PASSWORD', 'CODE_EXPIRED', 'WALLET_NOT_OPEN', 'WALLET_PREREQUISITES_MISSING', 'CARD_EXPIRED'])
      expect(statusForCode(code)).toBeLessThan(500);
    for (const code of fiveHundreds) expect(statusForCode(code)).toBeGreaterThanOrEqual(500);
  });
});

describe('Problem Details', () => {
  it('renders RFC 9457 members plus the stable code and details', () => {
    const problem = new ProblemError('WRONG_PAYMENT_PASSWORD', 'wrong payment password', { attemptsLeft: 3 });
    expect(problem.body('/users/u1/payment-password/change')).toEqual({
      type: 'https://ledger.example/problems/wrong-payment-password',
      title: 'Unprocessable Content',
      status: 422,
      detail: 'wrong payment password',
      code: 'WRONG_PAYMENT_PASSWORD',
      instance: '/users/u1/payment-password/change',
      details: { attemptsLeft: 3 },
    });
  });

  it('adds Retry-After to maintenance and throttling rejections', () => {
    expect(problemFromRejection('SYSTEM_MAINTENANCE', 'closed', { retryAfterMs: 90_500 }).headers).toEqual({ 'Retry-After': '91' });
    expect(problemFromRejection('SYSTEM_MAINTENANCE', 'closed').headers).toEqual({ 'Retry-After': '30' });
    expect(problemFromRejection('RESEND_TOO_SOON', 'wait', { retryAfterMs: 1_000 }).headers).toEqual({ 'Retry-After': '1' });
    expect(problemFromRejection('INVALID_CODE', 'wrong').headers).toEqual({});
  });

  it('429 is only for what clears with time, and each such code says when (details.retryAfterMs → Retry-After)', () => {
    // A new 429 code must say when to retry: add it here once it carries retryAfterMs.
    expect(KNOWN_CODES.filter((code) => statusForCode(code) === 429).sort()).toEqual([
      'RATE_LIMITED',
      'RESEND_TOO_SOON',
      'RISK_VELOCITY_EXCEEDED',
      'TOO_MANY_CODES',
    ]);
    expect(problemFromRejection('RISK_VELOCITY_EXCEEDED', 'slow down', { rule: 'velocity', retryAfterMs: 12_300 }).headers).toEqual({
      'Retry-After': '13',
    });
  });

  it('answers a payment refused by admission control with 503 and Retry-After', () => {
    const busy = problemFromRejection('PAYMENTS_BUSY', 'at its limit', { paymentId: 'p-1', retryAfterMs: 1_000 });
    expect(busy.status).toBe(503);
    expect(busy.headers).toEqual({ 'Retry-After': '1' });
  });
});
