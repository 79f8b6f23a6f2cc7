/** The SQL the PostgreSQL event store runs, and the rows it reads back. */
import type { StoredLink } from '../hash-chain';
import type { EventMetadata } from '../port';

export interface EventRow {
  tx_id: string;
  position: string;
  id: string;
  stream: string;
  revision: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  hash: string;
  recorded_ms: number;
}

/** A stored event as its hash chain sees it. */
export function storedLinkOf(row: EventRow): StoredLink {
  return {
    id: row.id,
    stream: row.stream,
    revision: BigInt(row.revision),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    hash: row.hash,
  };
}

export interface AppendedRow {
  appended_stream: string;
  appended_first_revision: string;
  appended_last_revision: string;
  appended_first_position: string;
  appended_last_position: string;
}

export interface AppendRow {
  status: 'appended' | 'duplicate' | 'wrong_expected_revision' | 'id_conflict';
  first_revision: string | null;
  last_revision: string | null;
  first_position: string | null;
  last_position: string | null;
  actual_revision: string | null;
}

// The transaction id goes out as text under another name: an output column named `transaction_id`
// would make `ORDER BY transaction_id` sort by that text ("10" < "9") instead of by the xid8 column.
// recorded_at travels as epoch milliseconds: parsing timestamptz text into a Date costs the reader
// about a fifth of its throughput.
const EVENT_COLUMNS = `transaction_id::text AS tx_id, position, id, stream, revision, type, data, metadata, encode(hash, 'hex') AS hash,
  (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms`;

/**
 * The store's statements, named per schema so that pg prepares each once per connection (parse and
 * plan are skipped on every later call).
 */
export function statements(schema: string) {
  const visible = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;
  const genesis = `'\\x${'00'.repeat(32)}'::bytea`;
  // $2 is the expected revision, NULL for 'no_stream': the head must be exactly that.
  const head = `SELECT revision, hash FROM ${schema}.events WHERE stream = $1 ORDER BY revision DESC LIMIT 1`;
  return {
    appendOne: {
      name: `${schema}.append_one`,
      text: `WITH head AS MATERIALIZED (${head})
        INSERT INTO ${schema}.events (id, stream, revision, type, data, metadata, hash)
        SELECT $3::uuid, $1, coalesce(h.revision + 1, 0), $4, $5::json, $6::json,
               sha256(coalesce(h.hash, ${genesis}) || int8send(coalesce(h.revision + 1, 0)) || decode($7, 'hex'))
          FROM (SELECT 1) AS one LEFT JOIN head h ON true
         WHERE h.revision IS NOT DISTINCT FROM $2::bigint
        RETURNING revision, position`,
    },
    // The chain of a batch is computed by a recursive CTE: link n hashes link n-1.
    appendBatch: {
      name: `${schema}.append_batch`,
      text: `WITH RECURSIVE head AS MATERIALIZED (${head}),
        start AS MATERIALIZED (
          SELECT coalesce((SELECT revision FROM head) + 1, 0) AS first_revision, coalesce((SELECT hash FROM head), ${genesis}) AS previous
           WHERE (SELECT revision FROM head) IS NOT DISTINCT FROM $2::bigint
        ),
        chain(n, hash) AS (
          SELECT 0::bigint, previous FROM start
          UNION ALL
          SELECT c.n + 1, sha256(c.hash || int8send(start.first_revision + c.n) || decode(($7::text[])[c.n + 1], 'hex'))
            FROM chain c, start WHERE c.n < cardinality($3::uuid[])
        ),
        inserted AS (
          INSERT INTO ${schema}.events (id, stream, revision, type, data, metadata, hash)
          SELECT t.id, $1, start.first_revision + t.n - 1, t.type, t.data::json, t.metadata::json, c.hash
            FROM start, unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(id, type, data, metadata, n)
            JOIN chain c ON c.n = t.n
           ORDER BY t.n
          RETURNING position, revision
        )
        SELECT min(revision) AS first_revision, max(revision) AS last_revision, min(position) AS first_position, max(position) AS last_position FROM inserted`,
    },
    append: {
      name: `${schema}.append_events`,
      text: `SELECT * FROM ${schema}.append_events($1, $2, $3::bigint, $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    },
    appendStreams: {
      name: `${schema}.append_streams`,
      text: `SELECT * FROM ${schema}.append_streams($1::text[], $2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    },
    classifyConflict: {
      name: `${schema}.classify_append_conflict`,
      text: `SELECT * FROM ${schema}.classify_append_conflict($1, $2, $3::bigint, $4::uuid[])`,
    },
    readStreamForwards: {
      name: `${schema}.read_stream_forwards`,
      text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.events WHERE stream = $1 AND revision >= $2::bigint ORDER BY revision LIMIT $3`,
    },
    readStreamBackwards: {
      name: `${schema}.read_stream_backwards`,
      text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.events WHERE stream = $1 AND revision <= $2::bigint ORDER BY revision DESC LIMIT $3`,
    },
    readAll: {
      name: `${schema}.read_all`,
      text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.events
        WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND ${visible}
        ORDER BY transaction_id, position LIMIT $3`,
    },
    readCategory: {
      name: `${schema}.read_category`,
      text: `SELECT ${EVENT_COLUMNS} FROM ${schema}.events
        WHERE category = $1 AND (transaction_id, position) > ($2::xid8, $3::bigint) AND ${visible}
        ORDER BY transaction_id, position LIMIT $4`,
    },
    listStreams: {
      name: `${schema}.list_streams`,
      text: `SELECT DISTINCT stream FROM ${schema}.events WHERE stream > $1 ORDER BY stream LIMIT $2`,
    },
  };
}
