import { fold } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import { run } from '../test/given-when-then';
import { paymentDecider, nextStep, refundableMinor, type PaymentCommand, type PaymentEvent, type PaymentRequest } from './payment';

const now = '2026-11-22T10:00:00.000Z';
const failure = (code: string) => ({ code, message: code });

/** The history the commands leave; each must be accepted. */
const chain = (commands: PaymentCommand[]): PaymentEvent[] => givenWhenThen(paymentDecider).givenAccepted(...commands);

describe('withdrawal to a bound card', () => {
  const request: PaymentRequest = { kind: 'withdrawal', paymentId: 'w-1', userId: 'u1', walletId: 'w1', cardId: 'c1', amountMinor: 900n };
  const reserved = () =>
    chain([
      { type: 'StartPayment', request, now },
      { type: 'RecordPasswordCheck', result: { ok: true }, now },
      { type: 'RecordReservation', result: { ok: true, expiresAt: now }, now },
    ]);

  it('happy path: password → reserve → payout → capture', () => {
    expect(run([], { type: 'StartPayment', request, now }).step).toBe('verifying_password');
    expect(nextStep(fold(paymentDecider, reserved()))).toBe('paying_out');
    const paid = run(reserved(), { type: 'RecordPayout', result: { ok: true, issuerReference: 'iss' }, now });
    expect(paid.step).toBe('capturing');
    const postings = [
      { account: 'wallet:w1', amountMinor: '-900' },
      { account: 'clearing:card:ICBC', amountMinor: '900' },
    ];
    const done = run(paid.events, { type: 'RecordCapture', result: { ok: true, transactionId: 'tx', postings }, now });
    expect(done.result).toMatchObject([{ type: 'PaymentCompleted', data: { kind: 'withdrawal', postings } }]);
  });

  it.each(['CARD_PAYOUT_DECLINED', 'CARD_BLOCKED', 'CARD_EXPIRED'])('a payout failing with %s releases the hold, then fails', (code) => {
    const declined = run(reserved(), { type: 'RecordPayout', result: { ok: false, failure: failure(code) }, now });
    expect(declined.step).toBe('releasing');
    expect(run(declined.events, { type: 'RecordRelease', now }).result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code }, holdReleased: true } },
    ]);
  });

  it('INSUFFICIENT_FUNDS at the reservation: failed, nothing moved', () => {
    const events = chain([
      { type: 'StartPayment', request, now },
      { type: 'RecordPasswordCheck', result: { ok: true }, now },
    ]);
    expect(
      run(events, { type: 'RecordReservation', result: { ok: false, failure: failure('INSUFFICIENT_FUNDS') }, now }).result,
    ).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'INSUFFICIENT_FUNDS' } } }]);
  });
});

