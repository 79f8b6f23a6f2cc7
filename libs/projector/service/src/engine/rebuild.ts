/**
 * Replay: rebuild a read model from position zero into new versioned tables, then (optionally) swap
 * them in atomically; checksums; verification of a rebuild against the live read model.
 *
 * Swap, in one transaction: lock the projection's checkpoint row (the live subscription waits on
 * it, see `live.ts`), apply the events that arrived since the rebuild's last page, rename each live
 * table away and the rebuilt one into its place, drop the old one, move the checkpoint to the
 * rebuild's cursor. A query running during the swap waits for the commit (ACCESS EXCLUSIVE lock of
 * the rename) and then reads the new table: PostgreSQL re-resolves a table name after waiting on a
 * lock, so queries keep working and never see a half-built table.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { START, type Cursor, type EventStore, type ReadPage, type RecordedEvent } from '@ledger/event-store';
import { liveTableNames, type Projection, type TableNames } from '../projections';
import type { Progress } from './progress';
import { ensureCheckpoint, readCheckpoint, sqlOn, writeCheckpoint } from './sql';

export const REPLAY_PAGE = 5000;
/** Pages applied inside the swap transaction at most (events that arrived during the rebuild). */
const MAX_SWAP_CATCH_UP_PAGES = 1000;

export type { Progress } from './progress';

export interface RebuildOptions {
  /** Only events whose `occurredAt` is at or before this instant (an "as of" build; never swapped). */
  until?: Date;
  /** Stop right after the event with this cursor (to compare with a live checkpoint). */
  stopAt?: Cursor;
  /** Swap the rebuilt tables in place of the live ones. */
  swap?: boolean;
  pageSize?: number;
  /** The source's last position when the replay starts, for the ETA of the progress line. */
  headPosition?: bigint;
  onProgress?(progress: Progress): void;
}

export interface RebuildResult {
  projection: string;
  /** Physical tables holding the rebuilt rows (the live names after a swap). */
  tables: TableNames;
  cursor: Cursor;
  events: number;
  elapsedMs: number;
  swapped: boolean;
}

function read(store: EventStore, projection: Projection, from: Cursor, limit: number): Promise<ReadPage> {
  return projection.category ? store.readCategory(projection.category, { from, limit }) : store.readAll({ from, limit });
}

function versionSuffix(kind: 'r' | 'asof'): string {
  return `__${kind}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/** Creates empty copies (columns, keys, indexes) of the projection's live tables. */
export async function createVersionedTables(dataSource: DataSource, projection: Projection, kind: 'r' | 'asof' = 'r'): Promise<TableNames> {
  const suffix = versionSuffix(kind);
  const tables = Object.fromEntries(projection.tables.map((table) => [table.name, `${table.name}${suffix}`]));
  await dataSource.transaction(async (manager) => {
    for (const table of projection.tables)
      await manager.query(`CREATE TABLE analytics.${tables[table.name]} (LIKE analytics.${table.name} INCLUDING ALL)`);
  });
  return tables;
}

export async function dropTables(dataSource: DataSource, tables: TableNames): Promise<void> {
  for (const physical of Object.values(tables)) await dataSource.query(`DROP TABLE IF EXISTS analytics.${physical}`);
}

export async function rebuild(
  dataSource: DataSource,
  store: EventStore,
  projection: Projection,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const [result] = await rebuildGroup(dataSource, store, [projection], options);
  return result!;
}

/**
 * Rebuilds every given projection from zero, the sources side by side (`parallel`, default) and the
 * projections of one source and category in a single pass: each page is read once and applied to
 * all of them in one transaction, then each is swapped in on its own (`npm run replay -- --all`).
 */
export async function rebuildAll(
  dataSource: DataSource,
  storeFor: (source: Projection['source']) => EventStore,
  projections: readonly Projection[],
  options: RebuildOptions & { parallel?: boolean; onGroupProgress?(projections: readonly Projection[], progress: Progress): void } = {},
): Promise<RebuildResult[]> {
  const groups = new Map<string, Projection[]>();
  for (const projection of projections) {
    const key = `${projection.source}/${projection.category ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), projection]);
  }
  const run = (group: Projection[]) =>
    rebuildGroup(dataSource, storeFor(group[0]!.source), group, {
      ...options,
      onProgress: options.onGroupProgress && ((progress) => options.onGroupProgress!(group, progress)),
    });
  const results =
    options.parallel === false ? await sequentially([...groups.values()], run) : await Promise.all([...groups.values()].map(run));
  const byName = new Map(results.flat().map((result) => [result.projection, result]));
  return projections.map((projection) => byName.get(projection.name)!);
}

