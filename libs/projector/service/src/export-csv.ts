/**
 * CSV of any read-model table, in its canonical order (RFC 4180 quoting; instants in UTC ISO-8601).
 * Optional `from`/`to` filter on the table's time column, when it has one.
 */
import type { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { PROJECTIONS } from './projections';

/** The time column each table can be filtered on by `--from`/`--to`. */
const TIME_COLUMN: Readonly<Record<string, string>> = {
  wallet_balances: 'last_event_at',
  journal_entries: 'occurred_at',
  payments: 'initiated_at',
  payment_outcomes_daily: 'day',
  statement_lines: 'occurred_at',
  statement_holds: 'reserved_at',
  merchant_daily_volume: 'day',
  user_cards: 'first_bound_at',
  identity_users: 'registered_at',
  risk_alerts: 'occurred_at',
  account_freezes: 'occurred_at',
};

export function exportableTables(): string[] {
  return PROJECTIONS.flatMap((projection) => projection.tables.map((table) => table.name));
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface ExportOptions {
  from?: string;
  to?: string;
  pageSize?: number;
}

/** Writes the table (or every table of a projection given by name) as CSV; returns the row count. */
export async function exportCsv(dataSource: DataSource, name: string, out: Writable, options: ExportOptions = {}): Promise<number> {
  const table =
    PROJECTIONS.flatMap((projection) => projection.tables).find((candidate) => candidate.name === name) ??
    PROJECTIONS.find((p) => p.name === name)?.tables[0];
  if (!table) throw new Error(`unknown read model "${name}"; known: ${exportableTables().join(', ')}`);
  const conditions: string[] = [];
  const values: unknown[] = [];
  const timeColumn = TIME_COLUMN[table.name];
  if ((options.from || options.to) && !timeColumn) throw new Error(`${table.name} has no time column to filter on`);
  if (options.from) conditions.push(`${timeColumn} >= $${values.push(options.from)}`);
  if (options.to) conditions.push(`${timeColumn} < $${values.push(options.to)}`);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const pageSize = options.pageSize ?? 10_000;
  let rows = 0;
  let header: string[] | undefined;
  // Paged by offset inside one REPEATABLE READ snapshot, so pages are consistent with each other.
  await dataSource.transaction('REPEATABLE READ', async (manager) => {
    await manager.query(`SET LOCAL TIME ZONE 'UTC'`);
    for (let offset = 0; ; offset += pageSize) {
      const page = (await manager.query(
        `SELECT * FROM analytics.${table.name} ${where} ORDER BY ${table.order} LIMIT ${pageSize} OFFSET ${offset}`,
        values,
      )) as Array<Record<string, unknown>>;
      if (!header) {
        const columns = (await manager.query(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = 'analytics' AND table_name = $1 ORDER BY ordinal_position`,
          [table.name],
        )) as Array<{ column_name: string }>;
        header = columns.map((column) => column.column_name);
        out.write(`${header.join(',')}\n`);
      }
      for (const row of page) out.write(`${header.map((column) => csvField(row[column])).join(',')}\n`);
      rows += page.length;
      if (page.length < pageSize) break;
    }
  });
  return rows;
}
