import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createEventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { systemClock } from '@ledger/util';
import { PaymentTimers, TimerPoller, writeTimerChanges, type ClaimedTimer, type TimerKind } from './payment-timers';

/**
 * The timer table on a real PostgreSQL (and the projection that fills it from a real event store), with two "instances" (each its own pool, as two payments
 * services on one database would have): a due timer is claimed by one of them only.
 */
describe('payment timers (payments.payment_timers)', () => {
  let db: TestDatabase;
  let poolA: Pool;
  let poolB: Pool;
  let a: PaymentTimers;
  let b: PaymentTimers;

  beforeAll(async () => {
    db = await createTestDatabase('pay_timers');
    poolA = new Pool({ connectionString: db.url, max: 4 });
    poolB = new Pool({ connectionString: db.url, max: 4 });
    // As in the service: an idle connection the server ends (other test files share the server) is
    // replaced by the pool, not an uncaught error; a query on a killed connection still fails the test.
    for (const pool of [poolA, poolB]) pool.on('error', () => undefined);
    a = new PaymentTimers(poolA);
    b = new PaymentTimers(poolB);
    // Both instances create the table at start, at the same time: idempotent.
    await Promise.all([a.migrate(), b.migrate()]);
  });

  afterAll(async () => {
    await poolA?.end();
    await poolB?.end();
    await db?.drop();
  });

  const past = (): Date => new Date(Date.now() - 1_000);

  /** Sets one timer, as the projection does for a payment's step (an upsert that drops any claim). */
  const set = (timers: Pool, paymentId: string, kind: TimerKind, dueAt: Date) =>
    writeTimerChanges(timers, { cleared: [], set: [{ paymentId, kind, dueAt }] });
  /** Deletes every timer of the payments, as the projection does at their outcome. */
  const clear = (timers: Pool, ...paymentIds: string[]) => writeTimerChanges(timers, { cleared: paymentIds, set: [] });

  it('one row per (payment, kind): setting again moves due_at; clearing removes every kind', async () => {
    const due = new Date('2030-01-01T00:00:00.000Z');
    await set(poolA, 'p-1', 'step', new Date('2029-01-01T00:00:00.000Z'));
    await set(poolB, 'p-1', 'step', due);
    await set(poolA, 'p-1', 'provider_deadline', due);
    expect(await a.of('p-1')).toEqual([
      { paymentId: 'p-1', kind: 'provider_deadline', dueAt: due, fired: 0 },
      { paymentId: 'p-1', kind: 'step', dueAt: due, fired: 0 },
    ]);
    // Not due yet: nobody claims it.
    expect((await a.claimDue(new Date(), 10, 60_000)).filter((t) => t.paymentId === 'p-1')).toEqual([]);
    await clear(poolB, 'p-1');
    expect(await a.of('p-1')).toEqual([]);
  });

  it("follows the payments' events: a payment in flight has its timer, one with an outcome has none, however the events are batched", async () => {
    const store = createEventStore(db.url, { schema: 'payments', poolSize: 2 });
    const stepTimeoutMs = 5_000;
    const metadata = (occurredAt: string) => ({ correlationId: 'c', causationId: 'c', actor: 'system:test', occurredAt, schemaVersion: 1 });
    const append = (paymentId: string, events: Array<{ type: string; data: Record<string, unknown>; occurredAt: string }>) =>
      store.append(
        `payment-${paymentId}`,
        events.map((e) => ({ id: randomUUID(), type: `payments.${e.type}.v1`, data: e.data, metadata: metadata(e.occurredAt) })),
        { expectedRevision: 'any' },
      );
    const [inFlight, finished, provider] = [randomUUID(), randomUUID(), randomUUID()];
    const deadline = '2030-03-01T00:00:00.000Z';
    await append(inFlight, [
      { type: 'PaymentInitiated', data: { request: { paymentId: inFlight, kind: 'merchant' } }, occurredAt: '2030-01-01T00:00:00.000Z' },
      { type: 'PaymentPasswordVerified', data: { paymentId: inFlight }, occurredAt: '2030-01-01T00:00:01.000Z' },
    ]);
    await append(finished, [
      { type: 'PaymentInitiated', data: { request: { paymentId: finished, kind: 'merchant' } }, occurredAt: '2030-01-01T00:00:00.000Z' },
      { type: 'PaymentCompleted', data: { paymentId: finished }, occurredAt: '2030-01-01T00:00:02.000Z' },
    ]);
    await append(provider, [
      {
        type: 'PaymentInitiated',
        data: { request: { paymentId: provider, kind: 'provider_topup', deadline } },
        occurredAt: '2030-01-01T00:00:00.000Z',
      },
    ]);
    a.follow(store, { stepTimeoutMs, pollIntervalMs: 20, log: (message) => console.error(message) });
    try {
      // A reader sees events once no older transaction runs on the server (other test files share it): wait, bounded.
      const until = async (paymentId: string, expected: unknown) => {
        const deadlineAt = Date.now() + 30_000;
        while (JSON.stringify(await a.of(paymentId)) !== JSON.stringify(expected) && Date.now() < deadlineAt)
          await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await a.of(paymentId)).toEqual(expected);
      };
      await until(inFlight, [{ paymentId: inFlight, kind: 'step', dueAt: new Date('2030-01-01T00:00:06.000Z'), fired: 0 }]);
      await until(provider, [{ paymentId: provider, kind: 'provider_deadline', dueAt: new Date(deadline), fired: 0 }]);
      await until(finished, []);
      // Later events: the in-flight payment's next step moves its timer; its outcome deletes it.
      await append(inFlight, [{ type: 'PaymentFundsReserved', data: { paymentId: inFlight }, occurredAt: '2030-01-01T00:00:03.000Z' }]);
      await until(inFlight, [{ paymentId: inFlight, kind: 'step', dueAt: new Date('2030-01-01T00:00:08.000Z'), fired: 0 }]);
      await append(inFlight, [{ type: 'PaymentFailed', data: { paymentId: inFlight }, occurredAt: '2030-01-01T00:00:04.000Z' }]);
      await until(inFlight, []);
    } finally {
      await a.stopFollowing();
      await store.close();
    }
  });

  it('two instances claiming at the same time never get the same timer (SKIP LOCKED), and together get them all', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `race-${i}`);
    for (const id of ids) await set(poolA, id, 'step', past());
    const claimed: ClaimedTimer[] = [];
    for (let round = 0; round < 40; round++) {
      const [fromA, fromB] = await Promise.all([a.claimDue(new Date(), 7, 60_000), b.claimDue(new Date(), 7, 60_000)]);
      claimed.push(...fromA, ...fromB);
      if (fromA.length === 0 && fromB.length === 0) break;
    }
    const raced = claimed.filter((t) => t.paymentId.startsWith('race-'));
    expect(raced.map((t) => t.paymentId).sort()).toEqual([...ids].sort());
    expect(new Set(raced.map((t) => t.paymentId)).size).toBe(ids.length);
    // A claimed timer is leased: it is not due again before the lease ends.
    expect(await a.claimDue(new Date(), 500, 60_000)).toEqual([]);
    expect((await a.of('race-0'))[0]).toMatchObject({ fired: 1 });
  });

  it('a claim is fenced: finishing it after the timer was scheduled again keeps the new schedule', async () => {
    await set(poolA, 'fenced', 'step', past());
    const [claim] = (await a.claimDue(new Date(), 500, 60_000)).filter((t) => t.paymentId === 'fenced');
    expect(claim).toBeDefined();
    const next = new Date(Date.now() + 3_600_000);
    await set(poolB, 'fenced', 'step', next); // the payment moved on meanwhile (a new step)
    await a.finish(claim!);
    expect(await a.of('fenced')).toEqual([{ paymentId: 'fenced', kind: 'step', dueAt: next, fired: 1 }]);
    await a.retry(claim!, new Date(0));
    expect((await a.of('fenced'))[0]?.dueAt).toEqual(next);
    await clear(poolA, 'fenced');
  });

  it('a claimer that dies gives the timer back after its lease', async () => {
    await set(poolA, 'orphan', 'provider_deadline', past());
    const first = (await a.claimDue(new Date(), 500, 50)).filter((t) => t.paymentId === 'orphan');
    expect(first).toHaveLength(1);
    // Instance A never finishes the claim; once the lease has run out, B claims it.
    const later = new Date(Date.now() + 1_000);
    const second = (await b.claimDue(later, 500, 60_000)).filter((t) => t.paymentId === 'orphan');
    expect(second).toEqual([{ paymentId: 'orphan', kind: 'provider_deadline', fired: 2, claimId: expect.any(String) }]);
    await clear(poolB, 'orphan');
  });

  it('two pollers racing over the same due timers fire each exactly once', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `poll-${i}`);
    for (const id of ids) await set(poolA, id, 'step', past());
    const fired = new Map<string, string[]>();
    const pollerOf = (name: string, timers: PaymentTimers): TimerPoller =>
      new TimerPoller({
        timers,
        clock: systemClock,
        pollIntervalMs: 5,
        batchSize: 4,
        leaseMs: 60_000,
        log: (message) => {
          throw new Error(message);
        },
        fire: async (timer) => {
          fired.set(timer.paymentId, [...(fired.get(timer.paymentId) ?? []), name]);
          await new Promise((resolve) => setTimeout(resolve, 5)); // some work, so the pollers overlap
          return undefined;
        },
      });
    const pollers = [pollerOf('a', a), pollerOf('b', b)];
    pollers.forEach((poller) => poller.start());
    const deadline = Date.now() + 30_000;
    while (ids.some((id) => !fired.has(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(pollers.map((poller) => poller.stop()));
    expect(ids.filter((id) => fired.get(id)?.length !== 1)).toEqual([]);
    // Each timer was fired once in all, and the work is done: the rows are gone.
    expect([...fired.entries()].filter(([id]) => id.startsWith('poll-'))).toHaveLength(ids.length);
    for (const id of ids.slice(0, 5)) expect(await a.of(id)).toEqual([]);
  });
});
