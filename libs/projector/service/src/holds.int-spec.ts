import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { WalletHoldRow } from './db/entities';
import { projectionsCaughtUp } from './testing/visibility';
import { checksum, dropTables, rebuild } from './engine/rebuild';
import { checkInvariants, formatInvariants, HOLD_EXPIRY_GRACE_MS } from './invariants';
import { Projector } from './projector-runtime';
import { holdsProjection, journalProjection, paymentOutcomesProjection } from './projections';
import { Traffic } from './testing/traffic';

jest.setTimeout(120_000);

let db: TestDatabase;
let walletStore: EventStore;
let paymentStore: EventStore;
let traffic: Traffic;
let projector: Projector;
const expiresAt: Record<string, string> = {};
const PROJECTIONS = [holdsProjection, journalProjection, paymentOutcomesProjection];

/** A reservation that expires 30 s after it is made (the traffic clock moves a minute per command). */
async function reserve(walletId: string, holdId: string, amountMinor: bigint): Promise<void> {
  await traffic.wallet(walletId, (now) => {
    expiresAt[holdId] = new Date(Date.parse(now) + 30_000).toISOString();
    return {
      type: 'ReserveFunds',
      walletId,
      holdId,
      amountMinor,
      expiresAt: expiresAt[holdId],
      reference: `payment-${holdId}`,
      counterparty: 'merchant:m-coffee',
      now,
    };
  });
}

const dataSource = () => projector.dataSource!;

beforeAll(async () => {
  db = await createTestDatabase('projector_holds');
  walletStore = createEventStore(db.url, { schema: 'wallet', poolSize: 2 });
  paymentStore = createEventStore(db.url, { schema: 'payments', poolSize: 2 });
  await walletStore.init();
  await paymentStore.init();
  traffic = new Traffic(walletStore, paymentStore, '2026-05-01T00:00:00.000Z');
  // Small batches: a hold's reservation and its closure land in different batches too.
  projector = new Projector({ databaseUrl: db.url, pollIntervalMs: 20, batchSize: 2, projections: PROJECTIONS });
  await projector.start();

  await traffic.openFunded('h1', 10_000n);
  await traffic.merchantPayment('h1', 'm-canteen', 1_000n);
  await traffic.merchantPayment('h1', 'm-bookshop', 500n, 'declined');
  await reserve('h1', 'hold-expired', 700n);
  await traffic.wallet('h1', (now) => ({ type: 'ExpireHold', walletId: 'h1', holdId: 'hold-expired', now }));
  await reserve('h1', 'hold-left-open', 900n);
  await projectionsCaughtUp(projector, db.url, PROJECTIONS);
});

afterAll(async () => {
  await projector?.stop();
  await walletStore?.close();
  await paymentStore?.close();
  await db?.drop();
});