async function sequentially<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await run(item));
  return results;
}

/** Reads a page, marked as handled so that a prefetch abandoned after a failure cannot crash the process. */
function prefetch(store: EventStore, projection: Projection, from: Cursor, limit: number): Promise<ReadPage> {
  const page = read(store, projection, from, limit);
  page.catch(() => undefined);
  return page;
}

/** One pass over a source for projections sharing its source and category (see `rebuildAll`). */
async function rebuildGroup(
  dataSource: DataSource,
  store: EventStore,
  projections: readonly Projection[],
  options: RebuildOptions,
): Promise<RebuildResult[]> {
  if (options.swap && (options.until || options.stopAt))
    throw new Error('only a full rebuild can be swapped in; --until builds a separate table');
  const first = projections[0]!;
  const started = performance.now();
  const targets: Array<{ projection: Projection; tables: TableNames }> = [];
  const pageSize = options.pageSize ?? REPLAY_PAGE;
  const untilMs = options.until?.getTime();
  let cursor: Cursor = START;
  let events = 0;
  let position = 0n;
  const progress = () => {
    const elapsedMs = performance.now() - started;
    options.onProgress?.({
      events,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (events * 1000) / elapsedMs : 0,
      position,
      headPosition: options.headPosition,
    });
  };
  const applyTo = (chosen: typeof targets) => async (manager: EntityManager, page: RecordedEvent[]) => {
    position = page[page.length - 1]?.position ?? position;
    const kept = untilMs === undefined ? page : page.filter((event) => Date.parse(event.metadata.occurredAt) <= untilMs);
    if (kept.length > 0) for (const target of chosen) await target.projection.applyBatch(sqlOn(manager), kept, target.tables);
    events += page.length;
  };
  try {
    for (const projection of projections)
      targets.push({ projection, tables: await createVersionedTables(dataSource, projection, options.until ? 'asof' : 'r') });
    const apply = applyTo(targets);
    let reachedStop = options.stopAt === undefined || options.stopAt === START;
    // The next page is read while this one is applied (the store and the analytics tables are
    // different connections), so reading and writing overlap instead of taking turns.
    let next = reachedStop && options.stopAt !== undefined ? undefined : prefetch(store, first, cursor, pageSize);
    // Bounded by the store's size at the time of reading: every page moves the cursor forward.
    while (next) {
      const page = await next;
      let batch = page.events;
      if (options.stopAt !== undefined) {
        const stop = batch.findIndex((event) => event.cursor === options.stopAt);
        if (stop >= 0) {
          batch = batch.slice(0, stop + 1);
          reachedStop = true;
        } else if (page.isEnd) {
          throw new Error(`${first.name}: cursor ${options.stopAt} not found in the source`);
        }
      }
      const more = options.stopAt === undefined ? !page.isEnd : !reachedStop;
      next = more ? prefetch(store, first, page.next, pageSize) : undefined;
      if (batch.length > 0) {
        await dataSource.transaction((manager) => apply(manager, batch));
        cursor = batch[batch.length - 1]!.cursor;
        progress();
      }
    }
    const results: RebuildResult[] = [];
    for (const target of targets) {
      const end = options.swap
        ? await swapIn(dataSource, store, target.projection, target.tables, cursor, pageSize, applyTo([target]))
        : cursor;
      if (options.swap) progress();
      const tables = options.swap ? liveTableNames(target.projection) : target.tables;
      results.push({
        projection: target.projection.name,
        tables,
        cursor: end,
        events,
        elapsedMs: performance.now() - started,
        swapped: options.swap === true,
      });
    }
    return results;
  } catch (error) {
    for (const target of targets) await dropTables(dataSource, target.tables).catch(() => undefined);
    throw error;
  }
}

