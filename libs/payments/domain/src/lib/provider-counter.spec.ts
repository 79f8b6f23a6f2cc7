import { fold } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import { run } from '../test/given-when-then';
import { createPaymentDecider, nextStep, type PaymentCommand, type PaymentEvent, type PaymentRequest } from './payment';

const start = '2026-11-22T10:00:00.000Z';
const beforeDeadline = '2026-11-22T10:10:00.000Z';
const afterDeadline = '2026-11-22T10:20:00.000Z';

describe('third-party provider top-up', () => {
  const request: PaymentRequest = {
    kind: 'provider_topup',
    paymentId: 'pt1',
    userId: 'u1',
    walletId: 'w1',
    provider: 'alipay',
    amountMinor: 3000n,
    deadline: '2026-11-22T10:15:00.000Z',
  };
  const started = () => run([], { type: 'StartPayment', request, now: start });
  const callback = (now: string, providerReference = 'ali-1', amountMinor = 3000n): PaymentCommand => ({
    type: 'RecordProviderConfirmation',
    provider: 'alipay',
    providerReference,
    amountMinor,
    now,
  });

  it('waits for the provider, then credits from clearing:provider once the callback comes in time', () => {
    expect(started().step).toBe('awaiting_provider');
    const confirmed = run(started().events, callback(beforeDeadline));
    expect(confirmed.result).toMatchObject([{ type: 'ProviderConfirmed', data: { providerReference: 'ali-1' } }]);
    expect(confirmed.step).toBe('crediting');
    const postings = [
      { account: 'clearing:provider:alipay', amountMinor: '-3000' },
      { account: 'wallet:w1', amountMinor: '3000' },
    ];
    const done = run(confirmed.events, {
      type: 'RecordWalletCredit',
      result: { ok: true, transactionId: 't', postings },
      now: beforeDeadline,
    });
    expect(done.result).toMatchObject([{ type: 'PaymentCompleted', data: { kind: 'provider_topup', postings } }]);
    // The provider answers twice: nothing new.
    expect(run(done.events, callback(beforeDeadline)).result).toEqual([]);
  });

  it('the same start again (a new deadline) is the same top-up', () => {
    expect(
      run(started().events, { type: 'StartPayment', request: { ...request, deadline: afterDeadline }, now: beforeDeadline }).result,
    ).toEqual([]);
  });

  it('no callback by the deadline: TOPUP_EXPIRED (not before)', () => {
    expect(run(started().events, { type: 'RecordProviderExpiry', now: beforeDeadline }).result).toMatchObject({
      code: 'STEP_OUT_OF_ORDER',
    });
    expect(run(started().events, { type: 'RecordProviderExpiry', now: afterDeadline }).result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'TOPUP_EXPIRED' } } },
    ]);
  });

  it('a callback after the deadline is refused and reported once; it expires the top-up if the timer has not yet', () => {
    const late = run(started().events, callback(afterDeadline));
    expect(late.result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'TOPUP_EXPIRED' } } },
      { type: 'LateProviderCallbackReported', data: { providerReference: 'ali-1' } },
    ]);
    expect(run(late.events, callback(afterDeadline)).result).toEqual([]);
    const expired = run(started().events, { type: 'RecordProviderExpiry', now: afterDeadline });
    expect(run(expired.events, callback(afterDeadline, 'ali-2')).result).toMatchObject([
      { type: 'LateProviderCallbackReported', data: { providerReference: 'ali-2' } },
    ]);
  });

  it('a callback for another amount or provider is CALLBACK_MISMATCH; another reference after confirmation too', () => {
    expect(run(started().events, callback(beforeDeadline, 'ali-1', 2999n)).result).toMatchObject({ code: 'CALLBACK_MISMATCH' });
    expect(run(started().events, { ...callback(beforeDeadline), provider: 'wechat' } as PaymentCommand).result).toMatchObject({
      code: 'CALLBACK_MISMATCH',
    });
    const confirmed = run(started().events, callback(beforeDeadline));
    expect(run(confirmed.events, callback(beforeDeadline, 'ali-other')).result).toMatchObject({ code: 'CALLBACK_MISMATCH' });
  });

  it('a credit refused after the provider paid fails with providerRefundRequired', () => {
    const confirmed = run(started().events, callback(beforeDeadline));
    const refused = run(confirmed.events, {
      type: 'RecordWalletCredit',
      result: { ok: false, failure: { code: 'BALANCE_CAP_EXCEEDED', message: 'cap' } },
      now: beforeDeadline,
    });
    expect(refused.result).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'BALANCE_CAP_EXCEEDED', details: { providerRefundRequired: true } } } },
    ]);
  });
});

