/**
 * `npm run backup [-- <dir>]`: an online physical backup of the ledger's PostgreSQL (the local stack's,
 * or DATABASE_URL's when its data directory is on this machine) into `<dir>` (default
 * `.local/backups/<time>`): the data directory and the WAL written meanwhile, which a restore replays.
 * Every store, read model, checkpoint and timer is in it; the broker is not (its topics are rebuilt
 * from the stores: the relays republish what their checkpoints have not passed).
 */
import path from 'node:path';
import { backupPostgres, localDir } from '@ledger/local-infra';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const target = path.resolve(process.argv[2] ?? path.join(localDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-')));
  const manifest = await backupPostgres(url, target);
  console.log(
    `backup ${manifest.label}: ${(manifest.bytes / 1_048_576).toFixed(1)} MiB in ${target} (PostgreSQL ${manifest.serverVersion}, WAL ${manifest.startLsn} → ${manifest.stopLsn})`,
  );
  console.log(`restore it with: npm run restore -- ${path.relative(process.cwd(), target)} <new instance>`);
}

main().catch((error: unknown) => {
  console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
