/**
 * What a projection is: the event store it reads (a service's schema and a stream category), its
 * tables, and a batch function that folds a page of events into those tables with one statement
 * per table (bulk `INSERT … SELECT FROM unnest(…) ON CONFLICT …`, a constant number of parameters
 * whatever the batch size). Tables are passed by physical name so the same code feeds the live
 * tables and a rebuild's versioned copies.
 */
import type { RecordedEvent } from '@ledger/event-store';

/** Runs one statement on the batch's transaction; returns the rows. */
export type Sql = (text: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;

export interface ProjectionTable {
  /** The live table in schema `analytics`. */
  name: string;
  /** ORDER BY of the canonical row order (for checksums and exports). */
  order: string;
}

/** Physical name (without schema) of each logical table, for this run. */
export type TableNames = Readonly<Record<string, string>>;

export interface Projection {
  /** Also the name of its checkpoint. */
  readonly name: string;
  /** The event store schema (one per service). */
  readonly source: 'wallet' | 'payments' | 'identity' | 'cards';
  readonly category?: string;
  readonly tables: readonly ProjectionTable[];
  readonly description: string;
  applyBatch(sql: Sql, events: readonly RecordedEvent[], tables: TableNames): Promise<void>;
}

export function liveTableNames(projection: Projection): TableNames {
  return Object.fromEntries(projection.tables.map((table) => [table.name, table.name]));
}

export function tableName(tables: TableNames, logical: string): string {
  const physical = tables[logical];
  if (physical === undefined || !/^[a-z_][a-z0-9_]{0,62}$/.test(physical)) throw new Error(`no valid table for ${logical}`);
  return `analytics.${physical}`;
}

/** A decimal string of fen from event data; throws on anything else (a bug upstream). */
export function minor(value: unknown, what: string): bigint {
  if (typeof value === 'string' && /^-?\d{1,38}$/.test(value)) return BigInt(value);
  throw new Error(`${what}: not an amount of fen: ${JSON.stringify(value)}`);
}

export function text(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
}
