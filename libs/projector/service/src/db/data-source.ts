/**
 * The analytics database as a TypeORM `DataSource`: entities in schema `analytics`, explicit
 * migrations (never `synchronize`), migration history in `analytics.migrations`.
 */
import { DataSource } from 'typeorm';
import { ANALYTICS_ENTITIES, ANALYTICS_SCHEMA } from './entities';
import { CreateAnalytics1763780000000 } from './migrations/1763780000000-create-analytics';
import { AnalystsReadModels1763790000000 } from './migrations/1763790000000-analysts-read-models';
import { WalletHolds1763800000000 } from './migrations/1763800000000-wallet-holds';
import { StaffActions1763810000000 } from './migrations/1763810000000-staff-actions';
import { StatementEntries1763820000000 } from './migrations/1763820000000-statement-entries';
import { InvariantAlerts1763830000000 } from './migrations/1763830000000-invariant-alerts';

export const ANALYTICS_MIGRATIONS = [
  CreateAnalytics1763780000000,
  AnalystsReadModels1763790000000,
  WalletHolds1763800000000,
  StaffActions1763810000000,
  StatementEntries1763820000000,
  InvariantAlerts1763830000000,
];

/** Any fixed number: several projector processes (service, replay CLI) migrate one at a time. */
const MIGRATION_LOCK = 7_349_221_001;

export function analyticsDataSource(url: string, poolSize = 5): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    schema: ANALYTICS_SCHEMA,
    entities: ANALYTICS_ENTITIES,
    migrations: ANALYTICS_MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize },
  });
}

/** Initializes the data source and applies pending migrations (under an advisory lock). */
export async function openAnalytics(url: string, poolSize = 5): Promise<DataSource> {
  const dataSource = analyticsDataSource(url, poolSize);
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    // The migrations table lives in `analytics`, which must exist before TypeORM creates it.
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${ANALYTICS_SCHEMA}`);
    await dataSource.runMigrations();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  } finally {
    await lock.release().catch(() => undefined);
  }
  return dataSource;
}
