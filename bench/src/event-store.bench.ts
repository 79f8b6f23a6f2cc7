/**
 * `npm run bench:event-store`: the event store on PostgreSQL next to the raw database it runs on,
 * measured in one run on the same server:
 * - single-event appends/s with 1, 8 and 32 concurrent writers (p50/p99), vs. a plain single-row
 *   INSERT per transaction of the same payload;
 * - batched appends (100 events per append) events/s, vs. a 100-row INSERT per transaction;
 * - readAll and a catch-up subscription over 1,000,000 events, vs. a plain keyset `SELECT … ORDER BY`
 *   scan of a table holding the same rows.
 * Figures go to bench/results/event-store-<date>.{json,md}.
 */
import { randomUUID } from 'node:crypto';
import { createEventStore, START, type EventStore, type NewEvent } from '@ledger/event-store';
import { latencySummary, saveResults, type BenchTable } from './report';
import { benchDatabase, pool, runConcurrently, stopBenchServer } from './bench-infra';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 8_000);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 1_000_000);
const READ_PAGE = 5_000;

function sampleEvent(stream: string, index: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'wallet.FundsReserved.v1',
    data: {
      walletId: stream,
      holdId: randomUUID(),
      amountMinor: String(1000 + index),
      expiresAt: '2026-11-22T10:00:00.000Z',
      reference: `payment-${index}`,
      counterparty: 'merchant:m-000042',
    },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: 'system:payments',
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

// The baseline mirrors the store's own column types (json, not jsonb: the store chose json because
// it is cheaper to write and read), so the ratio measures the store's overhead and nothing else.
const RAW_TABLE = `CREATE TABLE raw_events (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  stream text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  data json NOT NULL,
  metadata json NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream, revision)
)`;

async function main(): Promise<void> {
  const db = await benchDatabase('event_store');
  console.log(`PostgreSQL ${db.serverVersion}; ${PHASE_MS} ms per phase; ${READ_EVENTS.toLocaleString()} events for the read phase`);
  const raw = pool(db.url, 40);
  await raw.query(RAW_TABLE);
  const store: EventStore = createEventStore(db.url, { poolSize: 40 });
  await store.init();

  const appendRows: BenchTable['rows'] = [];
  const figures: Record<string, unknown> = {};
  for (const writers of [1, 8, 32]) {
    const rawRun = await runConcurrently(writers, PHASE_MS, (worker, i) => {
      const event = sampleEvent(`raw-${writers}-${worker}`, i);
      return raw.query('INSERT INTO raw_events (id, stream, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)', [
        event.id,
        `raw-${writers}-${worker}`,
        i,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      ]);
    });
    const storeRun = await runConcurrently(writers, PHASE_MS, (worker, i) => {
      const stream = `wallet-${writers}w${worker}-${randomUUID().slice(0, 8)}`;
      // Each iteration appends to a stream of its own worker, with the exact expected revision.
      return store.append(stream, [sampleEvent(stream, i)], { expectedRevision: 'no_stream' });
    });
    const rawRate = rawRun.operations / (rawRun.elapsedMs / 1000);
    const storeRate = storeRun.operations / (storeRun.elapsedMs / 1000);
    const rawLatency = latencySummary(rawRun.latenciesMs);
    const storeLatency = latencySummary(storeRun.latenciesMs);
    figures[`append_${writers}`] = {
      rawInsertsPerSec: rawRate,
      appendsPerSec: storeRate,
      ratio: storeRate / rawRate,
      rawLatency,
      storeLatency,
    };
    appendRows.push([
      writers,
      rawRate.toFixed(0),
      storeRate.toFixed(0),
      pct(storeRate / rawRate),
      `${rawLatency.p50Ms} / ${rawLatency.p99Ms}`,
      `${storeLatency.p50Ms} / ${storeLatency.p99Ms}`,
    ]);
    console.log(`writers=${writers}: raw ${rawRate.toFixed(0)}/s, store ${storeRate.toFixed(0)}/s (${pct(storeRate / rawRate)})`);
  }

  // Batched: 100 events per append vs. a 100-row INSERT per transaction, 8 writers.
  const BATCH = 100;
  const rawBatch = await runConcurrently(8, PHASE_MS, (worker, i) => {
    const stream = `rawb-${worker}-${i}`;
    const events = Array.from({ length: BATCH }, (_, n) => sampleEvent(stream, n));
    const values: unknown[] = [];
    const tuples = events.map((e, n) => {
      values.push(e.id, stream, n, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
      const b = n * 6;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
    });
    return raw.query(`INSERT INTO raw_events (id, stream, revision, type, data, metadata) VALUES ${tuples.join(', ')}`, values);
  });
  const storeBatch = await runConcurrently(8, PHASE_MS, (worker, i) => {
    const stream = `walletb-${worker}-${i}-${randomUUID().slice(0, 8)}`;
    return store.append(
      stream,
      Array.from({ length: BATCH }, (_, n) => sampleEvent(stream, n)),
      { expectedRevision: 'no_stream' },
    );
  });
  const rawBatchRate = (rawBatch.operations * BATCH) / (rawBatch.elapsedMs / 1000);
  const storeBatchRate = (storeBatch.operations * BATCH) / (storeBatch.elapsedMs / 1000);
  figures.batched = {
    eventsPerAppend: BATCH,
    writers: 8,
    rawEventsPerSec: rawBatchRate,
    storeEventsPerSec: storeBatchRate,
    ratio: storeBatchRate / rawBatchRate,
  };
  console.log(
    `batched: raw ${rawBatchRate.toFixed(0)} events/s, store ${storeBatchRate.toFixed(0)} events/s (${pct(storeBatchRate / rawBatchRate)})`,
  );

  // Reads over READ_EVENTS events: fill a fresh store and a raw table with the same number of rows.
  const readDb = await benchDatabase('event_store_read');
  const readStore = createEventStore(readDb.url, { poolSize: 8 });
  await readStore.init();
  const readRaw = pool(readDb.url, 4);
  await readRaw.query(RAW_TABLE);
  console.log(`filling ${READ_EVENTS.toLocaleString()} events…`);
  const fillStarted = performance.now();
  let filled = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, worker) => {
      for (let batch = worker; batch * 1000 < READ_EVENTS; batch += 4) {
        const stream = `wallet-fill${batch}`;
        const count = Math.min(1000, READ_EVENTS - batch * 1000);
        const events = Array.from({ length: count }, (_, n) => sampleEvent(stream, n));
        await readStore.append(stream, events, { expectedRevision: 'no_stream' });
        filled += count;
      }
    }),
  );
  await readRaw.query(
    `INSERT INTO raw_events (id, stream, revision, type, data, metadata)
     SELECT id, stream, revision, type, data, metadata FROM (
       SELECT gen_random_uuid() AS id, 'wallet-fill' || (g / 1000) AS stream, g % 1000 AS revision, $1::text AS type, $2::json AS data, $3::json AS metadata
       FROM generate_series(0, $4::int - 1) g) s`,
    [sampleEvent('x', 1).type, JSON.stringify(sampleEvent('x', 1).data), JSON.stringify(sampleEvent('x', 1).metadata), READ_EVENTS],
  );
  await readRaw.query('VACUUM ANALYZE raw_events');
  console.log(`filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);

  const rawScanStarted = performance.now();
  let rawCount = 0;
  for (let after = 0n; ;) {
    const { rows } = await readRaw.query<{
      position: string;
      id: string;
      stream: string;
      revision: string;
      type: string;
      data: unknown;
      metadata: unknown;
      recorded_at: Date;
    }>(
      'SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2',
      [after.toString(), READ_PAGE],
    );
    if (rows.length === 0) break;
    rawCount += rows.length;
    after = BigInt(rows[rows.length - 1]!.position);
  }
  const rawScanRate = rawCount / ((performance.now() - rawScanStarted) / 1000);

  const readAllStarted = performance.now();
  let readAllCount = 0;
  for (let cursor = START; ;) {
    const page = await readStore.readAll({ from: cursor, limit: READ_PAGE });
    readAllCount += page.events.length;
    cursor = page.next;
    if (page.isEnd) break;
  }
  const readAllRate = readAllCount / ((performance.now() - readAllStarted) / 1000);

  const catchUpStarted = performance.now();
  let caughtUp = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = readStore.subscribe({
      name: `bench-${randomUUID()}`,
      batchSize: READ_PAGE,
      onError: reject,
      handle: async (events) => {
        caughtUp += events.length;
        if (caughtUp >= filled) void subscription.stop().then(resolve, reject);
      },
    });
  });
  const catchUpRate = caughtUp / ((performance.now() - catchUpStarted) / 1000);
  figures.reads = {
    events: filled,
    rawScanEventsPerSec: rawScanRate,
    readAllEventsPerSec: readAllRate,
    catchUpEventsPerSec: catchUpRate,
    readAllRatio: readAllRate / rawScanRate,
    catchUpRatio: catchUpRate / rawScanRate,
  };

  const tables: BenchTable[] = [
    {
      title: 'Single-event appends vs. raw single-row INSERT (one transaction each)',
      columns: ['writers', 'raw INSERT/s', 'appends/s', 'ratio (target ≥ 70%)', 'raw p50 / p99 ms', 'append p50 / p99 ms'],
      rows: appendRows,
    },
    {
      title: `Batched appends (${BATCH} events per append, 8 writers) vs. ${BATCH}-row INSERT`,
      columns: ['raw events/s', 'store events/s', 'ratio'],
      rows: [[rawBatchRate.toFixed(0), storeBatchRate.toFixed(0), pct(storeBatchRate / rawBatchRate)]],
    },
    {
      title: `Reading ${filled.toLocaleString()} events (pages of ${READ_PAGE}) vs. raw keyset SELECT … ORDER BY`,
      columns: ['reader', 'events/s', 'ratio to raw scan'],
      rows: [
        ['raw SELECT scan', rawScanRate.toFixed(0), '100%'],
        ['readAll', readAllRate.toFixed(0), pct(readAllRate / rawScanRate)],
        ['catch-up subscription (target ≥ 100,000/s and ≥ 50%)', catchUpRate.toFixed(0), pct(catchUpRate / rawScanRate)],
      ],
    },
  ];
  saveResults('event-store', 'npm run bench:event-store', { postgres: db.serverVersion, phaseMs: PHASE_MS, ...figures }, tables);

  await store.close();
  await readStore.close();
  await raw.end();
  await readRaw.end();
  await db.drop();
  await readDb.drop();
  await stopBenchServer();
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
