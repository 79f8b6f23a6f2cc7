import { run } from '../test/given-when-then';
import type { PaymentRequest } from './payment';

const now = '2026-11-22T10:00:00.000Z';
const failure = (code: string) => ({ code, message: code });

describe('bill payment', () => {
  const request: PaymentRequest = {
    kind: 'bill',
    paymentId: 'b1',
    userId: 'u1',
    walletId: 'w1',
    billerId: 'b-power',
    billReference: { encrypted: 'enc:v1:k1:…', masked: 'ACC****0001', fingerprint: 'hs256:p1:acc-1' },
    amountMinor: 8800n,
  };
  const start = () => run([], { type: 'StartPayment', request, now });
  const reserved = () => {
    const checked = run(start().events, { type: 'RecordBillCheck', result: { ok: true }, now });
    const verified = run(checked.events, { type: 'RecordPasswordCheck', result: { ok: true }, now });
    return run(verified.events, { type: 'RecordReservation', result: { ok: true, expiresAt: now }, now });
  };

  it('happy path: bill checked → password → reserved → biller paid → captured to biller:<id>', () => {
    expect(start().step).toBe('checking_bill');
    expect(reserved().step).toBe('paying_bill');
    const paid = run(reserved().events, { type: 'RecordBillPayment', result: { ok: true, receipt: 'r' }, now });
    expect(paid.step).toBe('capturing');
    const postings = [
      { account: 'wallet:w1', amountMinor: '-8800' },
      { account: 'biller:b-power', amountMinor: '8800' },
    ];
    expect(run(paid.events, { type: 'RecordCapture', result: { ok: true, transactionId: 't', postings }, now }).result).toMatchObject([
      { type: 'PaymentCompleted', data: { kind: 'bill', postings } },
    ]);
  });

  it('an unknown biller fails BILLER_NOT_SUPPORTED at once', () => {
    expect(run([], { type: 'StartPayment', request: { ...request, billerId: 'b-nope' }, now }).result).toMatchObject([
      { type: 'PaymentInitiated' },
      { type: 'PaymentFailed', data: { failure: { code: 'BILLER_NOT_SUPPORTED' } } },
    ]);
  });

  it.each(['BILL_NOT_FOUND', 'BILL_AMOUNT_MISMATCH', 'BILLER_UNAVAILABLE'])('a bill check failing with %s fails, nothing moved', (code) => {
    expect(run(start().events, { type: 'RecordBillCheck', result: { ok: false, failure: failure(code) }, now }).result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } },
    ]);
  });

  it.each(['BILLER_DECLINED', 'BILLER_UNAVAILABLE'])('%s at payment releases the hold, then fails', (code) => {
    const declined = run(reserved().events, { type: 'RecordBillPayment', result: { ok: false, failure: failure(code) }, now });
    expect(declined.step).toBe('releasing');
    expect(run(declined.events, { type: 'RecordRelease', now }).result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code }, holdReleased: true } },
    ]);
  });
});
