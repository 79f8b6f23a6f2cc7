import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { localDir } from './paths';
import { serverUser } from './postgres';

/**
 * Online physical backups of a PostgreSQL server on this machine, and their restore into a new data
 * directory: PostgreSQL's low-level base backup (`pg_backup_start`, a copy of the data directory,
 * `pg_backup_stop`, the WAL written meanwhile), the method `pg_basebackup` automates. A physical
 * copy keeps every transaction id as it was, so the event store's readers (which compare each
 * event's `transaction_id` with the server's snapshot) see every event on the restored server, and
 * every subscription, relay and projection resumes from its stored position.
 *
 * A logical dump restored into another server does not keep the transaction counter: see
 * `advanceTransactionIds` in the event store for the fix-up such a restore needs.
 */
export interface BackupManifest {
  label: string;
  startedAt: string;
  finishedAt: string;
  serverVersion: string;
  startLsn: string;
  stopLsn: string;
  /** Bytes copied (the data directory and the WAL). */
  bytes: number;
}

/** What is not copied: runtime files the server recreates (as `pg_basebackup` leaves them out). */
const SKIPPED_ENTRIES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
const EMPTIED_DIRECTORIES = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

/** Takes an online backup of the server at `url` (whose data directory is on this machine) into `targetDir`. */
export async function backupPostgres(
  url: string,
  targetDir: string,
  label = `ledger-${new Date().toISOString()}`,
): Promise<BackupManifest> {
  if (existsSync(targetDir) && readdirSync(targetDir).length > 0) throw new Error(`${targetDir} is not empty`);
  const client = new Client({ connectionString: url });
  await client.connect();
  const startedAt = new Date().toISOString();
  try {
    const dataDir = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    const serverVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    // fast: an immediate checkpoint instead of a spread one; the session must stay open until the stop.
    const start = await client.query<{ lsn: string }>('SELECT pg_backup_start($1, true) AS lsn', [label]);
    mkdirSync(targetDir, { recursive: true });
    copyDataDirectory(dataDir, targetDir);
    const stop = await client.query<{ lsn: string; labelfile: string; spcmapfile: string | null }>(
      'SELECT lsn, labelfile, spcmapfile FROM pg_backup_stop(false)',
    );
    const stopped = stop.rows[0]!;
    writeFileSync(path.join(targetDir, 'backup_label'), stopped.labelfile);
    if (stopped.spcmapfile) writeFileSync(path.join(targetDir, 'tablespace_map'), stopped.spcmapfile);
    // The WAL from the backup's checkpoint to its stop (the stop switched to a new segment, so the last one is complete).
    cpSync(path.join(dataDir, 'pg_wal'), path.join(targetDir, 'pg_wal'), {
      recursive: true,
      filter: (source) => !source.endsWith('.partial'),
    });
    const manifest: BackupManifest = {
      label,
      startedAt,
      finishedAt: new Date().toISOString(),
      serverVersion,
      startLsn: start.rows[0]!.lsn,
      stopLsn: stopped.lsn,
      bytes: sizeOf(targetDir),
    };
    writeFileSync(path.join(targetDir, 'ledger-backup.json'), JSON.stringify(manifest, null, 2));
    return manifest;
  } finally {
    await client.end();
  }
}

function copyDataDirectory(dataDir: string, targetDir: string): void {
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (SKIPPED_ENTRIES.has(entry.name) || entry.name.startsWith('.s.PGSQL.')) continue;
    const source = path.join(dataDir, entry.name);
    const target = path.join(targetDir, entry.name);
    if (entry.isDirectory() && EMPTIED_DIRECTORIES.has(entry.name)) mkdirSync(target, { recursive: true });
    // A file the server removes while it is copied (a temporary one) is not needed by the restore.
    else cpSync(source, target, { recursive: true, force: true, errorOnExist: false, filter: (file) => existsSync(file) });
  }
}

function sizeOf(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    bytes += entry.isDirectory() ? sizeOf(full) : statSync(full).size;
  }
  return bytes;
}

/**
 * Makes a backup the data directory of the local server `instance` (`.local/<instance>/postgres/data`,
 * which must not exist or be empty: a restore never overwrites a ledger). `startPostgres` then starts
 * it, replaying the WAL from the backup's checkpoint before it accepts connections.
 */
export function restorePostgres(backupDir: string, instance: string): string {
  if (!existsSync(path.join(backupDir, 'backup_label'))) throw new Error(`${backupDir} is not a backup (no backup_label)`);
  const dataDir = path.join(localDir, instance, 'postgres', 'data');
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new Error(`${dataDir} already holds a database: restore into a new instance (or move it away first)`);
  mkdirSync(dataDir, { recursive: true });
  cpSync(backupDir, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'ledger-backup.json' });
  // The server refuses a data directory that others can read, and runs as its own user (see startPostgres).
  chmodSync(dataDir, 0o700);
  const owner = serverUser();
  if (owner) chownTree(dataDir, owner.uid, owner.gid);
  return dataDir;
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

/** Removes a backup directory (tests). */
export function removeBackup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
