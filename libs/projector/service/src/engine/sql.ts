import type { DataSource, EntityManager } from 'typeorm';
import { START, type Cursor } from '@ledger/event-store';
import type { Sql } from '../projections';

/** A `Sql` function on a TypeORM transaction (its query runner: one connection, one transaction). */
export function sqlOn(manager: EntityManager): Sql {
  return async (text, values) => {
    const result: unknown = await manager.query(text, values);
    return Array.isArray(result) ? (result as Array<Record<string, unknown>>) : [];
  };
}

export async function readCheckpoint(source: DataSource | EntityManager, name: string, lock = false): Promise<Cursor | undefined> {
  const rows = (await source.query(`SELECT cursor FROM analytics.projector_checkpoints WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [
    name,
  ])) as Array<{ cursor: string }>;
  return rows[0]?.cursor;
}

/** Creates the checkpoint row at START if missing, so that it can always be locked. */
export async function ensureCheckpoint(source: DataSource | EntityManager, name: string): Promise<void> {
  await source.query(
    `INSERT INTO analytics.projector_checkpoints (name, cursor, updated_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING`,
    [name, START],
  );
}

export async function writeCheckpoint(manager: EntityManager, name: string, cursor: Cursor): Promise<void> {
  await manager.query(
    `INSERT INTO analytics.projector_checkpoints (name, cursor, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
    [name, cursor],
  );
}
