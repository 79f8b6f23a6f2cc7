/**
 * `npm run bench:replay` = `node -r @swc-node/register bench/src/replay.bench.ts`: rebuilding every
 * analysts' read model from zero, next to the raw `readAll` speed of the same stores, in one run
 * on the same PostgreSQL server (durable, fsync on; `DATABASE_URL` to use another server).
 *
 * 1. generate BENCH_REPLAY_EVENTS (1,000,000) events with the traffic generator (the real deciders,
 *    appended in batches; `traffic-generator.ts`) into the four services' stores of a fresh database;
 * 2. read every store from position zero with `readAll` (pages of the replay's size): the raw speed;
 * 3. rebuild every projection from zero and swap it in, twice: one by one (each reading its
 *    source), then all at once (`rebuildAll`, what `npm run replay -- --all` does: sources side
 *    by side, each read once for its projections). The headline is store events/s: the events in
 *    the stores / the wall time to rebuild every read model, and its ratio to the raw reading
 *    speed; "applied events/s" counts an event once per projection that folded it.
 * Profile with `BENCH_REPLAY_EVENTS=200000 node --cpu-prof -r @swc-node/register bench/src/replay.bench.ts`.
 * Figures go to bench/results/replay-<date>.{json,md}.
 */
import os from 'node:os';
import { createEventStore, START, type EventStore } from '@ledger/event-store';
import {
  formatProgress,
  openAnalytics,
  PROJECTIONS,
  REPLAY_PAGE,
  rebuild,
  rebuildAll,
  type Progress,
  type Projection,
  type RebuildResult,
} from './replay-engine';
import { benchDatabase, stopBenchServer } from './bench-infra';
import { saveResults, type BenchTable } from './report';
import { TrafficGenerator } from './traffic-generator';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
const TARGET_EVENTS_PER_SEC = 30_000;
const SCHEMAS = ['identity', 'cards', 'wallet', 'payments'] as const;
type Schema = (typeof SCHEMAS)[number];

const rate = (events: number, ms: number) => (events * 1000) / Math.max(ms, 1);
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Reads a whole store; returns how many events and the last position (the head, for the ETA). */
async function readEverything(store: EventStore): Promise<{ events: number; head: bigint }> {
  let events = 0;
  let head = 0n;
  for (let from = START; ;) {
    const page = await store.readAll({ from, limit: REPLAY_PAGE });
    events += page.events.length;
    head = page.events[page.events.length - 1]?.position ?? head;
    from = page.next;
    if (page.isEnd) return { events, head };
  }
}

interface Phase {
  label: string;
  results: RebuildResult[];
  elapsedMs: number;
  applied: number;
}

async function sourceDatabase(): Promise<{
  url: string;
  serverVersion: string;
  generated: { events: number; eventsPerSec: number } & Record<string, unknown>;
  drop(): Promise<void>;
}> {
  const db = await benchDatabase('replay');
  const stores = Object.fromEntries(SCHEMAS.map((schema) => [schema, createEventStore(db.url, { schema, poolSize: 16 })])) as Record<
    Schema,
    EventStore
  >;
  for (const store of Object.values(stores)) await store.init();
  console.log(`generating ${EVENTS.toLocaleString('en-US')} events through the deciders (load ${load()})`);
  const started = performance.now();
  const totals = await new TrafficGenerator({
    events: EVENTS,
    onGroup: (so) =>
      process.stderr.write(
        `\r  ${so.events.toLocaleString('en-US')} events, ${Math.round(rate(so.events, performance.now() - started)).toLocaleString('en-US')} events/s   `,
      ),
  }).run(stores);
  const elapsedMs = performance.now() - started;
  process.stderr.write('\n');
  for (const store of Object.values(stores)) await store.close();
  console.log(
    `generated ${totals.events.toLocaleString('en-US')} events in ${(elapsedMs / 1000).toFixed(1)} s: ${totals.users} users, ${totals.walletsOpened} wallets, ${totals.payments.completed} payments completed, ${totals.payments.failed} failed`,
  );
  const generated = {
    events: totals.events,
    eventsBySchema: totals.eventsBySchema,
    users: totals.users,
    wallets: totals.walletsOpened,
    payments: totals.payments,
    elapsedMs,
    eventsPerSec: rate(totals.events, elapsedMs),
  };
  return { ...db, generated };
}

