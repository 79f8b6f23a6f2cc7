/**
 * The PostgreSQL schema of the event store, as numbered migrations applied once each through the
 * ledger's one migration mechanism (`migrations.ts`, recorded in `<schema>.migrations` as the
 * `event-store` component), so several service instances starting at once do not race on `CREATE`.
 */
import type { PoolClient } from 'pg';
import { applyMigrations } from './migrations';

/** Advisory-lock class of the event store (two-key form, so it never collides with one-key locks). */
export const ADVISORY_LOCK_CLASS = 0x4c45; // "LE", for ledger

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!IDENTIFIER.test(schema)) throw new Error(`Event store schema must be a lower-case SQL identifier, got "${schema}"`);
}

interface Migration {
  version: number;
  description: string;
  sql(schema: string): string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, checkpoints and the append function',
    sql: (s) => `
      -- One row per event. No primary key on position: the identity sequence already makes it
      -- unique, and readers page by (transaction_id, position), so a separate index would only
      -- slow down appends.
      CREATE TABLE ${s}.events (
        position bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        id uuid NOT NULL,
        stream text NOT NULL,
        category text NOT NULL GENERATED ALWAYS AS (split_part(stream, '-', 1)) STORED,
        revision bigint NOT NULL,
        type text NOT NULL,
        -- json, not jsonb: the store treats payloads as opaque documents, and json keeps the text as
        -- written, costs less to insert and much less to read back (measured: about 10% on appends,
        -- more on catch-up reads). Ad-hoc queries can still cast: (data::jsonb ->> 'walletId').
        data json NOT NULL,
        metadata json NOT NULL,
        hash bytea NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_id_unique UNIQUE (id),
        CONSTRAINT events_stream_revision_unique UNIQUE (stream, revision)
      );
      CREATE INDEX events_global_order ON ${s}.events (transaction_id, position);
      CREATE INDEX events_category_order ON ${s}.events (category, transaction_id, position);

      CREATE TABLE ${s}.checkpoints (
        name text PRIMARY KEY,
        cursor text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- Why an append that did not happen did not happen: the same events are already there (a
      -- retry: "duplicate", with the original result), their ids are used elsewhere ("id_conflict"),
      -- or the stream is not where the caller expected ("wrong_expected_revision", with its head).
      CREATE FUNCTION ${s}.classify_append_conflict(
        p_stream text, p_expected text, p_expected_revision bigint, p_ids uuid[],
        OUT status text, OUT first_revision bigint, OUT last_revision bigint,
        OUT first_position bigint, OUT last_position bigint, OUT actual_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_found int;
        v_foreign int;
        v_offsets int;
      BEGIN
        -- The ids must all be in this stream, consecutive in batch order, where the expected
        -- revision put them.
        SELECT count(*), count(*) FILTER (WHERE e.stream <> p_stream), count(DISTINCT e.revision - t.n),
               min(e.revision), max(e.revision), min(e.position), max(e.position)
          INTO v_found, v_foreign, v_offsets, first_revision, last_revision, first_position, last_position
          FROM unnest(p_ids) WITH ORDINALITY AS t(id, n)
          JOIN ${s}.events e ON e.id = t.id;
        IF v_found > 0 THEN
          IF v_found = cardinality(p_ids) AND v_foreign = 0 AND v_offsets = 1 AND (
               p_expected = 'any'
               OR (p_expected = 'no_stream' AND first_revision = 0)
               OR (p_expected = 'stream_exists' AND first_revision > 0)
               OR (p_expected = 'revision' AND first_revision = p_expected_revision + 1)) THEN
            status := 'duplicate';
          ELSE
            status := 'id_conflict';
          END IF;
          RETURN;
        END IF;
        SELECT e.revision INTO actual_revision FROM ${s}.events e WHERE e.stream = p_stream ORDER BY e.revision DESC LIMIT 1;
        status := 'wrong_expected_revision';
      END
      $fn$;

      -- Appends a batch to one stream in one round trip: expected revision check, hash chain,
      -- multi-row insert; and when the append cannot happen, the reason (see above).
      --
      -- Concurrency and order. An exact or "no_stream" append needs no lock: of two writers aiming
      -- at the same revision, the unique index lets one commit and fails the other (the caller then
      -- classifies the conflict). "any" and "stream_exists" appends take a per-stream advisory lock
      -- so that concurrent writers queue instead of failing. Either way a writer only gets its
      -- transaction id (at the INSERT) after it has seen its predecessor's committed head, so a
      -- later revision always has a higher transaction id, and the global read order
      -- (transaction_id, position) keeps every stream in revision order.
      CREATE FUNCTION ${s}.append_events(
        p_stream text, p_expected text, p_expected_revision bigint,
        p_ids uuid[], p_types text[], p_data text[], p_metadata text[], p_digests text[],
        OUT status text, OUT first_revision bigint, OUT last_revision bigint,
        OUT first_position bigint, OUT last_position bigint, OUT actual_revision bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := cardinality(p_ids);
        v_previous bytea;
        v_hashes bytea[] := '{}';
      BEGIN
        IF p_expected IN ('any', 'stream_exists') THEN
          PERFORM pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, hashtext(p_stream));
          -- These appends cannot tell a retry from their expected revision: look for the ids first.
          IF EXISTS (SELECT 1 FROM ${s}.events e WHERE e.id = ANY (p_ids)) THEN
            SELECT * INTO status, first_revision, last_revision, first_position, last_position, actual_revision
              FROM ${s}.classify_append_conflict(p_stream, p_expected, p_expected_revision, p_ids);
            RETURN;
          END IF;
        END IF;

        SELECT e.revision, e.hash INTO actual_revision, v_previous
          FROM ${s}.events e WHERE e.stream = p_stream ORDER BY e.revision DESC LIMIT 1;
        IF (p_expected = 'no_stream' AND actual_revision IS NOT NULL)
           OR (p_expected = 'stream_exists' AND actual_revision IS NULL)
           OR (p_expected = 'revision' AND actual_revision IS DISTINCT FROM p_expected_revision) THEN
          -- A retried exact append lands here (the stream has moved on by its own events).
          SELECT * INTO status, first_revision, last_revision, first_position, last_position, actual_revision
            FROM ${s}.classify_append_conflict(p_stream, p_expected, p_expected_revision, p_ids);
          RETURN;
        END IF;

        first_revision := coalesce(actual_revision + 1, 0);
        last_revision := first_revision + v_count - 1;
        v_previous := coalesce(v_previous, decode(repeat('00', 32), 'hex'));
        FOR i IN 1 .. v_count LOOP
          v_previous := sha256(v_previous || int8send(first_revision + i - 1) || decode(p_digests[i], 'hex'));
          v_hashes := array_append(v_hashes, v_previous);
        END LOOP;

        WITH inserted AS (
          INSERT INTO ${s}.events (id, stream, revision, type, data, metadata, hash)
          SELECT t.id, p_stream, first_revision + t.n - 1, t.type, t.data::json, t.metadata::json, v_hashes[t.n]
            FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS t(id, type, data, metadata, n)
           ORDER BY t.n
          RETURNING position
        )
        SELECT min(position), max(position) INTO first_position, last_position FROM inserted;
        status := 'appended';
      END
      $fn$;
    `,
  },
  {
    version: 2,
    description: 'append_streams: many exact appends in one statement (the group commit)',
    sql: (s) => `
      -- Appends to many streams in one statement and one transaction: the group commit of the
      -- appends that arrived while the previous commit was in flight. Each append names its stream
      -- (at most once per call), its expected head (NULL for "no stream") and how many of the event
      -- arrays' entries are its events, in order. An append succeeds or fails on its own: it is
      -- returned only when all its events were written; otherwise it wrote nothing and the caller
      -- asks classify_append_conflict why (a retry, reused ids, or a real conflict).
      --
      -- Order. Every head is read in the first statement, whose snapshot is taken before this
      -- transaction gets its id (at the INSERT). So a writer whose events we build on committed
      -- before we had an id, and has a lower one: each stream stays in revision order in the global
      -- (transaction_id, position) order, as with append_events. A writer that commits a head we did
      -- not see collides with us on (stream, revision), and ON CONFLICT DO NOTHING turns that into
      -- "not appended" for that append alone. Rows go in in stream order, so two concurrent group
      -- commits wait on each other's rows in the same order.
      CREATE FUNCTION ${s}.append_streams(
        p_streams text[], p_expected bigint[], p_counts int[],
        p_ids uuid[], p_types text[], p_data text[], p_metadata text[], p_digests text[])
      RETURNS TABLE (appended_stream text, appended_first_revision bigint, appended_last_revision bigint,
                     appended_first_position bigint, appended_last_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_head_revisions bigint[];
        v_head_hashes bytea[];
        v_rows int[] := '{}';
        v_row_streams text[] := '{}';
        v_revisions bigint[] := '{}';
        v_hashes bytea[] := '{}';
        v_offset int := 0;
        v_first bigint;
        v_previous bytea;
        v_out_streams text[];
        v_out_counts bigint[];
        v_out_first_revisions bigint[];
        v_out_last_revisions bigint[];
        v_out_first_positions bigint[];
        v_out_last_positions bigint[];
      BEGIN
        SELECT array_agg(h.revision ORDER BY t.n), array_agg(h.hash ORDER BY t.n)
          INTO v_head_revisions, v_head_hashes
          FROM unnest(p_streams) WITH ORDINALITY AS t(stream, n)
          LEFT JOIN LATERAL (
            SELECT e.revision, e.hash FROM ${s}.events e WHERE e.stream = t.stream ORDER BY e.revision DESC LIMIT 1
          ) h ON true;

        FOR i IN 1 .. cardinality(p_streams) LOOP
          IF v_head_revisions[i] IS NOT DISTINCT FROM p_expected[i] THEN
            v_first := coalesce(v_head_revisions[i] + 1, 0);
            v_previous := coalesce(v_head_hashes[i], decode(repeat('00', 32), 'hex'));
            FOR j IN 1 .. p_counts[i] LOOP
              v_previous := sha256(v_previous || int8send(v_first + j - 1) || decode(p_digests[v_offset + j], 'hex'));
              v_rows := v_rows || (v_offset + j);
              v_row_streams := v_row_streams || p_streams[i];
              v_revisions := v_revisions || (v_first + j - 1);
              v_hashes := v_hashes || v_previous;
            END LOOP;
          END IF;
          v_offset := v_offset + p_counts[i];
        END LOOP;

        WITH inserted AS (
          INSERT INTO ${s}.events (id, stream, revision, type, data, metadata, hash)
          SELECT p_ids[r.n], r.stream, r.revision, p_types[r.n], p_data[r.n]::json, p_metadata[r.n]::json, r.hash
            FROM unnest(v_rows, v_row_streams, v_revisions, v_hashes) AS r(n, stream, revision, hash)
           ORDER BY r.stream, r.revision
          ON CONFLICT DO NOTHING
          RETURNING stream, revision, position
        ), per_stream AS (
          SELECT i.stream, count(*) AS n, min(i.revision) AS first_revision, max(i.revision) AS last_revision,
                 min(i.position) AS first_position, max(i.position) AS last_position
            FROM inserted i GROUP BY i.stream
        )
        SELECT array_agg(p.stream), array_agg(p.n), array_agg(p.first_revision), array_agg(p.last_revision),
               array_agg(p.first_position), array_agg(p.last_position)
          INTO v_out_streams, v_out_counts, v_out_first_revisions, v_out_last_revisions, v_out_first_positions, v_out_last_positions
          FROM per_stream p;

        -- An append that wrote only some of its events (another writer took one of its revisions or
        -- ids meanwhile) takes back what it wrote: rows of this transaction, never seen by anyone.
        DELETE FROM ${s}.events e
         USING unnest(v_out_streams, v_out_counts) AS o(stream, n)
         JOIN unnest(p_streams, p_counts) AS a(stream, n) ON a.stream = o.stream
         WHERE o.n <> a.n AND e.stream = o.stream AND e.transaction_id = pg_current_xact_id();

        RETURN QUERY
          SELECT o.stream, o.first_revision, o.last_revision, o.first_position, o.last_position
            FROM unnest(v_out_streams, v_out_counts, v_out_first_revisions, v_out_last_revisions, v_out_first_positions, v_out_last_positions)
                   AS o(stream, n, first_revision, last_revision, first_position, last_position)
            JOIN unnest(p_streams, p_counts) AS a(stream, n) ON a.stream = o.stream
           WHERE o.n = a.n;
      END
      $fn$;
    `,
  },
  {
    version: 3,
    description: 'signed checkpoints of the hash chains (append-only) and the heads they cover',
    sql: (s) => `
      -- Signed checkpoints (src/checkpoints/): each one signs the Merkle root over every stream's
      -- head and the global log's head, and names the hash of the previous one. The body is the exact
      -- text that was signed. No writer of the store updates or deletes a row here: the triggers
      -- below refuse it, so rewriting evidence takes a deliberate act (disabling them) on top of the
      -- signing key, which is not in the database.
      CREATE TABLE ${s}.event_checkpoints (
        sequence bigint PRIMARY KEY CHECK (sequence >= 0),
        checkpoint_hash bytea NOT NULL,
        previous_hash bytea NOT NULL,
        key_id text NOT NULL,
        body text NOT NULL,
        signature bytea NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT event_checkpoints_hash_unique UNIQUE (checkpoint_hash),
        -- One successor per checkpoint: two writers racing cannot fork the chain.
        CONSTRAINT event_checkpoints_previous_unique UNIQUE (previous_hash)
      );

      CREATE FUNCTION ${s}.refuse_event_checkpoint_change() RETURNS trigger
      LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'event checkpoints are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
      END
      $fn$;
      CREATE TRIGGER event_checkpoints_append_only BEFORE UPDATE OR DELETE ON ${s}.event_checkpoints
        FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_event_checkpoint_change();
      CREATE TRIGGER event_checkpoints_no_truncate BEFORE TRUNCATE ON ${s}.event_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.refuse_event_checkpoint_change();

      -- Every stream's head as of the newest checkpoint: the leaves of its Merkle root, kept so that
      -- a verifier can name the stream and revision that no longer match. Updated with each
      -- checkpoint, in its transaction; a verifier recomputes the root from these rows, so an edit
      -- here shows as a root that does not match the signature. COLLATE "C": the tree orders leaves
      -- by the ids' bytes, and the primary key then pages them in that order.
      CREATE TABLE ${s}.event_checkpoint_heads (
        stream text COLLATE "C" PRIMARY KEY,
        revision bigint NOT NULL,
        hash bytea NOT NULL,
        sequence bigint NOT NULL
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies the event store's migrations not applied yet (`applyMigrations`). Safe to call any number of times. */
export function migrate(client: PoolClient, schema: string): Promise<number[]> {
  assertSchemaName(schema);
  return applyMigrations(client, {
    component: 'event-store',
    schema,
    migrations: MIGRATIONS.map((migration) => ({
      version: migration.version,
      description: migration.description,
      up: migration.sql(schema),
    })),
  });
}
