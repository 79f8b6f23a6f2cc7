import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { UserPaymentsReadModel, writeUserPayments } from './user-payments';

const recordedAt = new Date('2026-12-07T10:00:00.000Z');
/** Just what the read model reads of a payment event. */
const event = (type: string, data: Record<string, unknown>) =>
  ({ type: `payments.${type}.v1`, data, recordedAt }) as unknown as RecordedEvent;
const initiated = (paymentId: string, userId: string, kind: string, extra: Record<string, unknown> = {}) =>
  event('PaymentInitiated', {
    initiatedAt: '2026-12-07T09:00:00.000Z',
    request: { paymentId, userId, kind, amountMinor: '250', merchantId: 'm-canteen', ...extra },
  });

describe("the users' payment lists, written a batch at a time", () => {
  let db: TestDatabase;
  let pool: Pool;
  let model: UserPaymentsReadModel;

  beforeAll(async () => {
    db = await createTestDatabase('user-payments');
    pool = new Pool({ connectionString: db.url, max: 2 });
    model = new UserPaymentsReadModel(pool, {} as EventStore, { log: () => undefined });
    await model.migrate();
  });

  const write = async (events: RecordedEvent[]) => {
    const client = await pool.connect();
    try {
      await writeUserPayments(client, events);
    } finally {
      client.release();
    }
  };

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('gives the same rows whether the events of a payment come in one batch or one by one', async () => {
    const userId = randomUUID();
    const [paid, declined, refund] = [randomUUID(), randomUUID(), randomUUID()];
    const events = [
      initiated(paid, userId, 'merchant'),
      initiated(declined, userId, 'merchant'),
      event('PaymentStepRecorded', { paymentId: paid }),
      event('PaymentCompleted', { paymentId: paid, completedAt: '2026-12-07T09:00:01.000Z' }),
      event('PaymentFailed', { paymentId: declined, failedAt: '2026-12-07T09:00:02.000Z', failure: { code: 'INSUFFICIENT_FUNDS' } }),
      initiated(refund, '', 'refund', { originalPaymentId: paid }),
      event('RefundClaimGranted', { paymentId: refund, userId, merchantId: 'm-canteen' }),
      event('PaymentCompleted', { paymentId: refund, completedAt: '2026-12-07T09:00:03.000Z' }),
    ];
    await write(events);
    const together = (await model.list(userId)).payments;

    // The same events again, one per batch, for another user's copies of the payments.
    const otherUser = randomUUID();
    const renamed = events.map(
      (e) =>
        JSON.parse(
          JSON.stringify(e)
            .replaceAll(userId, otherUser)
            .replaceAll(paid, `${paid}-1`)
            .replaceAll(declined, `${declined}-1`)
            .replaceAll(refund, `${refund}-1`),
        ) as RecordedEvent,
    );
    for (const e of renamed) await write([{ ...e, recordedAt }]);
    const oneByOne = (await model.list(otherUser)).payments;

    expect(
      together.map(({ status, failureCode, counterparty, kind, updatedAt }) => ({ status, failureCode, counterparty, kind, updatedAt })),
    ).toEqual(
      oneByOne.map(({ status, failureCode, counterparty, kind, updatedAt }) => ({ status, failureCode, counterparty, kind, updatedAt })),
    );
    expect(together).toHaveLength(3);
    const byId = new Map(together.map((p) => [p.paymentId, p]));
    expect(byId.get(paid)).toMatchObject({
      status: 'completed',
      counterparty: 'merchant:m-canteen',
      amountMinor: '250',
      updatedAt: '2026-12-07T09:00:01.000Z',
    });
    expect(byId.get(declined)).toMatchObject({ status: 'failed', failureCode: 'INSUFFICIENT_FUNDS' });
    expect(byId.get(refund)).toMatchObject({ kind: 'refund', status: 'completed', counterparty: 'merchant:m-canteen', userId });
  });
});
