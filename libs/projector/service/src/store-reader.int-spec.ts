/**
 * One reader per source store: the four projections of the wallet store are fed from one reader,
 * which reads each page once (counted through a wrapper around the projector's store), and a replay
 * that moves one projection's checkpoint (back or forward) re-feeds only that projection.
 */
import type { EntityManager } from 'typeorm';
import { createEventStore, type Cursor, type EventStore, type ReadPage, type RecordedEvent } from '@ledger/event-store';
import { allCommittedVisible, createTestDatabase, type TestDatabase } from '@ledger/testing';
import { waitUntilCaughtUp, type LiveProjection } from './engine/live';
import { openAnalytics } from './db/data-source';
import { rebuild, verify } from './engine/rebuild';
import { readCheckpoint, writeCheckpoint } from './engine/sql';
import { Projector } from './projector-runtime';
import {
  holdsProjection,
  journalProjection,
  statementsProjection,
  walletBalancesProjection,
  type Projection,
  type TableNames,
} from './projections';
import { Traffic } from './testing/traffic';

jest.setTimeout(180_000);

const POLL_INTERVAL_MS = 20;
const WALLET_PROJECTIONS: readonly Projection[] = [walletBalancesProjection, journalProjection, statementsProjection, holdsProjection];

let db: TestDatabase;
let walletStore: EventStore;
let paymentStore: EventStore;
let traffic: Traffic;
let projector: Projector;
/** Every page the projector read from the wallet store: where it started and the ids it returned. */
const reads: Array<{ from: Cursor | undefined; ids: string[] }> = [];
/** While set, the projector's reads wait for it (after calling `onHeld`): its reader falls behind. */
let hold: { released: Promise<void>; onHeld(): void } | undefined;

