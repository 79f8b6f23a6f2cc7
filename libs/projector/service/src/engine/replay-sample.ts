/**
 * The replay check of the live invariants, on a bounded sample: a read model must hold, for each
 * sampled stream, exactly the rows a replay of that stream's events builds.
 *
 * Why a sample: `verify` (rebuild.ts) replays a whole source from position zero, which costs seconds
 * of CPU per million events; the projector runs beside the payment path, so it cannot do that every
 * minute. Here each evaluation replays a few streams (a sweep over the read model's keys, so every
 * stream is reached in turn, plus the streams flagged before, so an alert clears only once they
 * match again). Only read models whose rows belong to one stream each can be sampled this way:
 * `wallet_balances`, the statement's three tables, `wallet_holds` (by wallet) and `payments` (by
 * payment). The aggregates (`trial_balance`, `payment_outcomes_daily`, `merchant_daily_volume`) and
 * the other read models are covered by the full `npm run replay -- --verify` only.
 *
 * How, per projection: one statement reads its checkpoint and an md5 per sampled key of each of its
 * tables (one snapshot, as the checkpoint commits with the tables); the sampled streams' events up to
 * that checkpoint are applied, in the store's order, to empty copies of the tables created inside a
 * transaction that is rolled back (the scratch tables never become visible and leave nothing behind,
 * even if the process dies), and their md5s per key are compared with the live ones.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Cursor, EventStore, RecordedEvent } from '@ledger/event-store';
import {
  holdsProjection,
  paymentOutcomesProjection,
  statementsProjection,
  walletBalancesProjection,
  type Projection,
  type TableNames,
} from '../projections';
import type { CursorOrder } from './cursor-order';
import { sqlOn } from './sql';

/** A table whose rows belong to one stream each, and the column holding that stream's id. */
export interface SampledTable {
  table: string;
  key: string;
}

/** Projections of one stream category sampled together: each sampled stream is read once for all of them. */
export interface SampleGroup {
  /** Streams are `<category>-<id>`. */
  category: string;
  source: Projection['source'];
  /** Where the sample's ids are swept from. */
  driver: SampledTable;
  projections: ReadonlyArray<{ projection: Projection; tables: readonly SampledTable[] }>;
}

export const REPLAY_SAMPLE_GROUPS: readonly SampleGroup[] = [
  {
    category: 'wallet',
    source: 'wallet',
    driver: { table: 'wallet_balances', key: 'wallet_id' },
    projections: [
      { projection: walletBalancesProjection, tables: [{ table: 'wallet_balances', key: 'wallet_id' }] },
      {
        projection: statementsProjection,
        tables: [
          { table: 'statement_lines', key: 'wallet_id' },
          { table: 'statement_holds', key: 'wallet_id' },
          { table: 'statement_wallets', key: 'wallet_id' },
        ],
      },
      { projection: holdsProjection, tables: [{ table: 'wallet_holds', key: 'wallet_id' }] },
    ],
  },
  {
    category: 'payment',
    source: 'payments',
    driver: { table: 'payments', key: 'payment_id' },
    projections: [{ projection: paymentOutcomesProjection, tables: [{ table: 'payments', key: 'payment_id' }] }],
  },
];

/** The projections the replay check can sample. */
export const SAMPLED_PROJECTIONS: readonly string[] = REPLAY_SAMPLE_GROUPS.flatMap((group) =>
  group.projections.map((entry) => entry.projection.name),
);

/** Streams swept per group and evaluation unless told otherwise. */
export const DEFAULT_REPLAY_SAMPLE_SIZE = 16;
/** A longer stream is left out of the sample (reported as skipped): one stream must not make an evaluation heavy. */
export const DEFAULT_MAX_EVENTS_PER_STREAM = 5_000;
/** Events applied to the scratch tables per statement batch. */
const APPLY_PAGE = 1_000;

export interface ReplaySampleSources {
  store(source: Projection['source']): EventStore | Promise<EventStore>;
  /** The store's cursor order; undefined when the projector does not compare its cursors (then nothing is checked). */
  order(source: Projection['source']): CursorOrder | undefined;
}

