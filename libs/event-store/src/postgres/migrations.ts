import type { Pool, PoolClient } from 'pg';

/**
 * The one migration mechanism of every PostgreSQL table of the ledger outside the projector (whose
 * read models are TypeORM entities with TypeORM's migrations): the event store's own schema and each
 * service's tables (read models, timers, limits, nonces). A component lists its migrations, numbered
 * from 1 and never edited once released; `applyMigrations` applies those not applied yet, in order,
 * in one transaction, and records each in `<schema>.migrations` under the component's name. An
 * advisory lock per schema serializes instances starting at once.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  /** The change: SQL, or a function for a step that calls a library's own DDL (a checkpoint table). */
  readonly up: string | ((client: PoolClient) => Promise<void>);
}

export interface MigrationSet {
  /** Who owns the migrations (`event-store`, `payments-service`…): versions count per component. */
  readonly component: string;
  /** Where they are recorded (`<schema>.migrations`); the migrations may create objects in other schemas too. */
  readonly schema: string;
  readonly migrations: readonly Migration[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Advisory-lock class of migrations (two-key form, so it never collides with one-key locks); the second key is the schema's hash. */
const MIGRATION_LOCK_CLASS = 0x4d47; // "MG"

/** Applies the set's migrations not applied yet, in one transaction; returns the versions applied now. */
export async function applyMigrations(pool: Pool | PoolClient, set: MigrationSet): Promise<number[]> {
  if (!IDENTIFIER.test(set.schema)) throw new Error(`a migration schema must be a lower-case SQL identifier, got "${set.schema}"`);
  set.migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`${set.component}: migration ${index + 1} is numbered ${migration.version}`);
  });
  const owned = !('release' in pool);
  const client: PoolClient = 'release' in pool ? pool : await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, set.schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${set.schema}`);
      await ensureRecordTable(client, set.schema);
      const applied = await client.query<{ version: number }>(`SELECT version FROM ${set.schema}.migrations WHERE component = $1`, [
        set.component,
      ]);
      const done = new Set(applied.rows.map((row) => row.version));
      const appliedNow: number[] = [];
      for (const migration of set.migrations) {
        if (done.has(migration.version)) continue;
        if (typeof migration.up === 'string') await client.query(migration.up);
        else await migration.up(client);
        await client.query(`INSERT INTO ${set.schema}.migrations (component, version, description) VALUES ($1, $2, $3)`, [
          set.component,
          migration.version,
          migration.description,
        ]);
        appliedNow.push(migration.version);
      }
      await client.query('COMMIT');
      return appliedNow;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    if (owned) client.release();
  }
}

/**
 * `<schema>.migrations`, one row per applied migration of each component. A table made before
 * components existed (the event store's alone, keyed by version) gets the column, its rows are the
 * event store's, and the key becomes (component, version).
 */
async function ensureRecordTable(client: PoolClient, schema: string): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.migrations (
    component text NOT NULL,
    version integer NOT NULL,
    description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version))`);
  const { rows } = await client.query<{ keyed: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'migrations' AND column_name = 'component'
     ) AS keyed`,
    [schema],
  );
  if (rows[0]?.keyed) return;
  await client.query(`ALTER TABLE ${schema}.migrations ADD COLUMN component text NOT NULL DEFAULT 'event-store'`);
  await client.query(`ALTER TABLE ${schema}.migrations ALTER COLUMN component DROP DEFAULT`);
  await client.query(`ALTER TABLE ${schema}.migrations DROP CONSTRAINT migrations_pkey, ADD PRIMARY KEY (component, version)`);
}