describe('refunds', () => {
  const payment: PaymentRequest = {
    kind: 'merchant',
    paymentId: 'p1',
    userId: 'u1',
    walletId: 'w1',
    merchantId: 'm-canteen',
    channel: 'qr',
    amountMinor: 1000n,
    description: '',
  };
  const completed = () =>
    chain([
      { type: 'StartPayment', request: payment, now },
      // m-canteen settles in the wallet: one decision there reserved and captured.
      { type: 'RecordPasswordCheck', result: { ok: true }, now },
      { type: 'RecordSettlement', result: { ok: true, transactionId: 't', postings: [] }, now },
    ]);

  describe('on the original payment', () => {
    it('claims up to what remains refundable, partly and then the rest', () => {
      const first = run(completed(), { type: 'ClaimRefund', refundId: 'r1', amountMinor: 400n, now });
      expect(first.result).toMatchObject([{ type: 'RefundClaimed', data: { refundId: 'r1', amountMinor: '400' } }]);
      expect(refundableMinor(first.state)).toBe(600n);
      const second = run(first.events, { type: 'ClaimRefund', refundId: 'r2', amountMinor: 600n, now });
      expect(refundableMinor(second.state)).toBe(0n);
      expect(run(second.events, { type: 'ClaimRefund', refundId: 'r3', amountMinor: 1n, now }).result).toMatchObject({
        code: 'REFUND_EXCEEDS_PAYMENT',
        details: { refundableMinor: '0' },
      });
    });

    it('never more than the payment: REFUND_EXCEEDS_PAYMENT', () => {
      expect(run(completed(), { type: 'ClaimRefund', refundId: 'r1', amountMinor: 1001n, now }).result).toMatchObject({
        code: 'REFUND_EXCEEDS_PAYMENT',
        details: { refundableMinor: '1000' },
      });
    });

    it('never twice for the same refund id: the same claim is a no-op, another amount IDEMPOTENCY_KEY_REUSED', () => {
      const first = run(completed(), { type: 'ClaimRefund', refundId: 'r1', amountMinor: 400n, now });
      expect(run(first.events, { type: 'ClaimRefund', refundId: 'r1', amountMinor: 400n, now }).result).toEqual([]);
      expect(run(first.events, { type: 'ClaimRefund', refundId: 'r1', amountMinor: 500n, now }).result).toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
      });
    });

    it('a released claim is refundable again', () => {
      const first = run(completed(), { type: 'ClaimRefund', refundId: 'r1', amountMinor: 1000n, now });
      const released = run(first.events, { type: 'ReleaseRefundClaim', refundId: 'r1', now });
      expect(refundableMinor(released.state)).toBe(1000n);
      expect(run(released.events, { type: 'ReleaseRefundClaim', refundId: 'r1', now }).result).toEqual([]);
    });

    it('only a completed merchant payment: PAYMENT_NOT_REFUNDABLE / PAYMENT_NOT_FOUND', () => {
      expect(run([], { type: 'ClaimRefund', refundId: 'r1', amountMinor: 1n, now }).result).toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
      const inFlight = chain([{ type: 'StartPayment', request: payment, now }]);
      expect(run(inFlight, { type: 'ClaimRefund', refundId: 'r1', amountMinor: 1n, now }).result).toMatchObject({
        code: 'PAYMENT_NOT_REFUNDABLE',
      });
    });
  });

  describe('the refund process', () => {
    const refund: PaymentRequest = { kind: 'refund', paymentId: 'r1', originalPaymentId: 'p1', amountMinor: 400n, reason: 'returned' };
    const granted = () =>
      chain([
        { type: 'StartPayment', request: refund, now },
        { type: 'RecordRefundClaim', result: { ok: true, walletId: 'w1', userId: 'u1', merchantId: 'm-canteen' }, now },
      ]);

    it('happy path: claim granted → wallet credited from the merchant → completed', () => {
      expect(run([], { type: 'StartPayment', request: refund, now }).step).toBe('claiming_refund');
      expect(nextStep(fold(paymentDecider, granted()))).toBe('crediting_refund');
      const postings = [
        { account: 'merchant:m-canteen', amountMinor: '-400' },
        { account: 'wallet:w1', amountMinor: '400' },
      ];
      expect(run(granted(), { type: 'RecordRefundCredit', result: { ok: true, transactionId: 'tx', postings }, now }).result).toMatchObject(
        [{ type: 'PaymentCompleted', data: { kind: 'refund', postings } }],
      );
    });

    it.each(['REFUND_EXCEEDS_PAYMENT', 'PAYMENT_NOT_REFUNDABLE', 'PAYMENT_NOT_FOUND'])('a refused claim (%s) fails the refund', (code) => {
      const started = chain([{ type: 'StartPayment', request: refund, now }]);
      expect(run(started, { type: 'RecordRefundClaim', result: { ok: false, failure: failure(code) }, now }).result).toMatchObject([
        { type: 'PaymentFailed', data: { failure: { code } } },
      ]);
    });

    it('a refused credit gives the claim back, then fails', () => {
      const refused = run(granted(), { type: 'RecordRefundCredit', result: { ok: false, failure: failure('WALLET_NOT_OPEN') }, now });
      expect(refused.step).toBe('releasing_refund_claim');
      expect(run(refused.events, { type: 'RecordRefundClaimRelease', now }).result).toMatchObject([
        { type: 'PaymentFailed', data: { failure: { code: 'WALLET_NOT_OPEN' } } },
      ]);
    });
  });
});
