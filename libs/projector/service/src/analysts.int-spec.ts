import { Writable } from 'node:stream';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { AccountFreezeRow, IdentityUser, MerchantDailyVolume, RiskAlertRow, StatementLine, UserCardsRow } from './db/entities';
import { projectionsCaughtUp } from './testing/visibility';
import { checksum, dropTables, rebuild, verify } from './engine/rebuild';
import { exportCsv } from './export-csv';
import { funnelByUser, funnelSummary } from './funnel';
import { Projector } from './projector-runtime';
import { cardBindingsProjection, merchantVolumeProjection, PROJECTIONS, riskProjection, statementsProjection } from './projections';
import { People } from './testing/people';
import { Traffic } from './testing/traffic';
import { parseRule, whatIf } from './what-if';

jest.setTimeout(180_000);

let db: TestDatabase;
const stores: Record<string, EventStore> = {};
let traffic: Traffic;
let people: People;
let projector: Projector;
const paymentIds: string[] = [];

async function caughtUp(): Promise<void> {
  await projectionsCaughtUp(projector, db.url, PROJECTIONS);
}

const dataSource = () => projector.dataSource!;

beforeAll(async () => {
  db = await createTestDatabase('projector_analysts');
  for (const schema of ['wallet', 'payments', 'identity', 'cards']) {
    stores[schema] = createEventStore(db.url, { schema, poolSize: 2 });
    await stores[schema].init();
  }
  traffic = new Traffic(stores.wallet!, stores.payments!);
  people = new People(stores.identity!, stores.cards!, () => traffic.now());
  projector = new Projector({ databaseUrl: db.url, pollIntervalMs: 20, batchSize: 7 });
  await projector.start();

  for (const user of ['user-a1', 'user-a2', 'user-a3']) await people.register(user);
  await people.bindCard('user-a1');
  await people.bindCard('user-a2');
  await traffic.openFunded('a1', 10_000n);
  await traffic.openFunded('a2', 5_000n);
  paymentIds.push(await traffic.merchantPayment('a1', 'm-canteen', 1_250n));
  paymentIds.push(await traffic.merchantPayment('a1', 'm-bookshop', 300n, 'declined'));
  paymentIds.push(await traffic.merchantPayment('a1', 'm-canteen', 2_000n));
  await traffic.credit('a2', 700n, 'cash:branch:B001');
  await people.riskAlert('user-a1', true);
  await people.unfreezeBySupport('user-a1');
  await people.riskAlert('user-a2', false);
  await caughtUp();
});

afterAll(async () => {
  await projector?.stop();
  for (const store of Object.values(stores)) await store.close();
  await db?.drop();
});

