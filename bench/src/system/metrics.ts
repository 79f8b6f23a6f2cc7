import { readdirSync, readFileSync } from 'node:fs';
import type { Admin } from 'kafkajs';
import { Client } from 'pg';
import type { StackFile } from '@ledger/local-infra';

/** Resident set size of one process in MiB (0 when it is gone). */
function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    return kib / 1024;
  } catch {
    return 0;
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU seconds one process has used, with those of its children it has waited for (PostgreSQL's
 * postmaster reaps the backends of closed connections, so their time is kept). 0 when it is gone.
 */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state ppid … utime(14) stime(15) cutime(16) cstime(17), counted from pid = 1.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process whose parent chain leads to `root` (PostgreSQL forks a backend per connection). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: the command name may contain spaces, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const result = [root];
  for (let i = 0; i < result.length; i++) for (const [pid, ppid] of parentOf) if (ppid === result[i]) result.push(pid);
  return result;
}

export interface ProcessFigures {
  meanMiB: number;
  maxMiB: number;
  /** CPU used over the sampled span, in % of one core (the machine has as many hundreds as cores). */
  cpuPercent: number;
  /** CPU used over the sampled span, in seconds. */
  cpuSeconds: number;
}

/** The sampled name of this process: the load generator, the bench's own client. */
export const LOAD_GENERATOR = 'load-generator';
/** The partner simulator app: it plays the acquirer, issuer and billers, whose CPU is theirs, not the ledger's. */
export const PARTNER_SIMULATOR = 'partners (simulated)';

/** Samples the RSS and CPU time of every process of the stack (and of this load generator) once a second. */
export class ProcessSampler {
  private readonly samples = new Map<string, number[]>();
  /** CPU seconds per process name: at the first sample and at the latest. */
  private readonly cpu = new Map<string, { first: number; last: number }>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;

  constructor(private readonly stack: () => StackFile) {}

  start(): void {
    this.startedAt = performance.now();
    const sample = () => {
      const stack = this.stack();
      const processes: Array<[string, number[]]> = [[LOAD_GENERATOR, [process.pid]]];
      if (stack.infra.kafka) processes.push(['kafka', [stack.infra.kafka]]);
      if (stack.infra.postgres) processes.push(['postgres (all backends)', descendants(stack.infra.postgres)]);
      if (stack.partners) processes.push([PARTNER_SIMULATOR, [stack.partners.pid]]);
      for (const [service, pids] of Object.entries(stack.instances))
        pids.forEach((pid, i) => processes.push([pids.length > 1 ? `${service}#${i + 1}` : service, [pid]]));
      for (const [name, pids] of processes) {
        let list = this.samples.get(name);
        if (!list) this.samples.set(name, (list = []));
        list.push(pids.reduce((sum, pid) => sum + rssMiB(pid), 0));
        // A restarted service starts from 0 again: its CPU is then counted from its restart on.
        const used = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
        const cpu = this.cpu.get(name);
        if (!cpu) this.cpu.set(name, { first: used, last: used });
        else if (used < cpu.last) this.cpu.set(name, { first: cpu.first - cpu.last, last: used });
        else cpu.last = used;
      }
    };
    sample();
    this.timer = setInterval(sample, 1_000);
  }

  stop(): Record<string, ProcessFigures> {
    if (this.timer) clearInterval(this.timer);
    const elapsedS = Math.max(1e-3, (performance.now() - this.startedAt) / 1000);
    return Object.fromEntries(
      [...this.samples].map(([name, values]) => {
        const cpu = this.cpu.get(name) ?? { first: 0, last: 0 };
        const cpuSeconds = cpu.last - cpu.first;
        return [
          name,
          {
            meanMiB: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
            maxMiB: Math.round(Math.max(...values)),
            cpuPercent: Math.round((cpuSeconds / elapsedS) * 100),
            cpuSeconds,
          },
        ];
      }),
    );
  }
}

/** Sum of the end offsets of every topic: messages written to the broker so far. */
export async function kafkaMessagesWritten(admin: Admin): Promise<number> {
  const names = (await admin.listTopics()).filter((name) => !name.startsWith('__'));
  let total = 0;
  for (const name of names) {
    for (const partition of await admin.fetchTopicOffsets(name)) total += Number(partition.high);
  }
  return total;
}

/** Events appended so far across every service's event store (one `events` table per schema). */
export async function eventStoreAppends(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'events' AND table_type = 'BASE TABLE'`,
    );
    let total = 0;
    for (const { schema } of tables) {
      const { rows } = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM "${schema}".events`);
      total += Number(rows[0]?.count ?? 0);
    }
    return total;
  } finally {
    await client.end();
  }
}

/**
 * Transactions the PostgreSQL server has committed so far, every database: appends, checkpoints,
 * timers, read models, and reads too (a lone query is a transaction), so what the services ask of
 * the database.
 */
export async function postgresTransactions(databaseUrl: string): Promise<number> {
  return serverFigure(databaseUrl, 'SELECT sum(xact_commit)::text AS figure FROM pg_stat_database');
}

/**
 * Transactions that wrote something, so far: the server's next transaction id. Only a transaction
 * that writes is given an id (reads are not), so the difference between two readings, less the one
 * this reading takes itself, is the number of write transactions (commits and rollbacks) in between.
 */
export async function postgresWriteTransactions(databaseUrl: string): Promise<number> {
  return serverFigure(databaseUrl, 'SELECT pg_current_xact_id()::text AS figure');
}

/** One number the server reports, read on a connection of its own. */
async function serverFigure(databaseUrl: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ figure: string | null }>(sql);
    return Number(rows[0]?.figure ?? 0);
  } finally {
    await client.end();
  }
}

export interface StatementFigures {
  /** The statement as `pg_stat_statements` normalises it, whitespace folded, cut to 120 characters. */
  statement: string;
  calls: number;
  totalMs: number;
  rows: number;
}

/**
 * Forgets the statement statistics gathered so far (`BENCH_PG_STATEMENTS=1` loads the extension
 * into the bench's server), so a phase reads only its own.
 */
export async function resetStatementStats(databaseUrl: string): Promise<void> {
  await serverFigure(databaseUrl, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await serverFigure(databaseUrl, 'SELECT 0 AS figure FROM pg_stat_statements_reset()');
}

/** The statements the server spent the most time executing since the last reset, most first. */
export async function topStatements(databaseUrl: string, limit: number): Promise<StatementFigures[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ query: string; calls: string; total_ms: number; rows: string }>(
      `SELECT query, sum(calls)::text AS calls, sum(total_exec_time) AS total_ms, sum(rows)::text AS rows
         FROM pg_stat_statements GROUP BY query ORDER BY total_ms DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      statement: row.query.replace(/\s+/g, ' ').slice(0, 120),
      calls: Number(row.calls),
      totalMs: Math.round(row.total_ms),
      rows: Number(row.rows),
    }));
  } finally {
    await client.end();
  }
}
