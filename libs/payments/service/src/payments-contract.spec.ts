import { paymentsContract } from '@ledger/contracts';
import type { RecordedEvent } from '@ledger/event-store';
import { PAYMENT_ERROR } from '@ledger/payments-domain';
import { createPaymentCodec } from './payment-codec';
import { AUDIT_UNAVAILABLE } from './support-access';

/** The payments contract (libs/contracts/src/payments.ts) is the one list other services and the gateway read: it must say what payments does. */
describe('payments contract', () => {
  it('lists exactly the codes payments answers with itself (the ones it passes through belong to identity, cards and wallet)', () => {
    expect([...paymentsContract.ERROR_CODES].sort()).toEqual([...Object.values(PAYMENT_ERROR), AUDIT_UNAVAILABLE].sort());
  });

  it('names every event the store keeps: the codec reads each contract name and nothing else', () => {
    const codec = createPaymentCodec();
    const record = (type: string): RecordedEvent =>
      ({
        id: 'e-1',
        stream: 'payment-p-1',
        revision: 0n,
        position: 1n,
        type,
        data: {},
        metadata: {},
        recordedAt: new Date(),
      }) as unknown as RecordedEvent;
    for (const [short, type] of Object.entries(paymentsContract.EVENT_TYPES)) expect(codec.decode(record(type)).type).toBe(short);
    expect(() => codec.decode(record('payments.SomethingElse.v1'))).toThrow('is not a payment event');
  });
});
