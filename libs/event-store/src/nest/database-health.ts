import { health } from '@ledger/observability';
import { Pool } from 'pg';

/** Longest a readiness query may take before it counts as down (the health check's own bound is 2 s). */
const QUERY_TIMEOUT_MS = 2_000;

/**
 * The readiness check `database`: `SELECT 1` on a connection of its own (a pool of one), so the
 * check says whether the database can be reached, not whether the service's busy pool has a free
 * connection (under load that would take a healthy service out of rotation). The connection is
 * kept between checks and opened again after a failure; `close()` removes the check.
 */
export class DatabaseReadiness {
  private readonly pool: Pool;
  private readonly remove: () => void;

  constructor(connectionString: string, name = 'database') {
    this.pool = new Pool({
      connectionString,
      max: 1,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      idleTimeoutMillis: 60_000,
    });
    // A connection the server killed fails the next check; without a listener it would crash the process.
    this.pool.on('error', () => undefined);
    this.remove = health.register({
      name,
      kind: 'readiness',
      check: async () => {
        await this.pool.query('SELECT 1');
      },
    });
  }

  async close(): Promise<void> {
    this.remove();
    await this.pool.end().catch(() => undefined);
  }
}

/** Whether the URL names a PostgreSQL server (the other adapters' URLs are `esdb://`, `kurrentdb://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
