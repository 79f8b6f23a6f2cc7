/** The PostgreSQL event store's write path: one append's round trip, a group commit, and what their rows mean. */
import type { ClientBase, Pool } from 'pg';
import { EventIdConflict, WrongExpectedRevision } from '../errors';
import type { AppendOptions, AppendResult } from '../port';
import type { Wakeup } from '../subscription';
import { statements, type AppendRow, type AppendedRow } from './postgres-statements';

/** Attempts at a group commit that PostgreSQL aborted to break a deadlock with another writer's. */
const MAX_GROUP_COMMIT_ATTEMPTS = 3;

/** One append of a group commit: an exact or 'no_stream' append, its events as the statement takes them. */
export interface QueuedAppend {
  stream: string;
  /** The expected head revision; null for 'no_stream'. */
  expectedNumber: string | null;
  batch: EventColumns;
  /** Data and metadata as JSON text, in characters: what the commit's byte bound counts. */
  bytes: number;
}

export interface EventColumns {
  ids: string[];
  types: string[];
  data: string[];
  metadata: string[];
  digests: string[];
}

/**
 * One round trip. Exact and 'no_stream' appends are a single prepared INSERT … SELECT that reads
 * the head, checks it and chains the hashes (a specialised statement for the common single-event
 * case); they need no lock, the unique index on (stream, revision) settles races. 'any' and
 * 'stream_exists' go through the plpgsql function, which serializes writers of the stream.
 * Returns undefined when the exact append found the stream somewhere else.
 */
export async function tryAppend(
  client: Pick<ClientBase, 'query'>,
  sql: ReturnType<typeof statements>,
  stream: string,
  expectedKind: string,
  expectedNumber: string | null,
  batch: EventColumns,
): Promise<AppendRow | undefined> {
  if (expectedKind === 'any' || expectedKind === 'stream_exists') {
    const values = [stream, expectedKind, expectedNumber, batch.ids, batch.types, batch.data, batch.metadata, batch.digests];
    return (await client.query<AppendRow>({ ...sql.append, values })).rows[0]!;
  }
  if (batch.ids.length === 1) {
    const values = [stream, expectedNumber, batch.ids[0], batch.types[0], batch.data[0], batch.metadata[0], batch.digests[0]];
    const inserted = (await client.query<{ revision: string; position: string }>({ ...sql.appendOne, values })).rows[0];
    if (!inserted) return undefined;
    return {
      status: 'appended',
      first_revision: inserted.revision,
      last_revision: inserted.revision,
      first_position: inserted.position,
      last_position: inserted.position,
      actual_revision: null,
    };
  }
  const values = [stream, expectedNumber, batch.ids, batch.types, batch.data, batch.metadata, batch.digests];
  const inserted = (await client.query<Omit<AppendRow, 'status' | 'actual_revision'>>({ ...sql.appendBatch, values })).rows[0]!;
  if (inserted.first_position === null) return undefined;
  return { ...inserted, status: 'appended', actual_revision: null };
}

/**
 * Writes one group commit: an append alone through the single-stream statements, several through
 * `append_streams`. Returns, per append, its row, or undefined when it was not written (the
 * caller classifies why). A deadlock with another instance's group commit aborts the whole call
 * before anything is committed, so it is simply tried again (bounded).
 */
export async function commitGroup(
  pool: Pool,
  sql: ReturnType<typeof statements>,
  appends: QueuedAppend[],
): Promise<Array<AppendRow | undefined>> {
  if (appends.length === 1) {
    const [only] = appends as [QueuedAppend];
    try {
      return [
        await tryAppend(pool, sql, only.stream, only.expectedNumber === null ? 'no_stream' : 'revision', only.expectedNumber, only.batch),
      ];
    } catch (error) {
      // Another writer committed the same revision or ids first: not written, classified by the caller.
      if (isUniqueViolation(error)) return [undefined];
      throw error;
    }
  }
  const columns: EventColumns & { streams: string[]; expected: Array<string | null>; counts: number[] } = {
    streams: [],
    expected: [],
    counts: [],
    ids: [],
    types: [],
    data: [],
    metadata: [],
    digests: [],
  };
  for (const append of appends) {
    columns.streams.push(append.stream);
    columns.expected.push(append.expectedNumber);
    columns.counts.push(append.batch.ids.length);
    columns.ids.push(...append.batch.ids);
    columns.types.push(...append.batch.types);
    columns.data.push(...append.batch.data);
    columns.metadata.push(...append.batch.metadata);
    columns.digests.push(...append.batch.digests);
  }
  const values = [
    columns.streams,
    columns.expected,
    columns.counts,
    columns.ids,
    columns.types,
    columns.data,
    columns.metadata,
    columns.digests,
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await pool.query<AppendedRow>({ ...sql.appendStreams, values });
      const written = new Map(result.rows.map((row) => [row.appended_stream, row]));
      return appends.map((append): AppendRow | undefined => {
        const row = written.get(append.stream);
        if (!row) return undefined;
        return {
          status: 'appended',
          first_revision: row.appended_first_revision,
          last_revision: row.appended_last_revision,
          first_position: row.appended_first_position,
          last_position: row.appended_last_position,
          actual_revision: null,
        };
      });
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= MAX_GROUP_COMMIT_ATTEMPTS) throw error;
    }
  }
}

export function appendOutcome(
  stream: string,
  ids: string[],
  expectedRevision: AppendOptions['expectedRevision'],
  row: AppendRow,
  inCallerTransaction: boolean,
  wakeup: Wakeup,
): AppendResult {
  switch (row.status) {
    case 'wrong_expected_revision':
      throw new WrongExpectedRevision(stream, expectedRevision, row.actual_revision === null ? 'no_stream' : BigInt(row.actual_revision));
    case 'id_conflict':
      throw new EventIdConflict(stream, ids, 'the ids are stored in another stream, at other revisions, or only some of them exist');
    case 'appended':
    case 'duplicate':
      // Inside a caller's transaction the events are not visible yet; subscribers find them by polling.
      if (row.status === 'appended' && !inCallerTransaction) wakeup.wake();
      return {
        stream,
        firstRevision: BigInt(row.first_revision!),
        lastRevision: BigInt(row.last_revision!),
        firstPosition: BigInt(row.first_position!),
        lastPosition: BigInt(row.last_position!),
        duplicate: row.status === 'duplicate',
      };
    default: {
      const unexpected: never = row.status;
      throw new Error(`append_events returned unknown status ${String(unexpected)}`);
    }
  }
}

const DEADLOCK_DETECTED = '40P01';

export function isUniqueViolation(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && (pgError.constraint === 'events_id_unique' || pgError.constraint === 'events_stream_revision_unique');
}
