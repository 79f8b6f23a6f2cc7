/** The SQL of signed checkpoints (PostgreSQL), and the rows it reads back. */
import type { CheckpointRecord } from './signed-checkpoint';
import type { StreamHead } from './merkle';

/** Advisory-lock class of the checkpointer (its key is `hashtext(schema)`): the stream locks use another class. */
export const CHECKPOINT_LOCK_CLASS = 0x4c45_4350; // "LECP"

/** The smallest query surface the checkpoint code needs: `pg.Client`, `pg.PoolClient` and `pg.Pool` satisfy it. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface CheckpointRow {
  sequence: string;
  hash: string;
  previous_hash: string;
  key_id: string;
  body: string;
  signature: string;
}

export interface HeadRow {
  stream: string;
  revision: string;
  hash: string;
}

export interface LogEventRow {
  tx_id: string;
  position: string;
  stream: string;
  revision: string;
  hash: string;
}

// Bigint columns come back from pg as strings; they keep their names uncast, so that ORDER BY sorts by
// the column, not by a text alias ("10" < "9").
const CHECKPOINT_COLUMNS = `sequence, encode(checkpoint_hash, 'hex') AS hash, encode(previous_hash, 'hex') AS previous_hash,
  key_id, body, encode(signature, 'base64') AS signature`;

export function checkpointStatements(schema: string) {
  return {
    newest: `SELECT ${CHECKPOINT_COLUMNS} FROM ${schema}.event_checkpoints ORDER BY sequence DESC LIMIT 1`,
    after: `SELECT ${CHECKPOINT_COLUMNS} FROM ${schema}.event_checkpoints WHERE sequence > $1::bigint ORDER BY sequence LIMIT $2`,
    insert: `INSERT INTO ${schema}.event_checkpoints (sequence, checkpoint_hash, previous_hash, key_id, body, signature)
      VALUES ($1::bigint, decode($2, 'hex'), decode($3, 'hex'), $4, $5, decode($6, 'base64'))`,
    tryLock: `SELECT pg_try_advisory_xact_lock(${CHECKPOINT_LOCK_CLASS}, hashtext($1)) AS locked`,
    // Only what the checkpoint needs of each event, in the global read order, below the horizon of
    // finished transactions (as the store's readers do: nothing can appear behind this cursor later).
    logAfter: `SELECT transaction_id::text AS tx_id, position, stream, revision, encode(hash, 'hex') AS hash
      FROM ${schema}.events
      WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id, position LIMIT $3`,
    headsPage: `SELECT stream, revision, encode(hash, 'hex') AS hash
      FROM ${schema}.event_checkpoint_heads WHERE stream > $1 ORDER BY stream LIMIT $2`,
    headsOf: `SELECT h.stream, h.revision, encode(h.hash, 'hex') AS hash
      FROM ${schema}.event_checkpoint_heads h WHERE h.stream = ANY ($1::text[])`,
    upsertHeads: `INSERT INTO ${schema}.event_checkpoint_heads (stream, revision, hash, sequence)
      SELECT t.stream, t.revision, decode(t.hash, 'hex'), $4::bigint FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(stream, revision, hash)
      ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, hash = excluded.hash, sequence = excluded.sequence`,
    // For each (stream, revision): the stored hash at that revision (NULL when the event is gone) and
    // the stream's head revision (NULL when the stream is gone).
    storedAt: `SELECT t.stream, t.revision, encode(e.hash, 'hex') AS hash,
        (SELECT max(x.revision) FROM ${schema}.events x WHERE x.stream = t.stream)::text AS head
      FROM unnest($1::text[], $2::bigint[]) AS t(stream, revision)
      LEFT JOIN ${schema}.events e ON e.stream = t.stream AND e.revision = t.revision`,
    eventAt: `SELECT stream, revision FROM ${schema}.events WHERE transaction_id = $1::xid8 AND position = $2::bigint`,
  };
}

export function toRecord(row: CheckpointRow): CheckpointRecord {
  return {
    sequence: BigInt(row.sequence),
    hash: row.hash,
    previous: row.previous_hash,
    keyId: row.key_id,
    bodyText: row.body,
    signature: row.signature,
  };
}

export function toHead(row: HeadRow): StreamHead {
  return { stream: row.stream, revision: BigInt(row.revision), hash: row.hash };
}

/**
 * Pages every head of the newest checkpoint in leaf order. Bounded per page; the caller's loop is
 * bounded by the number of streams.
 */
export async function* checkpointedHeads(client: Queryable, schema: string, pageSize: number): AsyncGenerator<StreamHead[]> {
  const text = checkpointStatements(schema).headsPage;
  let after = '';
  for (;;) {
    const { rows } = await client.query<HeadRow>(text, [after, pageSize]);
    if (rows.length > 0) yield rows.map(toHead);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.stream;
  }
}
