/**
 * `npm run restore -- <backup dir> <instance>`: makes a backup (`npm run backup`) the PostgreSQL data of
 * a new local instance (`.local/<instance>/postgres/data`; an instance that already has data is
 * refused: a restore never overwrites a ledger). `LEDGER_INSTANCE=<instance> npm start` then starts on
 * it: PostgreSQL replays the backup's WAL, and every stream, subscription, relay and projection
 * resumes from what the backup holds (consumers drop what a relay publishes again as duplicates).
 */
import { restorePostgres } from '@ledger/local-infra';

const [backupDir, instance] = process.argv.slice(2);
if (!backupDir || !instance) {
  console.error('usage: npm run restore -- <backup dir> <new instance>');
  process.exit(2);
}
try {
  const dataDir = restorePostgres(backupDir, instance);
  console.log(`restored into ${dataDir}; start it with LEDGER_INSTANCE=${instance} npm start (give it free ports if another stack runs)`);
} catch (error) {
  console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
