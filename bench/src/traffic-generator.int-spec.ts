import { createEventStore, START, type EventStore, type RecordedEvent } from '@ledger/event-store';
import { allCommittedVisible, createTestDatabase, type TestDatabase } from '@ledger/testing';
import type { DataSource } from 'typeorm';
import { checkInvariants, checksum, dropTables, funnelSummary, openAnalytics, PROJECTIONS, rebuild, rebuildAll } from './replay-engine';
import { TrafficGenerator, type GeneratedTotals } from './traffic-generator';

jest.setTimeout(120_000);

const SCHEMAS = ['identity', 'cards', 'wallet', 'payments'] as const;
let db: TestDatabase;
let stores: Record<(typeof SCHEMAS)[number], EventStore>;
let analytics: DataSource;
let totals: GeneratedTotals;

async function readEverything(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let from = START; ;) {
    const page = await store.readAll({ from, limit: 1000 });
    events.push(...page.events);
    from = page.next;
    if (page.isEnd) return events;
  }
}

/** Each stream's events in stream order; streams are appended concurrently, so the global order may differ. */
const byStream = (events: RecordedEvent[]) =>
  events
    .map((e) => ({
      key: `${e.stream}/${e.revision.toString().padStart(8, '0')}`,
      id: e.id,
      type: e.type,
      data: e.data,
      occurredAt: e.metadata.occurredAt,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));

beforeAll(async () => {
  db = await createTestDatabase('bench_traffic');
  stores = Object.fromEntries(SCHEMAS.map((schema) => [schema, createEventStore(db.url, { schema, poolSize: 2 })])) as typeof stores;
  for (const store of Object.values(stores)) await store.init();
  totals = await new TrafficGenerator({ events: 2_000, seed: 7, usersPerGroup: 15, days: 6, writers: 2 }).run(stores);
  // Readers see an event once no older transaction runs anywhere on the server (other test files share it).
  await allCommittedVisible(db.url, SCHEMAS);
  analytics = await openAnalytics(db.url, 3);
  // As `bench:replay` (and `npm run replay -- --all`) rebuilds them: every source at once, each read once.
  await rebuildAll(analytics, (source) => stores[source], PROJECTIONS, { swap: true, pageSize: 500 });
});

afterAll(async () => {
  await analytics?.destroy();
  for (const store of Object.values(stores ?? {})) await store.close();
  await db?.drop();
});

describe('traffic generator (bench:replay)', () => {
  it('appends what it counted, in every source, with successes and failures of every kind', async () => {
    expect(totals.events).toBeGreaterThanOrEqual(2_000);
    for (const schema of SCHEMAS) expect((await readEverything(stores[schema])).length).toBe(totals.eventsBySchema[schema]);
    expect(
      totals.eventsBySchema.identity + totals.eventsBySchema.cards + totals.eventsBySchema.wallet + totals.eventsBySchema.payments,
    ).toBe(totals.events);
    expect(totals.payments.completed).toBeGreaterThan(totals.payments.failed);
    expect(Object.keys(totals.payments.byFailure).length).toBeGreaterThanOrEqual(2);
    expect(totals.users).toBeGreaterThan(totals.walletsOpened);
  });

  it('a rebuild of the read models agrees with the wallet balances and the ledger the deciders produced', async () => {
    const balances = (await analytics.query(
      `SELECT wallet_id, balance_minor::text AS balance, held_minor::text AS held FROM analytics.wallet_balances`,
    )) as Array<{ wallet_id: string; balance: string; held: string }>;
    expect(new Map(balances.map((row) => [row.wallet_id, BigInt(row.balance)]))).toEqual(totals.balances);
    expect(balances.every((row) => row.held === '0')).toBe(true);
    const [ledger] = (await analytics.query(
      `SELECT sum(balance_minor)::text AS total, sum(balance_minor) FILTER (WHERE account LIKE 'wallet:%')::text AS wallets FROM analytics.trial_balance`,
    )) as Array<{ total: string; wallets: string }>;
    const walletTotal = [...totals.balances.values()].reduce((a, b) => a + b, 0n);
    expect(ledger).toEqual({ total: '0', wallets: walletTotal.toString() });
    const [payments] = (await analytics.query(
      `SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM analytics.payments`,
    )) as Array<{ completed: number; failed: number }>;
    expect(payments).toEqual({ completed: totals.payments.completed, failed: totals.payments.failed });
    const [volume] = (await analytics.query(`SELECT sum(gross_minor)::text AS gross FROM analytics.merchant_daily_volume`)) as Array<{
      gross: string;
    }>;
    expect(volume!.gross).toBe(totals.merchantVolumeMinor.toString());
    expect(await funnelSummary(analytics)).toMatchObject({
      registered: totals.users,
      cardBound: totals.cardsBound,
      walletOpened: totals.walletsOpened,
    });
    expect(await checkInvariants(analytics)).toMatchObject({ ok: true, openHolds: 0 });
  });

  it('rebuilding all read models in one pass per source gives the same rows as rebuilding each on its own', async () => {
    for (const projection of PROJECTIONS) {
      const alone = await rebuild(analytics, stores[projection.source], projection, { pageSize: 700 });
      expect((await checksum(analytics, projection, alone.tables)).checksum).toBe((await checksum(analytics, projection)).checksum);
      await dropTables(analytics, alone.tables);
    }
  });

  it('is deterministic: the same seed decides the same events', async () => {
    const again = await createTestDatabase('bench_traffic_again');
    const second = Object.fromEntries(
      SCHEMAS.map((schema) => [schema, createEventStore(again.url, { schema, poolSize: 2 })]),
    ) as typeof stores;
    try {
      for (const store of Object.values(second)) await store.init();
      const totalsAgain = await new TrafficGenerator({ events: 2_000, seed: 7, usersPerGroup: 15, days: 6, writers: 2 }).run(second);
      expect(totalsAgain).toEqual(totals);
      await allCommittedVisible(again.url, SCHEMAS);
      for (const schema of SCHEMAS)
        expect(byStream(await readEverything(second[schema]))).toEqual(byStream(await readEverything(stores[schema])));
    } finally {
      for (const store of Object.values(second)) await store.close();
      await again.drop();
    }
  });
});
