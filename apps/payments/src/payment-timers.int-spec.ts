import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { systemClock } from '@ledger/util';
import { PaymentTimers, TimerPoller, type ClaimedTimer } from './payment-timers';

/**
 * The timer table on a real PostgreSQL, with two "instances" (each its own pool, as two payments
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

  it('one row per (payment, kind): scheduling again moves due_at; clear removes every kind', async () => {
    const due = new Date('2030-01-01T00:00:00.000Z');
    await a.schedule('p-1', 'step', new Date('2029-01-01T00:00:00.000Z'));
    await b.schedule('p-1', 'step', due);
    await a.schedule('p-1', 'provider_deadline', due);
    expect(await a.of('p-1')).toEqual([
      { paymentId: 'p-1', kind: 'provider_deadline', dueAt: due, fired: 0 },
      { paymentId: 'p-1', kind: 'step', dueAt: due, fired: 0 },
    ]);
    // Not due yet: nobody claims it.
    expect((await a.claimDue(new Date(), 10, 60_000)).filter((t) => t.paymentId === 'p-1')).toEqual([]);
    await b.clear('p-1');
    expect(await a.of('p-1')).toEqual([]);
  });

  it('the schedules and clears of one moment are written by one transaction, the last request for each timer winning', async () => {
    const due = new Date('2030-06-01T00:00:00.000Z');
    const ids = Array.from({ length: 20 }, (_, index) => `batch-${index}`);
    await Promise.all(ids.map((id) => a.schedule(id, 'step', due)));
    const { rows } = await poolA.query<{ xmin: string }>(`SELECT DISTINCT xmin::text FROM payments.payment_timers WHERE payment_id = ANY($1)`, [ids]);
    expect(rows).toHaveLength(1);
    // In one moment: cleared then armed again keeps the new timer; armed then cleared keeps none.
    const rearmed = new Date('2030-07-01T00:00:00.000Z');
    await Promise.all([a.clear('batch-0'), a.schedule('batch-0', 'provider_deadline', rearmed), a.schedule('batch-1', 'step', rearmed), a.clear('batch-1')]);
    expect(await a.of('batch-0')).toEqual([{ paymentId: 'batch-0', kind: 'provider_deadline', dueAt: rearmed, fired: 0 }]);
    expect(await a.of('batch-1')).toEqual([]);
    await Promise.all(ids.map((id) => a.clear(id)));
    expect((await poolA.query(`SELECT 1 FROM payments.payment_timers WHERE payment_id = ANY($1)`, [ids])).rows).toEqual([]);
  });

  it('a step timer asked for within the slack of the one this instance wrote is not written again', async () => {
    const armed = new Date('2031-01-01T00:00:00.000Z');
    const later = (ms: number) => new Date(armed.getTime() + ms);
    await a.schedule('slack', 'step', armed);
    // The next step wants it 2 s later; with 2.5 s of slack the armed timer still covers it: no write.
    await a.schedule('slack', 'step', later(2_000), 2_500);
    expect((await a.of('slack')).map((t) => t.dueAt)).toEqual([armed]);
    // 3 s later is beyond the slack: written.
    await a.schedule('slack', 'step', later(3_000), 2_500);
    expect((await a.of('slack')).map((t) => t.dueAt)).toEqual([later(3_000)]);
    // After the payment's outcome clears it, nothing is remembered: the next schedule writes.
    await a.clear('slack');
    await a.schedule('slack', 'step', later(3_000), 2_500);
    expect((await a.of('slack')).map((t) => t.dueAt)).toEqual([later(3_000)]);
    await a.clear('slack');
  });

  it('two instances claiming at the same time never get the same timer (SKIP LOCKED), and together get them all', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `race-${i}`);
    for (const id of ids) await a.schedule(id, 'step', past());
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
    await a.schedule('fenced', 'step', past());
    const [claim] = (await a.claimDue(new Date(), 500, 60_000)).filter((t) => t.paymentId === 'fenced');
    expect(claim).toBeDefined();
    const next = new Date(Date.now() + 3_600_000);
    await b.schedule('fenced', 'step', next); // the payment moved on meanwhile (a new step)
    await a.finish(claim!);
    expect(await a.of('fenced')).toEqual([{ paymentId: 'fenced', kind: 'step', dueAt: next, fired: 1 }]);
    await a.retry(claim!, new Date(0));
    expect((await a.of('fenced'))[0]?.dueAt).toEqual(next);
    await a.clear('fenced');
  });

  it('a claimer that dies gives the timer back after its lease', async () => {
    await a.schedule('orphan', 'provider_deadline', past());
    const first = (await a.claimDue(new Date(), 500, 50)).filter((t) => t.paymentId === 'orphan');
    expect(first).toHaveLength(1);
    // Instance A never finishes the claim; once the lease has run out, B claims it.
    const later = new Date(Date.now() + 1_000);
    const second = (await b.claimDue(later, 500, 60_000)).filter((t) => t.paymentId === 'orphan');
    expect(second).toEqual([{ paymentId: 'orphan', kind: 'provider_deadline', fired: 2, claimId: expect.any(String) }]);
    await b.clear('orphan');
  });

  it('two pollers racing over the same due timers fire each exactly once', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `poll-${i}`);
    for (const id of ids) await a.schedule(id, 'step', past());
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