/** The store with its page reads recorded in `reads` (and held by `hold`); everything else goes to the store itself. */
function countingReads(store: EventStore): EventStore {
  const record = async (from: Cursor | undefined, read: () => Promise<ReadPage>): Promise<ReadPage> => {
    if (hold) {
      hold.onHeld();
      await hold.released;
    }
    const page = await read();
    reads.push({ from, ids: page.events.map((event) => event.id) });
    return page;
  };
  const readAll: EventStore['readAll'] = (options) => record(options?.from, () => store.readAll(options));
  const readCategory: EventStore['readCategory'] = (category, options) =>
    record(options?.from, () => store.readCategory(category, options));
  return new Proxy(store, {
    get(target, property) {
      if (property === 'readAll') return readAll;
      if (property === 'readCategory') return readCategory;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const dataSource = () => projector.dataSource!;
const live = (projection: Projection): LiveProjection => projector.live.get(projection.name)!;

/** Every event of the wallet category, read through the test's own store (not counted). */
async function walletEvents(): Promise<RecordedEvent[]> {
  const page = await walletStore.readCategory('wallet', { limit: 10_000 });
  expect(page.isEnd).toBe(true);
  return page.events;
}

const allVisible = () => allCommittedVisible(db.url, ['wallet']);

/**
 * Waits until every committed wallet event is visible, then until every projection has caught up
 * with them, asked through the test's own store (the projector's counts its reads).
 */
async function caughtUp(): Promise<void> {
  await allVisible();
  for (const projection of WALLET_PROJECTIONS) await waitUntilCaughtUp(live(projection), walletStore, projection, 120_000);
}

async function checkpoints(): Promise<Record<string, Cursor | undefined>> {
  const entries = await Promise.all(
    WALLET_PROJECTIONS.map(async (projection) => [projection.name, await readCheckpoint(dataSource(), projection.name)] as const),
  );
  return Object.fromEntries(entries);
}

/** What a replay's swap does inside its transaction, once it holds the checkpoint row: the rebuilt tables replace the live ones. */
async function swapTables(manager: EntityManager, projection: Projection, tables: TableNames): Promise<void> {
  for (const table of projection.tables) {
    await manager.query(`ALTER TABLE analytics.${table.name} RENAME TO ${table.name}__old_test`);
    await manager.query(`ALTER TABLE analytics.${tables[table.name]} RENAME TO ${table.name}`);
    await manager.query(`DROP TABLE analytics.${table.name}__old_test`);
  }
}

async function everyReadModelVerifies(): Promise<void> {
  for (const projection of WALLET_PROJECTIONS)
    expect({ projection: projection.name, ok: (await verify(dataSource(), walletStore, projection)).ok }).toEqual({
      projection: projection.name,
      ok: true,
    });
}

async function startProjector(): Promise<void> {
  projector = new Projector({ databaseUrl: db.url, pollIntervalMs: POLL_INTERVAL_MS, batchSize: 4, projections: WALLET_PROJECTIONS });
  // The projector takes a store it already has instead of opening one: this one counts its reads.
  projector.stores.set('wallet', countingReads(createEventStore(db.url, { schema: 'wallet', poolSize: 3 })));
  await projector.start();
}

/** Holds the projector's reader before its next read until the returned function is called. */
async function holdReader(): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((held) => (hold = { released, onHeld: held }));
  return () => {
    hold = undefined;
    release();
  };
}

beforeAll(async () => {
  db = await createTestDatabase('projector_reader');
  walletStore = createEventStore(db.url, { schema: 'wallet', poolSize: 3 });
  paymentStore = createEventStore(db.url, { schema: 'payments', poolSize: 2 });
  await walletStore.init();
  await paymentStore.init();
  traffic = new Traffic(walletStore, paymentStore, '2026-03-01T00:00:00.000Z');
  await startProjector();
});

afterAll(async () => {
  await projector?.stop();
  await walletStore?.close();
  await paymentStore?.close();
  await db?.drop();
});

describe('one reader per source store', () => {
  it('given four projections of the wallet store, every event is read once for all of them and applied once to each', async () => {
    expect([...projector.readers.keys()]).toEqual(['wallet']);
    expect(projector.readers.get('wallet')!.projections.map((projection) => projection.projection.name)).toEqual(
      WALLET_PROJECTIONS.map((projection) => projection.name),
    );

    await traffic.openFunded('r1', 10_000n);
    await traffic.openFunded('r2', 3_000n);
    await traffic.merchantPayment('r1', 'm-canteen', 1_200n);
    await traffic.merchantPayment('r2', 'm-bookshop', 400n, 'declined');
    await traffic.credit('r2', 500n, 'cash:branch:B001');
    await caughtUp();

    const events = await walletEvents();
    const read = reads.flatMap((page) => page.ids);
    // Pages of 4 events: several pages, each read once, none read again for another projection.
    expect(reads.filter((page) => page.ids.length > 0).length).toBeGreaterThan(2);
    expect(read.length).toBe(new Set(read).size);
    expect(read.sort()).toEqual(events.map((event) => event.id).sort());
    for (const projection of WALLET_PROJECTIONS)
      expect([projection.name, live(projection).applied]).toEqual([projection.name, events.length]);
    const last = events[events.length - 1]!.cursor;
    expect(await checkpoints()).toEqual(Object.fromEntries(WALLET_PROJECTIONS.map((projection) => [projection.name, last])));
    await everyReadModelVerifies();
  });

  it('once caught up, the store is read once per poll interval for all the projections together', async () => {
    reads.length = 0;
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const elapsedMs = Date.now() - started;
    // One read per poll interval at most (a late timer only makes it fewer); one reader per
    // projection would read four times as often.
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / POLL_INTERVAL_MS) + 1);
    expect(reads.every((page) => page.ids.length === 0)).toBe(true);
  });

  it('a replay that leaves one checkpoint behind re-feeds only that projection; the others keep theirs and apply each new event once', async () => {
    const before = await walletEvents();
    const middle = before[Math.floor(before.length / 2)]!.cursor;
    const others = WALLET_PROJECTIONS.filter((projection) => projection !== journalProjection);
    const appliedBefore = new Map(WALLET_PROJECTIONS.map((projection) => [projection.name, live(projection).applied]));

    // A replay whose checkpoint ends behind the live one (built up to the middle of the store).
    await allVisible();
    const rebuilt = await rebuild(dataSource(), walletStore, journalProjection, { stopAt: middle });
    await dataSource().transaction(async (manager) => {
      await readCheckpoint(manager, journalProjection.name, true);
      await swapTables(manager, journalProjection, rebuilt.tables);
      await writeCheckpoint(manager, journalProjection.name, middle);
    });
    // The fence only shows when the live journal next commits: it needs a new event of its own.
    await traffic.credit('r1', 250n, 'cash:branch:B002');
    await caughtUp();

    const after = await walletEvents();
    const added = after.length - before.length;
    const afterMiddle = after.length - before.findIndex((event) => event.cursor === middle) - 1;
    expect(added).toBeGreaterThan(0);
    expect(live(journalProjection).restarts).toBe(1);
    expect(live(journalProjection).applied - appliedBefore.get(journalProjection.name)!).toBe(afterMiddle);
    for (const projection of others) {
      expect([projection.name, live(projection).restarts, live(projection).applied - appliedBefore.get(projection.name)!]).toEqual([
        projection.name,
        0,
        added,
      ]);
    }
    const last = after[after.length - 1]!.cursor;
    const checkpointsAfter = await checkpoints();
    for (const projection of WALLET_PROJECTIONS)
      expect([projection.name, checkpointsAfter[projection.name]]).toEqual([projection.name, last]);
    await everyReadModelVerifies();
  });

  it('a replay that moves one checkpoint ahead of its live projection: that projection skips what the replay applied, the others are fed as before', async () => {
    const appliedBefore = new Map(WALLET_PROJECTIONS.map((projection) => [projection.name, live(projection).applied]));
    const restartsBefore = new Map(WALLET_PROJECTIONS.map((projection) => [projection.name, live(projection).restarts]));
    // The reader falls behind by one event, which the replay applies to statements and swaps in.
    const release = await holdReader();
    await traffic.credit('r2', 100n, 'cash:branch:B001');
    await allVisible();
    const swapped = await rebuild(dataSource(), walletStore, statementsProjection, { swap: true, pageSize: 3 });
    release();
    await traffic.credit('r1', 50n, 'cash:branch:B002');
    await caughtUp();

    const later = (await walletStore.readCategory('wallet', { from: swapped.cursor })).events;
    expect(later).toHaveLength(1);
    expect(live(statementsProjection).restarts - restartsBefore.get(statementsProjection.name)!).toBe(1);
    // Only the event after the replay's checkpoint reaches the live statements; the others get both.
    expect(live(statementsProjection).applied - appliedBefore.get(statementsProjection.name)!).toBe(1);
    for (const projection of WALLET_PROJECTIONS.filter((candidate) => candidate !== statementsProjection)) {
      const restarts = live(projection).restarts - restartsBefore.get(projection.name)!;
      expect([projection.name, restarts, live(projection).applied - appliedBefore.get(projection.name)!]).toEqual([projection.name, 0, 2]);
    }
    await everyReadModelVerifies();
  });

  it('a restarted projector whose checkpoints lie apart reads from the earliest one and applies each event once to each projection', async () => {
    await projector.stop();
    await traffic.credit('r2', 70n, 'cash:branch:B001');
    await allVisible();
    // While the projector is down, a replay brings the journal up to date: its checkpoint is ahead.
    const replay = await openAnalytics(db.url, 2);
    try {
      await rebuild(replay, walletStore, journalProjection, { swap: true });
    } finally {
      await replay.destroy();
    }
    reads.length = 0;
    await startProjector();
    await traffic.credit('r1', 30n, 'cash:branch:B002');
    await caughtUp();

    expect(live(journalProjection).applied).toBe(1);
    for (const projection of WALLET_PROJECTIONS.filter((candidate) => candidate !== journalProjection))
      expect([projection.name, live(projection).applied]).toEqual([projection.name, 2]);
    const read = reads.flatMap((page) => page.ids);
    expect(read).toHaveLength(2);
    expect(WALLET_PROJECTIONS.every((projection) => live(projection).restarts === 0)).toBe(true);
    await everyReadModelVerifies();
  });
});
