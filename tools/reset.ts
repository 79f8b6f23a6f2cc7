/**
 * `npm run reset`: stops anything a crashed `npm start` left running and wipes the local data
 * (Kafka logs, PostgreSQL cluster, service logs). Installed binaries stay unless `--all` is given.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { killStaleProcess, localDir, repoRoot, stopStalePostgres } from '@ledger/local-infra';

async function main(): Promise<void> {
  const all = process.argv.includes('--all');
  if (!existsSync(localDir)) return console.log('reset: nothing to do (.local does not exist)');
  for (const entry of readdirSync(localDir)) {
    if (entry === 'kafka' && !all) continue; // the installed broker, not data
    const dir = path.join(localDir, entry);
    for (const pidFile of findPidFiles(dir))
      if (await killStaleProcess(pidFile)) console.log(`reset: stopped ${path.relative(repoRoot, pidFile)}`);
    await stopStalePostgres(path.join(dir, 'postgres', 'data'));
    rmSync(dir, { recursive: true, force: true });
    console.log(`reset: removed ${path.relative(repoRoot, dir)}`);
  }
}

function findPidFiles(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'data' ? [] : findPidFiles(full, depth + 1);
    return entry.name.endsWith('.pid') ? [full] : [];
  });
}

void main();