describe('counter (cash) top-up', () => {
  const request: PaymentRequest = {
    kind: 'counter',
    paymentId: 'c1',
    userId: 'u1',
    walletId: 'w1',
    branchId: 'bj-001',
    tellerId: 't-7',
    amountMinor: 5_000_00n,
  };

  it('credits the wallet from cash:branch:<id>', () => {
    const started = run([], { type: 'StartPayment', request, now: start });
    expect(started.step).toBe('crediting');
    const postings = [
      { account: 'cash:branch:bj-001', amountMinor: '-500000' },
      { account: 'wallet:w1', amountMinor: '500000' },
    ];
    expect(
      run(started.events, { type: 'RecordWalletCredit', result: { ok: true, transactionId: 't', postings }, now: start }).result,
    ).toMatchObject([{ type: 'PaymentCompleted', data: { kind: 'counter', postings } }]);
  });

  it.each(['WALLET_NOT_OPEN', 'WALLET_FROZEN', 'BALANCE_CAP_EXCEEDED'])(
    'a refused credit (%s) fails; the teller hands the cash back',
    (code) => {
      const started = run([], { type: 'StartPayment', request, now: start });
      expect(
        run(started.events, { type: 'RecordWalletCredit', result: { ok: false, failure: { code, message: code } }, now: start }).result,
      ).toMatchObject([{ type: 'PaymentFailed', data: { failure: { code } } }]);
    },
  );
});

