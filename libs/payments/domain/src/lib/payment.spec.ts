import { fold, isRejection } from '@ledger/util';
import { paymentDecider, nextStep, holdIdFor, type PaymentCommand, type PaymentEvent, type PaymentRequest } from './payment';

const now = '2026-11-22T10:00:00.000Z';
const request: PaymentRequest = { kind: 'merchant', paymentId: 'p1', userId: 'u1', walletId: 'w1', merchantId: 'm-canteen', channel: 'qr', amountMinor: 1250n, description: 'lunch' };
const failure = (code: string) => ({ code, message: code });

function given(events: PaymentEvent[]) {
  const state = fold(paymentDecider, events);
  return {
    when(command: PaymentCommand) {
      const result = paymentDecider.decide(command, state);
      const after = isRejection(result) ? state : fold(paymentDecider, result, state);
      return { result, state: after };
    },
  };
}

const initiated: PaymentEvent = { type: 'PaymentInitiated', data: { request, fingerprint: JSON.stringify(['merchant', 'u1', 'w1', 'm-canteen', 'qr', '1250', 'lunch']), initiatedAt: now } };
const verified: PaymentEvent = { type: 'PaymentPasswordVerified', data: { paymentId: 'p1', verifiedAt: now } };
const reserved: PaymentEvent = { type: 'PaymentFundsReserved', data: { paymentId: 'p1', walletId: 'w1', holdId: 'payment-p1', amountMinor: 1250n, expiresAt: now, reservedAt: now } };
const approved: PaymentEvent = { type: 'MerchantApproved', data: { paymentId: 'p1', authorizationCode: 'A1', approvedAt: now } };
const postings = [
  { account: 'wallet:w1', amountMinor: '-1250' },
  { account: 'merchant:m-canteen', amountMinor: '1250' },
];

describe('merchant payment process manager', () => {
  it('starts by verifying the payment password', () => {
    const { result, state } = given([]).when({ type: 'StartPayment', request, now });
    expect(result).toEqual([initiated]);
    expect(nextStep(state)).toBe('verifying_password');
  });

  it.each([
    ['m-cash-only', 'qr', 'MERCHANT_NOT_SUPPORTED'],
    ['m-unknown', 'qr', 'MERCHANT_NOT_SUPPORTED'],
    ['m-coffee', 'online', 'CHANNEL_NOT_SUPPORTED'],
  ] as const)('merchant %s on %s fails with %s before anything moves', (merchantId, channel, code) => {
    const { result, state } = given([]).when({ type: 'StartPayment', request: { ...request, merchantId, channel }, now });
    expect(result).toMatchObject([{ type: 'PaymentInitiated' }, { type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
    expect(nextStep(state)).toBeUndefined();
  });

  it('the same payment id with the same payload decides nothing new', () => {
    expect(given([initiated, verified]).when({ type: 'StartPayment', request, now: '2026-11-22T11:00:00Z' }).result).toEqual([]);
  });

  it('the same payment id with another payload is IDEMPOTENCY_KEY_REUSED', () => {
    expect(given([initiated]).when({ type: 'StartPayment', request: { ...request, amountMinor: 1251n }, now }).result).toMatchObject({ kind: 'rejection', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('happy path: password → reserve → acquirer approves → capture completes with the postings', () => {
    const afterPassword = given([initiated]).when({ type: 'RecordPasswordCheck', result: { ok: true }, now });
    expect(afterPassword.result).toEqual([verified]);
    expect(nextStep(afterPassword.state)).toBe('reserving');
    const afterReserve = given([initiated, verified]).when({ type: 'RecordReservation', result: { ok: true, expiresAt: now }, now });
    expect(afterReserve.result).toEqual([reserved]);
    expect(nextStep(afterReserve.state)).toBe('confirming');
    const afterApproval = given([initiated, verified, reserved]).when({ type: 'RecordAcquirerAnswer', result: { ok: true, authorizationCode: 'A1' }, now });
    expect(afterApproval.result).toEqual([approved]);
    expect(nextStep(afterApproval.state)).toBe('capturing');
    const done = given([initiated, verified, reserved, approved]).when({ type: 'RecordCapture', result: { ok: true, transactionId: 't1', postings }, now });
    expect(done.result).toEqual([{ type: 'PaymentCompleted', data: { paymentId: 'p1', kind: 'merchant', amountMinor: 1250n, transactionIds: ['t1'], postings, completedAt: now } }]);
    expect(done.state.status).toBe('completed');
  });

  it.each(['WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED', 'ACCOUNT_FROZEN', 'IDENTITY_UNAVAILABLE', 'PAYMENT_INTERRUPTED'])('a password check failing with %s fails the payment, nothing reserved', (code) => {
    const { result } = given([initiated]).when({ type: 'RecordPasswordCheck', result: { ok: false, failure: failure(code) }, now });
    expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
  });

  it.each(['INSUFFICIENT_FUNDS', 'WALLET_FROZEN', 'LIMIT_EXCEEDED', 'WALLET_NOT_OPEN', 'FORBIDDEN'])('a reservation refused with %s fails the payment, nothing moved', (code) => {
    const { result } = given([initiated, verified]).when({ type: 'RecordReservation', result: { ok: false, failure: failure(code) }, now });
    expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
  });

  it('an unanswered reservation releases whatever hold it may have made, then fails WALLET_UNAVAILABLE', () => {
    const first = given([initiated, verified]).when({ type: 'RecordReservation', result: { ok: false, failure: failure('WALLET_UNAVAILABLE'), uncertain: true }, now });
    expect(first.result).toMatchObject([{ type: 'PaymentReleaseRequested', data: { holdId: holdIdFor('p1') } }]);
    expect(nextStep(first.state)).toBe('releasing');
  });

  it.each(['MERCHANT_DECLINED', 'ACQUIRER_UNAVAILABLE'])('%s after the reservation releases the hold, then fails', (code) => {
    const declined = given([initiated, verified, reserved]).when({ type: 'RecordAcquirerAnswer', result: { ok: false, failure: failure(code) }, now });
    expect(nextStep(declined.state)).toBe('releasing');
    const events = [initiated, verified, reserved, ...(declined.result as PaymentEvent[])];
    const released = given(events).when({ type: 'RecordRelease', now });
    expect(released.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: true } }]);
  });

  it('a capture that finds the hold gone fails HOLD_EXPIRED', () => {
    const { result } = given([initiated, verified, reserved, approved]).when({ type: 'RecordCapture', result: { ok: false, failure: failure('HOLD_EXPIRED') }, now });
    expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'HOLD_EXPIRED' } } }]);
  });

  it('refuses steps out of order and anything after the outcome', () => {
    expect(given([]).when({ type: 'RecordRelease', now }).result).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    expect(given([initiated]).when({ type: 'RecordCapture', result: { ok: true, transactionId: 't', postings }, now }).result).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    const done = given([initiated]).when({ type: 'RecordPasswordCheck', result: { ok: false, failure: failure('WRONG_PAYMENT_PASSWORD') }, now });
    const events = [initiated, ...(done.result as PaymentEvent[])];
    expect(given(events).when({ type: 'RecordPasswordCheck', result: { ok: true }, now }).result).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
  });
});