describe('invariant: no hold open past expiry', () => {
  it('wallet_holds records every hold with its expiry and how it closed', async () => {
    const holds = await dataSource()
      .getRepository(WalletHoldRow)
      .find({ order: { reservedAt: 'ASC' } });
    expect(holds.map((h) => [h.status, h.amountMinor, h.closedAt !== null])).toEqual([
      ['captured', '1000', true],
      ['released', '500', true],
      ['expired', '700', true],
      ['open', '900', false],
    ]);
    expect(holds[3]!.expiresAt.toISOString()).toBe(expiresAt['hold-left-open']);
  });

  it('reports a hold left open past its expiry plus the grace, and not the captured, released or expired ones', async () => {
    const expiry = Date.parse(expiresAt['hold-left-open']!);
    const withinGrace = await checkInvariants(dataSource(), { asOf: new Date(expiry + HOLD_EXPIRY_GRACE_MS - 1) });
    expect(withinGrace).toMatchObject({ ok: true, holdsOpenPastExpiry: [], holdsOpenPastExpiryCount: 0, openHolds: 1 });

    const overdue = await checkInvariants(dataSource(), { asOf: new Date(expiry + HOLD_EXPIRY_GRACE_MS + 1) });
    expect(overdue.ok).toBe(false);
    expect(overdue.holdsOpenPastExpiryCount).toBe(1);
    expect(overdue.holdsOpenPastExpiry).toEqual([
      {
        walletId: 'h1',
        holdId: 'hold-left-open',
        reference: 'payment-hold-left-open',
        amountMinor: '900',
        expiresAt: expiresAt['hold-left-open'],
      },
    ]);
    // The other invariants still hold: only this one fails.
    expect(overdue).toMatchObject({ ledgerTotalMinor: '0', paymentsWithSeveralOutcomes: [], outcomesWithoutPayment: [] });
    expect(formatInvariants(overdue)).toMatch(/FAIL no hold open past its expiry .*\(1\)\n\s+h1 hold hold-left-open: 900 fen, expired /);

    // A longer grace (a slower expiry poller) forgives it.
    expect((await checkInvariants(dataSource(), { asOf: new Date(expiry + 5_000), graceMs: 10_000 })).ok).toBe(true);
  });

  it('the hold expiring clears the violation', async () => {
    await traffic.wallet('h1', (now) => ({ type: 'ExpireHold', walletId: 'h1', holdId: 'hold-left-open', now }));
    await projectionsCaughtUp(projector, db.url, [holdsProjection]);
    const report = await checkInvariants(dataSource());
    expect(report).toMatchObject({ ok: true, holdsOpenPastExpiryCount: 0, openHolds: 0 });
  });

  it('reports a payment still without an outcome past the outcome window, and not before; its outcome clears it', async () => {
    const { paymentId, initiatedAt } = await traffic.abandonedPayment('h1', 'm-coffee', 300n);
    await projectionsCaughtUp(projector, db.url, PROJECTIONS);
    const started = Date.parse(initiatedAt);
    const window = { outcomeWithinMs: 60_000, graceMs: 24 * 3_600_000 };
    expect(await checkInvariants(dataSource(), { ...window, asOf: new Date(started + 59_000) })).toMatchObject({
      ok: true,
      paymentsWithoutOutcomeCount: 0,
    });
    const stuck = await checkInvariants(dataSource(), { ...window, asOf: new Date(started + 61_000) });
    expect(stuck).toMatchObject({
      ok: false,
      paymentsWithoutOutcome: [{ paymentId, kind: 'merchant', initiatedAt }],
      paymentsWithoutOutcomeCount: 1,
    });
    expect(formatInvariants(stuck)).toMatch(
      new RegExp(`FAIL every payment has an outcome within 1 min of its start \\(1\\)\\n\\s+${paymentId} \\(merchant\\)`),
    );
    // Its outcome (here the process finally failing it) clears the violation.
    await traffic.failPayment(paymentId);
    await projectionsCaughtUp(projector, db.url, PROJECTIONS);
    expect(await checkInvariants(dataSource(), { ...window, asOf: new Date(started + 61_000) })).toMatchObject({
      ok: true,
      paymentsWithoutOutcomeCount: 0,
    });
  });

  it('rebuilds of wallet_holds are deterministic and equal the live read model', async () => {
    const first = await rebuild(dataSource(), walletStore, holdsProjection, { pageSize: 3 });
    const second = await rebuild(dataSource(), walletStore, holdsProjection, { pageSize: 1000 });
    const [a, b, live] = [
      await checksum(dataSource(), holdsProjection, first.tables),
      await checksum(dataSource(), holdsProjection, second.tables),
      await checksum(dataSource(), holdsProjection),
    ];
    expect([a.checksum, b.checksum]).toEqual([live.checksum, live.checksum]);
    expect(live.tables[0]!.rows).toBe(4);
    await dropTables(dataSource(), first.tables);
    await dropTables(dataSource(), second.tables);
  });
});
