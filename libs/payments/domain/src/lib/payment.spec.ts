import { givenWhenThen } from '@ledger/util/testing';
import {
  paymentDecider,
  nextStep,
  holdIdFor,
  recordedRequest,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentRequest,
} from './payment';

const now = '2026-11-22T10:00:00.000Z';
/** m-bookshop is paid through its acquirer (reserve, approve, capture); m-canteen settles in the wallet (below). */
const request: PaymentRequest = {
  kind: 'merchant',
  paymentId: 'p1',
  userId: 'u1',
  walletId: 'w1',
  merchantId: 'm-bookshop',
  channel: 'qr',
  amountMinor: 1250n,
  description: 'lunch',
};
const failure = (code: string) => ({ code, message: code });

const { given } = givenWhenThen(paymentDecider);

const initiated: PaymentEvent = {
  type: 'PaymentInitiated',
  data: {
    request: recordedRequest(request),
    fingerprint: JSON.stringify(['merchant', 'u1', 'w1', 'm-bookshop', 'qr', '1250', 'lunch']),
    initiatedAt: now,
    settlement: 'acquirer',
  },
};
const verified: PaymentEvent = { type: 'PaymentPasswordVerified', data: { paymentId: 'p1', verifiedAt: now } };
const reserved: PaymentEvent = {
  type: 'PaymentFundsReserved',
  data: { paymentId: 'p1', walletId: 'w1', holdId: 'payment-p1', amountMinor: '1250', expiresAt: now, reservedAt: now },
};
const approved: PaymentEvent = { type: 'MerchantApproved', data: { paymentId: 'p1', authorizationCode: 'A1', approvedAt: now } };
const postings = [
  { account: 'wallet:w1', amountMinor: '-1250' },
  { account: 'merchant:m-bookshop', amountMinor: '1250' },
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
    expect(result).toMatchObject([
      { type: 'PaymentInitiated' },
      { type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } },
    ]);
    expect(nextStep(state)).toBeUndefined();
  });

  it('the same payment id with the same payload decides nothing new', () => {
    expect(given([initiated, verified]).when({ type: 'StartPayment', request, now: '2026-11-22T11:00:00Z' }).result).toEqual([]);
  });

  it('the same payment id with another payload is IDEMPOTENCY_KEY_REUSED', () => {
    expect(given([initiated]).when({ type: 'StartPayment', request: { ...request, amountMinor: 1251n }, now }).result).toMatchObject({
      kind: 'rejection',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('happy path: password → reserve → acquirer approves → capture completes with the postings', () => {
    const afterPassword = given([initiated]).when({ type: 'RecordPasswordCheck', result: { ok: true }, now });
    expect(afterPassword.result).toEqual([verified]);
    expect(nextStep(afterPassword.state)).toBe('reserving');
    const afterReserve = given([initiated, verified]).when({ type: 'RecordReservation', result: { ok: true, expiresAt: now }, now });
    expect(afterReserve.result).toEqual([reserved]);
    expect(nextStep(afterReserve.state)).toBe('confirming');
    const afterApproval = given([initiated, verified, reserved]).when({
      type: 'RecordAcquirerAnswer',
      result: { ok: true, authorizationCode: 'A1' },
      now,
    });
    expect(afterApproval.result).toEqual([approved]);
    expect(nextStep(afterApproval.state)).toBe('capturing');
    const done = given([initiated, verified, reserved, approved]).when({
      type: 'RecordCapture',
      result: { ok: true, transactionId: 't1', postings },
      now,
    });
    expect(done.result).toEqual([
      {
        type: 'PaymentCompleted',
        data: { paymentId: 'p1', kind: 'merchant', amountMinor: '1250', transactionIds: ['t1'], postings, completedAt: now },
      },
    ]);
    expect(done.state.status).toBe('completed');
  });

  it.each(['WRONG_PAYMENT_PASSWORD', 'PAYMENT_PASSWORD_LOCKED', 'ACCOUNT_FROZEN', 'IDENTITY_UNAVAILABLE', 'PAYMENT_INTERRUPTED'])(
    'a password check failing with %s fails the payment, nothing reserved',
    (code) => {
      const { result } = given([initiated]).when({ type: 'RecordPasswordCheck', result: { ok: false, failure: failure(code) }, now });
      expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
    },
  );

  it.each(['INSUFFICIENT_FUNDS', 'WALLET_FROZEN', 'LIMIT_EXCEEDED', 'WALLET_NOT_OPEN', 'FORBIDDEN'])(
    'a reservation refused with %s fails the payment, nothing moved',
    (code) => {
      const { result } = given([initiated, verified]).when({
        type: 'RecordReservation',
        result: { ok: false, failure: failure(code) },
        now,
      });
      expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
    },
  );

  it('an unanswered reservation releases whatever hold it may have made, then fails WALLET_UNAVAILABLE', () => {
    const first = given([initiated, verified]).when({
      type: 'RecordReservation',
      result: { ok: false, failure: failure('WALLET_UNAVAILABLE'), uncertain: true },
      now,
    });
    expect(first.result).toMatchObject([{ type: 'PaymentReleaseRequested', data: { holdId: holdIdFor('p1') } }]);
    expect(nextStep(first.state)).toBe('releasing');
  });

  it.each(['MERCHANT_DECLINED', 'ACQUIRER_UNAVAILABLE'])('%s after the reservation releases the hold, then fails', (code) => {
    const declined = given([initiated, verified, reserved]).when({
      type: 'RecordAcquirerAnswer',
      result: { ok: false, failure: failure(code) },
      now,
    });
    expect(nextStep(declined.state)).toBe('releasing');
    const events = [initiated, verified, reserved, ...(declined.result as PaymentEvent[])];
    const released = given(events).when({ type: 'RecordRelease', now });
    expect(released.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: true } }]);
  });

  it('a capture that finds the hold gone fails HOLD_EXPIRED', () => {
    const { result } = given([initiated, verified, reserved, approved]).when({
      type: 'RecordCapture',
      result: { ok: false, failure: failure('HOLD_EXPIRED') },
      now,
    });
    expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'HOLD_EXPIRED' } } }]);
  });

  describe('password check and reservation asked for together (RecordAuthorization)', () => {
    const held = { ok: true, expiresAt: now } as const;
    const refused = { ok: false, failure: failure('INSUFFICIENT_FUNDS') } as const;
    const unanswered = { ok: false, uncertain: true, failure: failure('WALLET_UNAVAILABLE') } as const;
    const wrong = { ok: false, failure: failure('WRONG_PAYMENT_PASSWORD') } as const;

    it('both succeed: the password and the hold are recorded together and the acquirer is next', () => {
      const { result, state } = given([initiated]).when({ type: 'RecordAuthorization', password: { ok: true }, reservation: held, now });
      expect(result).toEqual([verified, reserved]);
      expect(nextStep(state)).toBe('confirming');
    });

    it('a wrong password with a hold made releases the hold, then fails with the password code', () => {
      const first = given([initiated]).when({ type: 'RecordAuthorization', password: wrong, reservation: held, now });
      expect(first.result).toMatchObject([
        { type: 'PaymentReleaseRequested', data: { holdId: holdIdFor('p1'), failure: { code: 'WRONG_PAYMENT_PASSWORD' } } },
      ]);
      expect(nextStep(first.state)).toBe('releasing');
      const done = given([initiated, ...(first.result as PaymentEvent[])]).when({ type: 'RecordRelease', now });
      expect(done.result).toMatchObject([
        { type: 'PaymentFailed', data: { failure: { code: 'WRONG_PAYMENT_PASSWORD' }, holdReleased: true } },
      ]);
    });

    it('a wrong password with an unanswered reservation releases too; the wallet finding no hold makes the outcome say so', () => {
      const first = given([initiated]).when({ type: 'RecordAuthorization', password: wrong, reservation: unanswered, now });
      expect(nextStep(first.state)).toBe('releasing');
      const done = given([initiated, ...(first.result as PaymentEvent[])]).when({ type: 'RecordRelease', now, holdFound: false });
      expect(done.result).toMatchObject([
        { type: 'PaymentFailed', data: { failure: { code: 'WRONG_PAYMENT_PASSWORD' }, holdReleased: false } },
      ]);
    });

    it('a wrong password with a refused reservation fails at once with the password code, nothing held', () => {
      const { result, state } = given([initiated]).when({ type: 'RecordAuthorization', password: wrong, reservation: refused, now });
      expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'WRONG_PAYMENT_PASSWORD' }, holdReleased: false } }]);
      expect(nextStep(state)).toBeUndefined();
    });

    it('a good password with a refused reservation fails with the wallet code; an unanswered one releases first', () => {
      expect(
        given([initiated]).when({ type: 'RecordAuthorization', password: { ok: true }, reservation: refused, now }).result,
      ).toMatchObject([
        { type: 'PaymentPasswordVerified' },
        { type: 'PaymentFailed', data: { failure: { code: 'INSUFFICIENT_FUNDS' }, holdReleased: false } },
      ]);
      const uncertain = given([initiated]).when({ type: 'RecordAuthorization', password: { ok: true }, reservation: unanswered, now });
      expect(uncertain.result).toMatchObject([
        { type: 'PaymentPasswordVerified' },
        { type: 'PaymentReleaseRequested', data: { failure: { code: 'WALLET_UNAVAILABLE' } } },
      ]);
      expect(nextStep(uncertain.state)).toBe('releasing');
    });

    it('is refused once the password is recorded (a second driver, or an older payment past that step)', () => {
      expect(
        given([initiated, verified]).when({ type: 'RecordAuthorization', password: { ok: true }, reservation: held, now }).result,
      ).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    });
  });

  describe('several steps recorded by one append (RecordSteps)', () => {
    const approval: PaymentCommand = { type: 'RecordAcquirerAnswer', result: { ok: true, authorizationCode: 'A1' }, now };
    const capture: PaymentCommand = { type: 'RecordCapture', result: { ok: true, transactionId: 't1', postings }, now };

    it('the approval and the capture: decided in order, the payment completes', () => {
      const { result, state } = given([initiated, verified, reserved]).when({ type: 'RecordSteps', steps: [approval, capture] });
      expect(result).toMatchObject([approved, { type: 'PaymentCompleted', data: { transactionIds: ['t1'], postings } }]);
      expect(state.status).toBe('completed');
    });

    it('a step out of order refuses them all', () => {
      expect(given([initiated, verified]).when({ type: 'RecordSteps', steps: [approval, capture] }).result).toMatchObject({
        code: 'STEP_OUT_OF_ORDER',
      });
    });

    it('takes between one and the bounded number of steps', () => {
      expect(() => given([initiated]).when({ type: 'RecordSteps', steps: [] })).toThrow(/RecordSteps/);
      expect(() => given([initiated]).when({ type: 'RecordSteps', steps: Array.from({ length: 5 }, () => approval) })).toThrow(
        /RecordSteps/,
      );
    });
  });

  it('a payment recorded before merchants could settle in the wallet (no settlement in its start) goes through the acquirer', () => {
    const { settlement: _none, ...older } = initiated.data as Extract<PaymentEvent, { type: 'PaymentInitiated' }>['data'];
    const canteen = { ...older, request: recordedRequest({ ...request, merchantId: 'm-canteen' }) };
    const { state } = given([{ type: 'PaymentInitiated', data: canteen }]).when({ type: 'RecordPasswordCheck', result: { ok: true }, now });
    expect(nextStep(state)).toBe('reserving');
  });

  describe('a merchant that settles in the wallet', () => {
    const canteen: PaymentRequest = { ...request, merchantId: 'm-canteen' };
    const started: PaymentEvent = {
      type: 'PaymentInitiated',
      data: {
        request: recordedRequest(canteen),
        fingerprint: JSON.stringify(['merchant', 'u1', 'w1', 'm-canteen', 'qr', '1250', 'lunch']),
        initiatedAt: now,
        settlement: 'wallet',
      },
    };
    const settled = {
      ok: true as const,
      transactionId: 't1',
      postings: [
        { account: 'wallet:w1', amountMinor: '-1250' },
        { account: 'merchant:m-canteen', amountMinor: '1250' },
      ],
    };

    it('records at its start that it settles in the wallet, then checks the password', () => {
      const { result, state } = given([]).when({ type: 'StartPayment', request: canteen, now });
      expect(result).toEqual([started]);
      expect(nextStep(state)).toBe('verifying_password');
    });

    it('happy path: the recorded password, then one settlement in the wallet completes it with the postings', () => {
      const afterPassword = given([started]).when({ type: 'RecordPasswordCheck', result: { ok: true }, now });
      expect(afterPassword.result).toEqual([verified]);
      expect(nextStep(afterPassword.state)).toBe('settling');
      const done = given([started, verified]).when({ type: 'RecordSettlement', result: settled, now });
      expect(done.result).toEqual([
        {
          type: 'PaymentCompleted',
          data: {
            paymentId: 'p1',
            kind: 'merchant',
            amountMinor: '1250',
            transactionIds: ['t1'],
            postings: settled.postings,
            completedAt: now,
          },
        },
      ]);
    });

    it.each(['INSUFFICIENT_FUNDS', 'WALLET_FROZEN', 'LIMIT_EXCEEDED', 'HOLD_EXPIRY_PASSED'])(
      'a settlement refused with %s fails the payment with nothing held',
      (code) => {
        const { result, state } = given([started, verified]).when({
          type: 'RecordSettlement',
          result: { ok: false, failure: failure(code) },
          now,
        });
        expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
        expect(nextStep(state)).toBeUndefined();
      },
    );

    it('a failed password fails it at once: nothing was asked of the wallet', () => {
      const { result } = given([started]).when({
        type: 'RecordPasswordCheck',
        result: { ok: false, failure: failure('PAYMENT_INTERRUPTED') },
        now,
      });
      expect(result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'PAYMENT_INTERRUPTED' }, holdReleased: false } }]);
    });

    it('never reserves alongside the password check, and takes no acquirer steps', () => {
      expect(
        given([started]).when({ type: 'RecordAuthorization', password: { ok: true }, reservation: { ok: true, expiresAt: now }, now })
          .result,
      ).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
      expect(
        given([started, verified]).when({ type: 'RecordReservation', result: { ok: true, expiresAt: now }, now }).result,
      ).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
      expect(given([initiated, verified]).when({ type: 'RecordSettlement', result: settled, now }).result).toMatchObject({
        code: 'STEP_OUT_OF_ORDER',
      });
    });
  });

  it('refuses steps out of order and anything after the outcome', () => {
    expect(given([]).when({ type: 'RecordRelease', now }).result).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    expect(
      given([initiated]).when({ type: 'RecordCapture', result: { ok: true, transactionId: 't', postings }, now }).result,
    ).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    const done = given([initiated]).when({
      type: 'RecordPasswordCheck',
      result: { ok: false, failure: failure('WRONG_PAYMENT_PASSWORD') },
      now,
    });
    const events = [initiated, ...(done.result as PaymentEvent[])];
    expect(given(events).when({ type: 'RecordPasswordCheck', result: { ok: true }, now }).result).toMatchObject({
      code: 'STEP_OUT_OF_ORDER',
    });
  });
});
