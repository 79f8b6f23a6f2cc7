import { Writable } from 'node:stream';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { PaymentOutcomeDaily, PaymentRow, TrialBalanceRow, WalletBalance } from './db/entities';
import { checksum, dropTables, rebuild, verify } from './engine/rebuild';
import { exportCsv } from './export-csv';
import { checkInvariants } from './invariants';
import { Projector } from './projector-runtime';
import { PROJECTIONS, walletBalancesProjection } from './projections';
import { Traffic } from './testing/traffic';
import { projectionsCaughtUp } from './testing/visibility';
import { walletAsOf } from './time-travel';

jest.setTimeout(180_000);

let db: TestDatabase;
let walletStore: EventStore;
let paymentStore: EventStore;
let traffic: Traffic;
let projector: Projector;

const caughtUp = () => projectionsCaughtUp(projector, db.url, PROJECTIONS);

const dataSource = () => projector.dataSource!;

beforeAll(async () => {
  db = await createTestDatabase('projector');
  walletStore = createEventStore(db.url, { schema: 'wallet', poolSize: 3 });
  paymentStore = createEventStore(db.url, { schema: 'payments', poolSize: 3 });
  await walletStore.init();
  await paymentStore.init();
  traffic = new Traffic(walletStore, paymentStore);
  projector = new Projector({ databaseUrl: db.url, pollIntervalMs: 20, batchSize: 7 });
  await projector.start();
});

afterAll(async () => {
  await projector?.stop();
  await walletStore?.close();
  await paymentStore?.close();
  await db?.drop();
});