async function swapIn(
  dataSource: DataSource,
  store: EventStore,
  projection: Projection,
  tables: TableNames,
  from: Cursor,
  pageSize: number,
  apply: (manager: EntityManager, page: RecordedEvent[]) => Promise<void>,
): Promise<Cursor> {
  await ensureCheckpoint(dataSource, projection.name);
  return dataSource.transaction(async (manager) => {
    // The fence: the live subscription cannot commit a batch while we hold this row.
    await readCheckpoint(manager, projection.name, true);
    let cursor = from;
    for (let pages = 0; ; pages++) {
      if (pages >= MAX_SWAP_CATCH_UP_PAGES) throw new Error(`${projection.name}: the source grows faster than the swap can catch up`);
      const page = await read(store, projection, cursor, pageSize);
      if (page.events.length > 0) {
        await apply(manager, page.events);
        cursor = page.next;
      }
      if (page.isEnd) break;
    }
    const retired = versionSuffix('r').replace('__r', '__old');
    for (const table of projection.tables) {
      await manager.query(`ALTER TABLE analytics.${table.name} RENAME TO ${table.name}${retired}`);
      await manager.query(`ALTER TABLE analytics.${tables[table.name]} RENAME TO ${table.name}`);
      await manager.query(`DROP TABLE analytics.${table.name}${retired}`);
    }
    await writeCheckpoint(manager, projection.name, cursor);
    return cursor;
  });
}

export interface Checksum {
  /** md5 over the per-table checksums, in the projection's table order. */
  checksum: string;
  tables: Array<{ table: string; rows: number; md5: string }>;
}

/**
 * md5 of each table's rows in canonical order (its `order`), each row in PostgreSQL's text form
 * with instants in UTC; then md5 over `name:rows:md5` lines. Equal read models give equal sums.
 */
export async function checksumOn(
  manager: EntityManager,
  projection: Projection,
  tables: TableNames = liveTableNames(projection),
): Promise<Checksum> {
  await manager.query(`SET LOCAL TIME ZONE 'UTC'`);
  const results: Checksum['tables'] = [];
  for (const table of projection.tables) {
    const rows = (await manager.query(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY ${table.order}), '')) AS md5 FROM analytics.${tables[table.name]} t`,
    )) as Array<{ rows: number; md5: string }>;
    results.push({ table: table.name, rows: rows[0]!.rows, md5: rows[0]!.md5 });
  }
  const checksum = createHash('md5')
    .update(results.map((entry) => `${entry.table}:${entry.rows}:${entry.md5}`).join('\n'))
    .digest('hex');
  return { checksum, tables: results };
}

export function checksum(dataSource: DataSource, projection: Projection, tables?: TableNames): Promise<Checksum> {
  return dataSource.transaction('REPEATABLE READ', (manager) => checksumOn(manager, projection, tables));
}

export interface VerifyResult {
  projection: string;
  ok: boolean;
  cursor: Cursor;
  live: Checksum;
  rebuilt: Checksum;
  events: number;
}

/**
 * Rebuilds the projection up to exactly the live checkpoint and compares checksums. The live side
 * is read in one REPEATABLE READ snapshot (checkpoint and tables commit together, so they agree);
 * nothing is locked and the live projector keeps running. The rebuilt tables are dropped after.
 */
export async function verify(
  dataSource: DataSource,
  store: EventStore,
  projection: Projection,
  options: Pick<RebuildOptions, 'onProgress' | 'pageSize' | 'headPosition'> = {},
): Promise<VerifyResult> {
  const snapshot = await dataSource.transaction('REPEATABLE READ', async (manager) => ({
    cursor: (await readCheckpoint(manager, projection.name)) ?? START,
    live: await checksumOn(manager, projection),
  }));
  const result = await rebuild(dataSource, store, projection, { ...options, stopAt: snapshot.cursor });
  try {
    const rebuilt = await checksum(dataSource, projection, result.tables);
    return {
      projection: projection.name,
      ok: rebuilt.checksum === snapshot.live.checksum,
      cursor: snapshot.cursor,
      live: snapshot.live,
      rebuilt,
      events: result.events,
    };
  } finally {
    await dropTables(dataSource, result.tables);
  }
}
