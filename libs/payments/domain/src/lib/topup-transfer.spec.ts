import { run } from '../test/given-when-then';
import type { PaymentRequest } from './payment';

const now = '2026-11-22T10:00:00.000Z';
const failure = (code: string) => ({ code, message: code });

describe('top-up from a bound card', () => {
  const request: PaymentRequest = { kind: 'topup', paymentId: 't1', userId: 'u1', walletId: 'w1', cardId: 'c1', amountMinor: 5000n };
  const start = () => run([], { type: 'StartPayment', request, now });

  it('happy path: card checked → charged → wallet credited, completed with the wallet postings', () => {
    const started = start();
    expect(started.step).toBe('checking_card');
    const checked = run(started.events, { type: 'RecordCardCheck', result: { ok: true, last4: '3452', issuer: 'ICBC' }, now });
    expect(checked.step).toBe('charging');
    const charged = run(checked.events, { type: 'RecordCardCharge', result: { ok: true, issuerReference: 'iss-1' }, now });
    expect(charged.result).toMatchObject([{ type: 'CardCharged', data: { issuerReference: 'iss-1' } }]);
    expect(charged.step).toBe('crediting');
    const postings = [
      { account: 'clearing:card:ICBC', amountMinor: '-5000' },
      { account: 'wallet:w1', amountMinor: '5000' },
    ];
    const done = run(charged.events, { type: 'RecordWalletCredit', result: { ok: true, transactionId: 'tx', postings }, now });
    expect(done.result).toMatchObject([
      { type: 'PaymentCompleted', data: { kind: 'topup', amountMinor: '5000', transactionIds: ['tx'], postings } },
    ]);
    expect(done.step).toBeUndefined();
  });

  it.each(['CARD_EXPIRED', 'CARD_BLOCKED', 'CARD_NOT_FOUND', 'NOT_CARD_OWNER', 'CARDS_UNAVAILABLE'])(
    'a card check failing with %s fails the top-up, nothing moved',
    (code) => {
      const checked = run(start().events, { type: 'RecordCardCheck', result: { ok: false, failure: failure(code) }, now });
      expect(checked.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
    },
  );

  it('a declined charge fails CARD_CHARGE_DECLINED, nothing moved', () => {
    const checked = run(start().events, { type: 'RecordCardCheck', result: { ok: true, last4: '3452', issuer: 'ICBC' }, now });
    const declined = run(checked.events, {
      type: 'RecordCardCharge',
      result: { ok: false, failure: failure('CARD_CHARGE_DECLINED') },
      now,
    });
    expect(declined.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'CARD_CHARGE_DECLINED' } } }]);
  });

  it.each(['BALANCE_CAP_EXCEEDED', 'WALLET_FROZEN', 'WALLET_NOT_OPEN'])(
    'a credit refused with %s after the charge pays the card back, then fails',
    (code) => {
      const checked = run(start().events, { type: 'RecordCardCheck', result: { ok: true, last4: '3452', issuer: 'ICBC' }, now });
      const charged = run(checked.events, { type: 'RecordCardCharge', result: { ok: true, issuerReference: 'iss-1' }, now });
      const refused = run(charged.events, { type: 'RecordWalletCredit', result: { ok: false, failure: failure(code) }, now });
      expect(refused.step).toBe('refunding_card');
      const refunded = run(refused.events, { type: 'RecordCardRefund', issuerReference: 'iss-refund', now });
      expect(refunded.result).toMatchObject([
        { type: 'PaymentFailed', data: { failure: { code }, cardRefund: { issuerReference: 'iss-refund' } } },
      ]);
    },
  );

  it('steps of other flows are out of order', () => {
    expect(run(start().events, { type: 'RecordPasswordCheck', result: { ok: true }, now }).result).toMatchObject({
      code: 'STEP_OUT_OF_ORDER',
    });
  });
});