describe('analysts read models', () => {
  it('per-user statement: every entry with counterparty, signed amounts, balances after and payment, across batches', async () => {
    const lines = await dataSource()
      .getRepository(StatementLine)
      .find({ order: { walletId: 'ASC', seq: 'ASC' } });
    const [canteen, bookshop, canteenAgain] = paymentIds;
    expect(
      lines.map((l) => [
        l.userId,
        l.seq,
        l.kind,
        l.counterparty,
        l.amountMinor,
        l.heldMinor,
        l.balanceAfterMinor,
        l.availableAfterMinor,
        l.paymentId,
      ]),
    ).toEqual([
      ['user-a1', '1', 'credit', 'clearing:card:ICBC', '10000', '0', '10000', '10000', null],
      ['user-a1', '2', 'hold', 'merchant:m-canteen', '0', '1250', '10000', '8750', canteen],
      ['user-a1', '3', 'debit', 'merchant:m-canteen', '-1250', '-1250', '8750', '8750', canteen],
      // The declined payment: held, then released; the balance never moved.
      ['user-a1', '4', 'hold', 'merchant:m-bookshop', '0', '300', '8750', '8450', bookshop],
      ['user-a1', '5', 'release', 'merchant:m-bookshop', '0', '-300', '8750', '8750', bookshop],
      ['user-a1', '6', 'hold', 'merchant:m-canteen', '0', '2000', '8750', '6750', canteenAgain],
      ['user-a1', '7', 'debit', 'merchant:m-canteen', '-2000', '-2000', '6750', '6750', canteenAgain],
      ['user-a2', '1', 'credit', 'clearing:card:ICBC', '5000', '0', '5000', '5000', null],
      ['user-a2', '2', 'credit', 'cash:branch:B001', '700', '0', '5700', '5700', null],
    ]);
    expect(lines.filter((l) => l.kind === 'debit').map((l) => l.reference)).toEqual([canteen, canteenAgain]);
  });

  it('merchant daily volume: completed merchant payments per merchant per Asia/Shanghai day (declined ones excluded)', async () => {
    const rows = await dataSource()
      .getRepository(MerchantDailyVolume)
      .find({ order: { merchantId: 'ASC' } });
    expect(rows.map((r) => [r.day, r.merchantId, r.payments, r.grossMinor, r.refunds, r.refundedMinor, r.netMinor])).toEqual([
      ['2026-01-01', 'm-canteen', '2', '3250', '0', '0', '3250'],
    ]);
  });

  it('funnel: per user with timestamps, and counts per step', async () => {
    const users = await funnelByUser(dataSource());
    expect(
      users.map((u) => [u.userId, u.registeredAt !== null, u.cardBoundAt !== null, u.walletOpenedAt !== null, u.firstPaymentAt !== null]),
    ).toEqual([
      ['user-a1', true, true, true, true],
      ['user-a2', true, true, true, false],
      ['user-a3', true, false, false, false],
    ]);
    const a1 = users[0]!;
    expect(a1.registeredAt! <= a1.cardBoundAt! && a1.cardBoundAt! <= a1.walletOpenedAt! && a1.walletOpenedAt! < a1.firstPaymentAt!).toBe(
      true,
    );
    expect(await funnelSummary(dataSource())).toEqual({ registered: 3, cardBound: 2, walletOpened: 2, firstPayment: 1 });
    expect(await funnelSummary(dataSource(), { since: '2100-01-01T00:00:00Z' })).toEqual({
      registered: 0,
      cardBound: 0,
      walletOpened: 0,
      firstPayment: 0,
    });
    expect((await dataSource().getRepository(UserCardsRow).findOneByOrFail({ userId: 'user-a1' })).cardsBound).toBe(1);
  });

  it('risk alerts and freezes from identity events', async () => {
    const alerts = await dataSource()
      .getRepository(RiskAlertRow)
      .find({ order: { occurredAt: 'ASC' } });
    expect(alerts.map((a) => [a.userId, a.signal, a.severity, a.source])).toEqual([
      ['user-a1', 'suspicious_transactions', 'high', 'payments.velocity'],
      ['user-a2', 'suspicious_transactions', 'high', 'payments.velocity'],
    ]);
    const freezes = await dataSource()
      .getRepository(AccountFreezeRow)
      .find({ order: { occurredAt: 'ASC', action: 'ASC' } });
    expect(freezes.map((f) => [f.userId, f.action, f.actorKind, f.actorRef])).toEqual([
      ['user-a1', 'frozen', 'risk', expect.any(String)],
      ['user-a1', 'unfrozen', 'support', 'agent-7'],
    ]);
    const users = await dataSource()
      .getRepository(IdentityUser)
      .find({ order: { userId: 'ASC' } });
    expect(users.map((u) => [u.userId, u.status, u.freezes, u.riskAlerts, u.identityLevel])).toEqual([
      ['user-a1', 'active', 1, 1, 'basic'],
      ['user-a2', 'active', 0, 1, 'basic'],
      ['user-a3', 'active', 0, 0, 'basic'],
    ]);
  });

  it('the new read models rebuild deterministically: two rebuilds (different page sizes) give the live checksum; verify agrees', async () => {
    for (const projection of [statementsProjection, merchantVolumeProjection, cardBindingsProjection, riskProjection]) {
      const store = projector.storeFor(projection.source);
      const first = await rebuild(dataSource(), store, projection, { pageSize: 2 });
      const second = await rebuild(dataSource(), store, projection);
      const [a, b, live] = [
        await checksum(dataSource(), projection, first.tables),
        await checksum(dataSource(), projection, second.tables),
        await checksum(dataSource(), projection),
      ];
      expect(a.checksum).toBe(b.checksum);
      expect(a.checksum).toBe(live.checksum);
      expect(a.tables.every((t) => t.rows > 0)).toBe(true);
      await dropTables(dataSource(), first.tables);
      await dropTables(dataSource(), second.tables);
      expect((await verify(dataSource(), store, projection)).ok).toBe(true);
    }
    const swapped = await rebuild(dataSource(), stores.wallet!, statementsProjection, { swap: true, pageSize: 3 });
    expect(swapped.swapped).toBe(true);
    await traffic.merchantPayment('a2', 'm-bookshop', 100n);
    await caughtUp();
    const last = await dataSource().getRepository(StatementLine).findOneByOrFail({ walletId: 'a2', seq: '4' });
    expect([last.counterparty, last.amountMinor, last.balanceAfterMinor]).toEqual(['merchant:m-bookshop', '-100', '5600']);
    expect((await verify(dataSource(), stores.wallet!, statementsProjection)).ok).toBe(true);
  });

  it('exports the new read models as CSV', async () => {
    let csv = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        csv += chunk.toString();
        done();
      },
    });
    expect(await exportCsv(dataSource(), 'merchant_daily_volume', out, { from: '2026-01-01', to: '2026-01-02' })).toBe(2);
    expect(csv.split('\n')[0]).toBe('day,merchant_id,payments,gross_minor,refunds,refunded_minor,net_minor');
  });

  it('what-if: a lower daily limit refuses a payment that was captured; a merchant fee changes the captured amounts', async () => {
    const limit = await whatIf(stores.wallet!, parseRule(['--daily-limit', 'premium=3000']));
    expect(limit.reservations).toBe(4);
    expect(limit.changes.map((c) => [c.paymentId, c.actualOutcome, c.actualMinor, c.whatIfOutcome, c.whatIfMinor])).toEqual([
      [paymentIds[2], 'captured', 2_000n, 'rejected:LIMIT_EXCEEDED', 0n],
    ]);
    expect(limit.totals).toMatchObject({ changed: 1, wouldBeRefused: 1, refusedMinor: 2_000n, amountChangedCount: 0 });

    const fee = await whatIf(stores.wallet!, parseRule(['--fee-bps', '100']));
    expect(fee.changes.map((c) => [c.counterparty, c.actualMinor, c.whatIfMinor])).toEqual([
      ['merchant:m-canteen', 1_250n, 1_263n],
      ['merchant:m-canteen', 2_000n, 2_020n],
      ['merchant:m-bookshop', 100n, 101n],
    ]);
    expect(fee.totals).toMatchObject({ changed: 3, wouldBeRefused: 0, amountChangedCount: 3, amountDeltaMinor: 34n });

    const none = await whatIf(stores.wallet!, parseRule(['--fee-bps', '0']));
    expect(none.changes).toEqual([]);
    expect(() => parseRule([])).toThrow(/give a rule/);
  });
});