async function main(): Promise<void> {
  const loadBefore = load();
  const db = await sourceDatabase();
  const stores = Object.fromEntries(SCHEMAS.map((schema) => [schema, createEventStore(db.url, { schema, poolSize: 2 })])) as Record<
    Schema,
    EventStore
  >;
  for (const store of Object.values(stores)) await store.init();

  // Raw reading: every store from position zero, pages of the replay's size.
  const rawStarted = performance.now();
  const rawBySchema: Record<string, number> = {};
  const heads = new Map<string, bigint>();
  for (const schema of SCHEMAS) {
    const read = await readEverything(stores[schema]);
    rawBySchema[schema] = read.events;
    heads.set(schema, read.head);
  }
  const rawMs = performance.now() - rawStarted;
  const rawEvents = Object.values(rawBySchema).reduce((a, b) => a + b, 0);
  const rawRate = rate(rawEvents, rawMs);
  console.log(
    `readAll: ${rawEvents.toLocaleString('en-US')} events in ${(rawMs / 1000).toFixed(1)} s = ${Math.round(rawRate).toLocaleString('en-US')} events/s`,
  );

  const analytics = await openAnalytics(db.url, 6);
  const storeFor = (source: Schema) => stores[source];

  // One projection after the other, each reading its source on its own (`npm run replay -- <name>`).
  const oneByOne: Phase = await measure('one by one', async (onProgress) => {
    const results = [];
    for (const projection of PROJECTIONS)
      results.push(
        await rebuild(analytics, storeFor(projection.source), projection, {
          swap: true,
          onProgress: (progress) => onProgress([projection], progress),
        }),
      );
    return results;
  });
  // Every read model at once (`npm run replay -- --all`): sources side by side, one pass per source.
  const together: Phase = await measure('all at once', (onProgress) =>
    rebuildAll(analytics, storeFor, PROJECTIONS, { swap: true, onGroupProgress: onProgress }),
  );

  const loadAfter = load();
  const summary = (phase: Phase) => [
    phase.label,
    phase.applied,
    (phase.elapsedMs / 1000).toFixed(1),
    rate(rawEvents, phase.elapsedMs).toFixed(0),
    `${((rate(rawEvents, phase.elapsedMs) / rawRate) * 100).toFixed(0)}%`,
    rate(phase.applied, phase.elapsedMs).toFixed(0),
  ];
  const tables: BenchTable[] = [
    {
      title: `Rebuilding every read model from zero: ${rawEvents.toLocaleString('en-US')} events in the stores (target ≥ ${TARGET_EVENTS_PER_SEC.toLocaleString('en-US')} events/s)`,
      columns: ['what', 'events applied (Σ projections)', 'seconds', 'store events/s', 'ratio to raw readAll', 'applied events/s'],
      rows: [
        ['raw readAll of every store (pages of 5000)', rawEvents, (rawMs / 1000).toFixed(1), rawRate.toFixed(0), '100%', '-'],
        summary(oneByOne),
        summary(together),
      ],
    },
    {
      title: 'Per projection, all at once (a source read once for its projections, then each swapped in)',
      columns: ['projection', 'source', 'events', 'seconds (its source pass)'],
      rows: together.results.map((r, i) => [r.projection, PROJECTIONS[i]!.source, r.events, (r.elapsedMs / 1000).toFixed(1)]),
    },
    {
      title: 'Conditions',
      columns: ['load average before', 'load average after', 'events generated', 'generation events/s (deciders + batched appends)'],
      rows: [[loadBefore, loadAfter, db.generated.events, db.generated.eventsPerSec.toFixed(0)]],
    },
  ];
  const figures = (phase: Phase) => ({
    applied: phase.applied,
    elapsedMs: phase.elapsedMs,
    storeEventsPerSec: rate(rawEvents, phase.elapsedMs),
    ratioToRaw: rate(rawEvents, phase.elapsedMs) / rawRate,
    appliedEventsPerSec: rate(phase.applied, phase.elapsedMs),
    perProjection: phase.results.map((r) => ({ projection: r.projection, events: r.events, elapsedMs: r.elapsedMs })),
  });
  saveResults(
    'replay',
    'npm run bench:replay',
    {
      postgres: db.serverVersion,
      loadBefore,
      loadAfter,
      targetEventsPerSec: TARGET_EVENTS_PER_SEC,
      generated: db.generated,
      raw: { events: rawEvents, bySchema: rawBySchema, elapsedMs: rawMs, eventsPerSec: rawRate },
      oneByOne: figures(oneByOne),
      allAtOnce: figures(together),
    },
    tables,
  );
  console.log(
    `\nall read models rebuilt at ${Math.round(rate(rawEvents, together.elapsedMs)).toLocaleString('en-US')} store events/s (target ≥ ${TARGET_EVENTS_PER_SEC.toLocaleString('en-US')}), ${((rate(rawEvents, together.elapsedMs) / rawRate) * 100).toFixed(0)}% of raw readAll`,
  );

  async function measure(
    label: string,
    run: (onProgress: (group: readonly Projection[], progress: Progress) => void) => Promise<RebuildResult[]>,
  ): Promise<Phase> {
    const lines = new Map<string, string>();
    let last = 0;
    const started = performance.now();
    const results = await run((group, progress) => {
      lines.set(
        group[0]!.source,
        formatProgress(group.map((p) => p.name).join('+'), { ...progress, headPosition: heads.get(group[0]!.source) }),
      );
      if (performance.now() - last < 500) return;
      last = performance.now();
      process.stderr.write(`\r  ${[...lines.values()].join(' | ')}   `);
    });
    const elapsedMs = performance.now() - started;
    process.stderr.write('\n');
    const applied = results.reduce((sum, r) => sum + r.events, 0);
    console.log(
      `${label}: ${applied.toLocaleString('en-US')} events applied in ${(elapsedMs / 1000).toFixed(1)} s = ${Math.round(rate(rawEvents, elapsedMs)).toLocaleString('en-US')} store events/s (${Math.round(rate(applied, elapsedMs)).toLocaleString('en-US')} applied events/s)`,
    );
    return {
      label: `${label}: ${label === 'one by one' ? 'each projection reads its source' : 'sources side by side, each read once'}`,
      results,
      elapsedMs,
      applied,
    };
  }

  await analytics.destroy();
  for (const store of Object.values(stores)) await store.close();
  await db.drop();
  await stopBenchServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