export interface ReplaySampleOptions {
  /** The projections to check (the live ones); default every sampled projection. */
  projections?: readonly string[];
  /** Per category, the id the sweep continues after. */
  after?: Readonly<Record<string, string | undefined>>;
  sampleSize?: number;
  /** Per projection, streams to check again whatever the sweep picks (the ones flagged before). */
  also?: Readonly<Record<string, readonly string[] | undefined>>;
  maxEventsPerStream?: number;
}

export interface ReplaySampleResult {
  projection: string;
  /** False when nothing was checked: the read model was never built, or its store's cursors cannot be compared. */
  checked: boolean;
  /** Streams compared. */
  streams: number;
  /** Streams whose rows differ from their replay, with the tables that differ, in stream order. */
  differing: Array<{ stream: string; tables: string[] }>;
  /** Streams left out: longer than `maxEventsPerStream`. */
  skipped: string[];
}

export interface ReplaySampleReport {
  results: ReplaySampleResult[];
  /** Per category, the last id of a sweep that did not reach the end. */
  sweptTo: Record<string, string>;
}

type KeyDigests = Map<string, Map<string, string>>;

function orderOf(projection: Projection, table: string): string {
  const found = projection.tables.find((candidate) => candidate.name === table);
  if (!found) throw new Error(`${projection.name} has no table ${table}`);
  return found.order;
}

/** md5 per key of each sampled table (rows in canonical order, instants in UTC): table → key → md5. */
function digestsStatement(projection: Projection, tables: readonly SampledTable[], physical: TableNames, keysParameter: string): string {
  return tables
    .map(
      ({ table, key }) =>
        `SELECT '${table}'::text AS tbl, t.${key}::text AS key, md5(string_agg(t::text, E'\\n' ORDER BY ${orderOf(projection, table)})) AS md5
           FROM analytics.${physical[table]} t WHERE t.${key} = ANY(${keysParameter}::text[]) GROUP BY t.${key}`,
    )
    .join('\nUNION ALL\n');
}

function toDigests(rows: Array<{ tbl: string; key: string; md5: string }>): KeyDigests {
  const digests: KeyDigests = new Map();
  for (const row of rows) {
    let table = digests.get(row.tbl);
    if (!table) digests.set(row.tbl, (table = new Map()));
    table.set(row.key, row.md5);
  }
  return digests;
}

/** The checkpoint and the live md5s, read by one statement so that they belong to one snapshot. */
async function liveSide(
  dataSource: DataSource,
  projection: Projection,
  tables: readonly SampledTable[],
  ids: readonly string[],
): Promise<{ checkpoint: Cursor | undefined; digests: KeyDigests }> {
  const live = Object.fromEntries(projection.tables.map((table) => [table.name, table.name]));
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL TIME ZONE 'UTC'`);
    const rows = (await manager.query(
      `SELECT '#checkpoint'::text AS tbl, NULL::text AS key, cursor AS md5 FROM analytics.projector_checkpoints WHERE name = $1
       UNION ALL
       ${digestsStatement(projection, tables, live, '$2')}`,
      [projection.name, ids],
    )) as Array<{ tbl: string; key: string; md5: string }>;
    const checkpoint = rows.find((row) => row.tbl === '#checkpoint')?.md5;
    return { checkpoint, digests: toDigests(rows.filter((row) => row.tbl !== '#checkpoint')) };
  });
}

/** Applies the events to empty copies of the projection's tables in a transaction that is always rolled back; returns their md5s. */
async function replayedSide(
  dataSource: DataSource,
  projection: Projection,
  tables: readonly SampledTable[],
  ids: readonly string[],
  events: readonly RecordedEvent[],
): Promise<KeyDigests> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const manager: EntityManager = runner.manager;
    await manager.query(`SET LOCAL TIME ZONE 'UTC'`);
    const suffix = `__s${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    const scratch: TableNames = Object.fromEntries(projection.tables.map((table) => [table.name, `${table.name}${suffix}`]));
    for (const table of projection.tables)
      await manager.query(`CREATE TABLE analytics.${scratch[table.name]} (LIKE analytics.${table.name} INCLUDING ALL)`);
    for (let at = 0; at < events.length; at += APPLY_PAGE)
      await projection.applyBatch(sqlOn(manager), events.slice(at, at + APPLY_PAGE), scratch);
    const rows = (await manager.query(digestsStatement(projection, tables, scratch, '$1'), [ids])) as Array<{
      tbl: string;
      key: string;
      md5: string;
    }>;
    return toDigests(rows);
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
  }
}