describe('counter top-up above the approval threshold (maker-checker)', () => {
  const decider = createPaymentDecider(undefined, { aboveMinor: 1_000_00n, windowMs: 15 * 60_000, idCheckAboveMinor: 2_000_00n });
  const request: PaymentRequest = {
    kind: 'counter',
    paymentId: 'c2',
    userId: 'u1',
    walletId: 'w1',
    branchId: 'bj-001',
    tellerId: 't-7',
    amountMinor: 1_000_01n,
  };
  const spec = givenWhenThen(decider);
  const given = (...commands: PaymentCommand[]) => spec.givenAccepted(...commands);
  const when = (events: PaymentEvent[], command: PaymentCommand) => spec.given(events).when(command).result;
  const startCommand: PaymentCommand = { type: 'StartPayment', request, now: start };
  const approve = (supervisorId: string, now = beforeDeadline): PaymentCommand => ({ type: 'RecordCounterApproval', supervisorId, now });

  it('at the threshold credits at once; above it waits for a supervisor until the deadline, recorded in the first event', () => {
    expect(nextStep(fold(decider, given({ ...startCommand, request: { ...request, amountMinor: 1_000_00n } })))).toBe('crediting');
    const started = given(startCommand);
    expect(started).toMatchObject([
      { type: 'PaymentInitiated', data: { approval: { aboveMinor: '100000', deadline: '2026-11-22T10:15:00.000Z' } } },
    ]);
    expect(nextStep(fold(decider, started))).toBe('awaiting_approval');
    // Nothing can be credited before the decision.
    expect(when(started, { type: 'RecordWalletCredit', result: { ok: true, transactionId: 't', postings: [] }, now: start })).toMatchObject(
      { code: 'STEP_OUT_OF_ORDER' },
    );
  });

  it("above the ID-check threshold a deposit without the depositor's ID is refused and nothing is recorded; with it, the protected ID is recorded", () => {
    const large: PaymentRequest = { ...request, amountMinor: 2_000_01n };
    expect(spec.given([]).when({ ...startCommand, request: large })).toMatchObject({
      events: [],
      code: 'DEPOSITOR_ID_REQUIRED',
      details: { idCheckAboveMinor: '200000' },
    });
    const depositorId = { encrypted: 'enc:v1:p1:id', masked: '110105********123X', fingerprint: 'k1.id' };
    expect(given({ ...startCommand, request: { ...large, depositorId } })).toMatchObject([
      { type: 'PaymentInitiated', data: { request: { depositorId, amountMinor: '200001' }, approval: { aboveMinor: '100000' } } },
    ]);
    // At the threshold no ID is asked for.
    expect(given({ ...startCommand, request: { ...request, amountMinor: 2_000_00n } })).toHaveLength(1);
  });

  it("another supervisor's approval lets the credit go; the same approval again changes nothing", () => {
    const approved = given(startCommand, approve('s-1'));
    expect(approved.at(-1)).toEqual({
      type: 'CounterTopUpApproved',
      data: { paymentId: 'c2', supervisorId: 's-1', approvedAt: beforeDeadline },
    });
    expect(nextStep(fold(decider, approved))).toBe('crediting');
    expect(when(approved, approve('s-1'))).toEqual([]);
    expect(when(approved, approve('s-2'))).toMatchObject({ code: 'NOT_AWAITING_APPROVAL', details: { status: 'crediting' } });
  });

  it('the teller who made it may neither approve nor reject it: SELF_APPROVAL_FORBIDDEN, nothing recorded', () => {
    const started = given(startCommand);
    expect(when(started, approve('t-7'))).toMatchObject({ code: 'SELF_APPROVAL_FORBIDDEN', details: { tellerId: 't-7' } });
    expect(when(started, { type: 'RecordCounterRejection', supervisorId: 't-7', reason: 'x', now: beforeDeadline })).toMatchObject({
      code: 'SELF_APPROVAL_FORBIDDEN',
    });
  });

  it('a rejection fails it COUNTER_TOP_UP_REJECTED, recording who and why', () => {
    const result = when(given(startCommand), {
      type: 'RecordCounterRejection',
      supervisorId: 's-1',
      reason: 'banknotes to be checked',
      now: beforeDeadline,
    });
    expect(result).toMatchObject([
      { type: 'CounterTopUpRejected', data: { supervisorId: 's-1', reason: 'banknotes to be checked' } },
      {
        type: 'PaymentFailed',
        data: { kind: 'counter', failure: { code: 'COUNTER_TOP_UP_REJECTED', details: { supervisorId: 's-1' } }, holdReleased: false },
      },
    ]);
  });

  it('no decision by the deadline: APPROVAL_EXPIRED (not before); a decision after it expires it too', () => {
    const started = given(startCommand);
    expect(when(started, { type: 'RecordApprovalExpiry', now: beforeDeadline })).toMatchObject({ code: 'STEP_OUT_OF_ORDER' });
    expect(when(started, { type: 'RecordApprovalExpiry', now: afterDeadline })).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'APPROVAL_EXPIRED' } } },
    ]);
    expect(when(started, approve('s-1', afterDeadline))).toMatchObject([
      { type: 'PaymentFailed', data: { failure: { code: 'APPROVAL_EXPIRED' } } },
    ]);
  });

  it('a payment that is not a counter top-up awaiting approval: NOT_AWAITING_APPROVAL', () => {
    const provider: PaymentRequest = {
      kind: 'provider_topup',
      paymentId: 'pt9',
      userId: 'u1',
      walletId: 'w1',
      provider: 'alipay',
      amountMinor: 3000n,
      deadline: afterDeadline,
    };
    expect(when(given({ type: 'StartPayment', request: provider, now: start }), approve('s-1'))).toMatchObject({
      code: 'NOT_AWAITING_APPROVAL',
    });
  });
});