describe('projector', () => {
  let midInstant: string;

  it('given traffic through the real deciders, the live read models hold balances, journal, trial balance and outcomes', async () => {
    await traffic.openFunded('w1', 10_000n);
    await traffic.openFunded('w2', 5_000n);
    await traffic.merchantPayment('w1', 'm-canteen', 1_250n);
    midInstant = traffic.now();
    await traffic.merchantPayment('w1', 'm-coffee', 300n, 'wrong-password');
    await traffic.merchantPayment('w2', 'm-bookshop', 2_000n, 'declined');
    await traffic.merchantPayment('w2', 'm-canteen', 500n);
    await traffic.wallet('w2', (now) => ({ type: 'FreezeWallet', walletId: 'w2', reason: 'lost phone', source: 'support', now }));
    await caughtUp();

    const balances = await dataSource()
      .getRepository(WalletBalance)
      .find({ order: { walletId: 'ASC' } });
    expect(balances.map((b) => [b.walletId, b.balanceMinor, b.heldMinor, b.status])).toEqual([
      ['w1', '8750', '0', 'active'],
      ['w2', '4500', '0', 'frozen'],
    ]);
    const trial = await dataSource()
      .getRepository(TrialBalanceRow)
      .find({ order: { account: 'ASC' } });
    expect(Object.fromEntries(trial.map((row) => [row.account, row.balanceMinor]))).toEqual({
      'clearing:card:ICBC': '-15000',
      'merchant:m-canteen': '1750',
      'wallet:w1': '8750',
      'wallet:w2': '4500',
    });
    const outcomes = await dataSource().getRepository(PaymentRow).find();
    expect(outcomes.map((p) => [p.status, p.failureCode, p.outcomeCount]).sort()).toEqual([
      ['completed', null, 1],
      ['completed', null, 1],
      ['failed', 'MERCHANT_DECLINED', 1],
      ['failed', 'WRONG_PAYMENT_PASSWORD', 1],
    ]);
    const daily = await dataSource()
      .getRepository(PaymentOutcomeDaily)
      .find({ order: { outcome: 'ASC', failureCode: 'ASC' } });
    expect(daily.map((d) => [d.day, d.kind, d.outcome, d.failureCode, d.payments, d.amountMinor])).toEqual([
      ['2026-01-01', 'merchant', 'completed', '', '2', '1750'],
      ['2026-01-01', 'merchant', 'failed', 'MERCHANT_DECLINED', '1', '0'],
      ['2026-01-01', 'merchant', 'failed', 'WRONG_PAYMENT_PASSWORD', '1', '0'],
    ]);
    const invariants = await checkInvariants(dataSource());
    expect(invariants).toMatchObject({ ok: true, ledgerTotalMinor: '0', paymentsWithSeveralOutcomes: [], pendingPayments: 0 });
  });

  it('two rebuilds from position zero give the same checksum, equal to the live one (verify)', async () => {
    for (const projection of PROJECTIONS) {
      const first = await rebuild(dataSource(), projector.storeFor(projection.source), projection);
      const second = await rebuild(dataSource(), projector.storeFor(projection.source), projection);
      const [a, b, live] = [
        await checksum(dataSource(), projection, first.tables),
        await checksum(dataSource(), projection, second.tables),
        await checksum(dataSource(), projection),
      ];
      expect(a.checksum).toBe(b.checksum);
      expect(a.checksum).toBe(live.checksum);
      // This file generates wallet and payments traffic only (identity and cards: analysts.int-spec.ts), and no staff acts in it (staff-actions.int-spec.ts).
      const staffTrail = projection.name.startsWith('staff_actions_');
      if ((projection.source === 'wallet' || projection.source === 'payments') && !staffTrail)
        expect(a.tables.every((t) => t.rows > 0)).toBe(true);
      await dropTables(dataSource(), first.tables);
      await dropTables(dataSource(), second.tables);
      const verified = await verify(dataSource(), projector.storeFor(projection.source), projection);
      expect(verified.ok).toBe(true);
    }
  });

  it('a replay swaps the rebuilt table in atomically while queries keep working and the live projector carries on', async () => {
    let stop = false;
    let queries = 0;
    const errors: unknown[] = [];
    const reader = (async () => {
      while (!stop) {
        try {
          const rows = (await dataSource().query('SELECT sum(balance_minor)::text AS total FROM analytics.wallet_balances')) as Array<{
            total: string;
          }>;
          if (rows[0]?.total === null || rows[0]?.total === undefined) throw new Error('empty read model seen');
          queries += 1;
        } catch (error) {
          errors.push(error);
        }
      }
    })();
    const writer = (async () => {
      for (let i = 0; i < 5; i++) await traffic.merchantPayment('w1', 'm-coffee', 10n);
    })();
    const swapped = await rebuild(dataSource(), walletStore, walletBalancesProjection, { swap: true, pageSize: 3 });
    await writer;
    expect(swapped.swapped).toBe(true);
    await caughtUp();
    stop = true;
    await reader;
    expect(errors).toEqual([]);
    expect(queries).toBeGreaterThan(0);
    const w1 = await dataSource().getRepository(WalletBalance).findOneByOrFail({ walletId: 'w1' });
    expect(w1.balanceMinor).toBe('8700');
    for (const projection of PROJECTIONS)
      expect((await verify(dataSource(), projector.storeFor(projection.source), projection)).ok).toBe(true);
  });

  it('a restarted projector resumes from its checkpoints without counting anything twice', async () => {
    await projector.stop();
    await traffic.credit('w1', 100n, 'cash:branch:B001');
    projector = new Projector({ databaseUrl: db.url, pollIntervalMs: 20, batchSize: 5 });
    await projector.start();
    await caughtUp();
    const w1 = await dataSource().getRepository(WalletBalance).findOneByOrFail({ walletId: 'w1' });
    expect(w1.balanceMinor).toBe('8800');
    for (const projection of PROJECTIONS)
      expect((await verify(dataSource(), projector.storeFor(projection.source), projection)).ok).toBe(true);
    expect((await checkInvariants(dataSource())).ok).toBe(true);
  });

  it('time travel: balance and statement of a wallet as of a past instant; --until builds the read model as of then', async () => {
    const past = await walletAsOf(walletStore, 'w1', new Date(midInstant));
    expect(past.totalMinor).toBe(8_750n);
    expect(
      past.statement.map((line) => [line.kind, line.amountMinor, line.counterparty, line.balanceAfterMinor, line.availableAfterMinor]),
    ).toEqual([
      ['credit', 10_000n, 'clearing:card:ICBC', 10_000n, 10_000n],
      ['hold', 0n, 'merchant:m-canteen', 10_000n, 8_750n],
      ['debit', -1_250n, 'merchant:m-canteen', 8_750n, 8_750n],
    ]);
    const now = await walletAsOf(walletStore, 'w1', new Date('2100-01-01T00:00:00Z'));
    expect(now.totalMinor).toBe(8_800n);
    const before = await walletAsOf(walletStore, 'w1', new Date('2025-01-01T00:00:00Z'));
    expect([before.status, before.totalMinor, before.statement]).toEqual(['unopened', 0n, []]);

    const asOf = await rebuild(dataSource(), walletStore, walletBalancesProjection, { until: new Date(midInstant) });
    const rows = (await dataSource().query(
      `SELECT wallet_id, balance_minor::text AS balance FROM analytics.${asOf.tables.wallet_balances} ORDER BY wallet_id`,
    )) as Array<{ wallet_id: string; balance: string }>;
    expect(rows).toEqual([
      { wallet_id: 'w1', balance: '8750' },
      { wallet_id: 'w2', balance: '5000' },
    ]);
    await dropTables(dataSource(), asOf.tables);
  });

  it('exports a read model as CSV in canonical order', async () => {
    let csv = '';
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        csv += chunk.toString();
        done();
      },
    });
    const rows = await exportCsv(dataSource(), 'trial_balance', out);
    expect(rows).toBe(6);
    expect(csv.split('\n')[0]).toBe('account,balance_minor,inflow_minor,outflow_minor,postings');
    expect(csv).toContain('wallet:w1,8800,');
  });
});