async function sweepIds(dataSource: DataSource, driver: SampledTable, after: string, limit: number): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT ${driver.key}::text AS id FROM analytics.${driver.table} WHERE ${driver.key} > $1 ORDER BY ${driver.key} LIMIT $2`,
    [after, limit],
  )) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

export async function checkReplaySample(
  dataSource: DataSource,
  sources: ReplaySampleSources,
  options: ReplaySampleOptions = {},
): Promise<ReplaySampleReport> {
  const wanted = new Set(options.projections ?? SAMPLED_PROJECTIONS);
  const sampleSize = options.sampleSize ?? DEFAULT_REPLAY_SAMPLE_SIZE;
  const maxEvents = options.maxEventsPerStream ?? DEFAULT_MAX_EVENTS_PER_STREAM;
  const report: ReplaySampleReport = { results: [], sweptTo: {} };
  for (const group of REPLAY_SAMPLE_GROUPS) {
    const entries = group.projections.filter((entry) => wanted.has(entry.projection.name));
    if (entries.length === 0) continue;
    const unchecked = () =>
      entries.map(({ projection }) => ({ projection: projection.name, checked: false, streams: 0, differing: [], skipped: [] }));
    const order = sources.order(group.source);
    if (!order) {
      report.results.push(...unchecked());
      continue;
    }
    const prefix = `${group.category}-`;
    const swept = await sweepIds(dataSource, group.driver, options.after?.[group.category] ?? '', sampleSize);
    if (swept.length === sampleSize) report.sweptTo[group.category] = swept[swept.length - 1]!;
    const flagged = entries.flatMap(({ projection }) => options.also?.[projection.name] ?? []);
    const ids = [
      ...new Set([...swept, ...flagged.filter((stream) => stream.startsWith(prefix)).map((stream) => stream.slice(prefix.length))]),
    ];
    const store = await sources.store(group.source);
    const streams = new Map<string, RecordedEvent[]>();
    const skipped: string[] = [];
    for (const id of ids) {
      const events = await store.readStream(`${prefix}${id}`, { limit: maxEvents + 1 });
      if (events.length > maxEvents) skipped.push(`${prefix}${id}`);
      else streams.set(id, events);
    }
    const compared = [...streams.keys()];
    for (const { projection, tables } of entries) {
      const live = await liveSide(dataSource, projection, tables, compared);
      if (live.checkpoint === undefined) {
        report.results.push({ projection: projection.name, checked: false, streams: 0, differing: [], skipped: [] });
        continue;
      }
      const checkpoint = live.checkpoint;
      // What the live read model holds: every event of these streams up to its checkpoint, applied in the store's order.
      const events = [...streams.values()]
        .flat()
        .filter((event) => order(event.cursor, checkpoint) <= 0)
        .sort((a, b) => order(a.cursor, b.cursor));
      const replayed = await replayedSide(dataSource, projection, tables, compared, events);
      const differing: ReplaySampleResult['differing'] = [];
      for (const id of [...compared].sort()) {
        const differs = tables
          .map(({ table }) => table)
          .filter((table) => live.digests.get(table)?.get(id) !== replayed.get(table)?.get(id));
        if (differs.length > 0) differing.push({ stream: `${prefix}${id}`, tables: differs });
      }
      report.results.push({ projection: projection.name, checked: true, streams: compared.length, differing, skipped });
    }
  }
  return report;
}

export function formatReplaySample(report: ReplaySampleReport): string {
  return report.results
    .map((result) => {
      if (!result.checked) return `skip ${result.projection} equals its replay (not built, or its store's cursors cannot be compared)`;
      const skipped = result.skipped.length > 0 ? `; ${result.skipped.length} longer streams left out` : '';
      const lines = result.differing.map((d) => `\n       ${d.stream}: ${d.tables.join(', ')}`);
      return `${result.differing.length === 0 ? 'ok  ' : 'FAIL'} ${result.projection} equals its replay for ${result.streams} sampled stream${result.streams === 1 ? '' : 's'}${skipped}${lines.join('')}`;
    })
    .join('\n');
}
