import type { Pool } from 'pg';
import type { CheckpointOptions, CheckpointStore, Cursor } from '../port';
import { assertSchemaName } from './schema';

/**
 * Named subscription checkpoints in a PostgreSQL table `<schema>.checkpoints`.
 *
 * The event store keeps its own in its schema; a projector whose read models live in another
 * database can keep its checkpoints next to them (same table shape, created by `ensureTable`) and
 * write them with `{ client }` in the transaction that changes the read model, so the two can
 * never disagree after a crash.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly readText: string;
  private readonly writeText: string;

  constructor(
    private readonly pool: Pick<Pool, 'query'>,
    private readonly schema: string,
  ) {
    assertSchemaName(schema);
    this.readText = `SELECT cursor FROM ${schema}.checkpoints WHERE name = $1`;
    this.writeText = `INSERT INTO ${schema}.checkpoints (name, cursor, updated_at) VALUES ($1, $2, now())
      ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`;
  }

  /**
   * Creates the table where it does not exist yet (the event store's migrations create its own), on
   * `client` when given: concurrent creators must run it in transactions that hold one advisory lock.
   */
  async ensureTable(client: Pick<Pool, 'query'> = this.pool): Promise<void> {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${this.schema}.checkpoints (
      name text PRIMARY KEY, cursor text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  }

  async readCheckpoint(name: string, options: CheckpointOptions = {}): Promise<Cursor | undefined> {
    const client = options.client ?? this.pool;
    const result = await client.query(this.readText, [name]);
    const row = result.rows[0] as { cursor: string } | undefined;
    return row?.cursor;
  }

  async writeCheckpoint(name: string, cursor: Cursor, options: CheckpointOptions = {}): Promise<void> {
    const client = options.client ?? this.pool;
    await client.query(this.writeText, [name, cursor]);
  }
}