describe('transfer to another user', () => {
  const request: PaymentRequest = {
    kind: 'transfer',
    paymentId: 'x1',
    userId: 'u1',
    walletId: 'w1',
    recipientPhone: { encrypted: 'enc:v1:dev:iv:ct:tag', masked: '138****0000', fingerprint: 'dev.f1' },
    amountMinor: 700n,
    description: '',
  };
  const start = () => run([], { type: 'StartPayment', request, now });
  const found = () =>
    run(start().events, { type: 'RecordRecipient', result: { ok: true, recipientUserId: 'u2', recipientWalletId: 'w2' }, now });
  const reserved = () => {
    const verified = run(found().events, { type: 'RecordPasswordCheck', result: { ok: true }, now });
    return run(verified.events, { type: 'RecordReservation', result: { ok: true, expiresAt: now }, now });
  };
  const creditPostings = [
    { account: 'clearing:transfer', amountMinor: '-700' },
    { account: 'wallet:w2', amountMinor: '700' },
  ];
  const capturePostings = [
    { account: 'wallet:w1', amountMinor: '-700' },
    { account: 'clearing:transfer', amountMinor: '700' },
  ];

  it('happy path: recipient found → password → reserved → recipient credited → captured; clearing:transfer nets to zero', () => {
    expect(start().step).toBe('finding_recipient');
    expect(found().step).toBe('verifying_password');
    expect(reserved().step).toBe('crediting_recipient');
    const credited = run(reserved().events, {
      type: 'RecordRecipientCredit',
      result: { ok: true, transactionId: 'tx1', postings: creditPostings },
      now,
    });
    expect(credited.step).toBe('capturing');
    const done = run(credited.events, {
      type: 'RecordCapture',
      result: { ok: true, transactionId: 'tx2', postings: capturePostings },
      now,
    });
    expect(done.result).toMatchObject([
      {
        type: 'PaymentCompleted',
        data: { kind: 'transfer', transactionIds: ['tx1', 'tx2'], postings: [...creditPostings, ...capturePostings] },
      },
    ]);
    const transit = [...creditPostings, ...capturePostings]
      .filter((p) => p.account === 'clearing:transfer')
      .reduce((sum, p) => sum + BigInt(p.amountMinor), 0n);
    expect(transit).toBe(0n);
  });

  it.each(['RECIPIENT_NOT_FOUND', 'RECIPIENT_WALLET_UNAVAILABLE', 'SELF_TRANSFER', 'IDENTITY_UNAVAILABLE'])(
    'no recipient (%s): failed, nothing moved',
    (code) => {
      const failed = run(start().events, { type: 'RecordRecipient', result: { ok: false, failure: failure(code) }, now });
      expect(failed.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code }, holdReleased: false } }]);
    },
  );

  it('INSUFFICIENT_FUNDS at the reservation: failed, nothing moved', () => {
    const verified = run(found().events, { type: 'RecordPasswordCheck', result: { ok: true }, now });
    const refused = run(verified.events, { type: 'RecordReservation', result: { ok: false, failure: failure('INSUFFICIENT_FUNDS') }, now });
    expect(refused.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'INSUFFICIENT_FUNDS' } } }]);
  });

  it('the recipient refusing the credit releases the sender hold, then fails RECIPIENT_WALLET_UNAVAILABLE', () => {
    const refused = run(reserved().events, {
      type: 'RecordRecipientCredit',
      result: { ok: false, failure: failure('RECIPIENT_WALLET_UNAVAILABLE') },
      now,
    });
    expect(refused.step).toBe('releasing');
    const released = run(refused.events, { type: 'RecordRelease', now });
    expect(released.result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'RECIPIENT_WALLET_UNAVAILABLE' }, holdReleased: true } },
    ]);
  });

  it('idempotency rests on the phone fingerprint: a new ciphertext of the same phone is the same payment, another phone is IDEMPOTENCY_KEY_REUSED', () => {
    const again = { ...request, recipientPhone: { ...request.recipientPhone, encrypted: 'enc:v1:dev:iv2:ct2:tag2' } };
    expect(run(start().events, { type: 'StartPayment', request: again, now }).result).toEqual([]);
    const other = { ...request, recipientPhone: { encrypted: 'enc:v1:dev:iv3:ct3:tag3', masked: '139****0000', fingerprint: 'dev.f2' } };
    expect(run(start().events, { type: 'StartPayment', request: other, now }).result).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('wrong password after the recipient is found: failed, nothing reserved', () => {
    const failed = run(found().events, {
      type: 'RecordPasswordCheck',
      result: { ok: false, failure: failure('WRONG_PAYMENT_PASSWORD') },
      now,
    });
    expect(failed.result).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code: 'WRONG_PAYMENT_PASSWORD' } } }]);
  });
});
