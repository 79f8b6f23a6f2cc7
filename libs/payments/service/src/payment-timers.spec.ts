import type { RecordedEvent } from '@ledger/event-store';
import { timerChangesOf } from './payment-timers';

const STEP_TIMEOUT_MS = 5_000;
/** Just what the timer projection reads of a payment event. */
const event = (paymentId: string, type: string, occurredAt: string, data: Record<string, unknown> = {}) =>
  ({
    stream: `payment-${paymentId}`,
    type: `payments.${type}.v1`,
    data,
    metadata: { occurredAt },
    recordedAt: new Date('2099-01-01T00:00:00.000Z'),
  }) as unknown as RecordedEvent;
const started = (paymentId: string, occurredAt: string, request: Record<string, unknown> = { kind: 'merchant' }) =>
  event(paymentId, 'PaymentInitiated', occurredAt, { request: { paymentId, ...request } });

describe('the payment timers a batch of events sets and clears', () => {
  it('a payment in flight: its step timer is due one step timeout after its latest event occurred', () => {
    const changes = timerChangesOf(
      [started('p1', '2030-01-01T00:00:00.000Z'), event('p1', 'PaymentPasswordVerified', '2030-01-01T00:00:01.500Z')],
      STEP_TIMEOUT_MS,
    );
    expect(changes).toEqual({ cleared: [], set: [{ paymentId: 'p1', kind: 'step', dueAt: new Date('2030-01-01T00:00:06.500Z') }] });
  });

  it('a payment that started and finished within the batch gets no timer, and one that finished later loses its timers', () => {
    const changes = timerChangesOf(
      [
        started('fast', '2030-01-01T00:00:00.000Z'),
        event('fast', 'PaymentCompleted', '2030-01-01T00:00:00.100Z'),
        event('slow', 'PaymentFailed', '2030-01-01T00:00:00.200Z'),
      ],
      STEP_TIMEOUT_MS,
    );
    expect(changes).toEqual({ cleared: ['fast', 'slow'], set: [] });
  });

  it("a provider top-up waits for its provider until the deadline in its request; the provider's confirmation starts a step", () => {
    const deadline = '2030-01-01T00:15:00.000Z';
    expect(timerChangesOf([started('t1', '2030-01-01T00:00:00.000Z', { kind: 'provider_topup', deadline })], STEP_TIMEOUT_MS)).toEqual({
      cleared: [],
      set: [{ paymentId: 't1', kind: 'provider_deadline', dueAt: new Date(deadline) }],
    });
    expect(timerChangesOf([event('t1', 'ProviderConfirmed', '2030-01-01T00:01:00.000Z')], STEP_TIMEOUT_MS).set).toEqual([
      { paymentId: 't1', kind: 'step', dueAt: new Date('2030-01-01T00:01:05.000Z') },
    ]);
  });

  it('a counter top-up above the threshold waits for a supervisor until the approval deadline in its first event; the approval starts a step', () => {
    const deadline = '2030-01-01T04:00:00.000Z';
    const initiated = event('c1', 'PaymentInitiated', '2030-01-01T00:00:00.000Z', {
      request: { paymentId: 'c1', kind: 'counter' },
      approval: { aboveMinor: '2000000', deadline },
    });
    expect(timerChangesOf([initiated], STEP_TIMEOUT_MS)).toEqual({
      cleared: [],
      set: [{ paymentId: 'c1', kind: 'approval_deadline', dueAt: new Date(deadline) }],
    });
    expect(timerChangesOf([event('c1', 'CounterTopUpApproved', '2030-01-01T01:00:00.000Z')], STEP_TIMEOUT_MS).set).toEqual([
      { paymentId: 'c1', kind: 'step', dueAt: new Date('2030-01-01T01:00:05.000Z') },
    ]);
  });

  it('events recorded on a payment after its outcome (a refund claimed against it, a late provider callback) start no timer', () => {
    const changes = timerChangesOf(
      [
        event('paid', 'RefundClaimed', '2030-01-01T00:00:00.000Z'),
        event('paid', 'RefundClaimReleased', '2030-01-01T00:00:01.000Z'),
        event('expired', 'LateProviderCallbackReported', '2030-01-01T00:00:02.000Z'),
      ],
      STEP_TIMEOUT_MS,
    );
    expect(changes).toEqual({ cleared: [], set: [] });
  });
});
