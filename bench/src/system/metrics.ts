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

/** Samples the RSS of every process of the stack (and of this load generator) once a second. */
export class RssSampler {
  private readonly samples = new Map<string, number[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly stack: () => StackFile) {}

  start(): void {
    const sample = () => {
      const stack = this.stack();
      const processes: Array<[string, number[]]> = [['load-generator', [process.pid]]];
      if (stack.infra.kafka) processes.push(['kafka', [stack.infra.kafka]]);
      if (stack.infra.postgres) processes.push(['postgres (all backends)', descendants(stack.infra.postgres)]);
      for (const [service, pids] of Object.entries(stack.instances)) pids.forEach((pid, i) => processes.push([pids.length > 1 ? `${service}#${i + 1}` : service, [pid]]));
      for (const [name, pids] of processes) {
        let list = this.samples.get(name);
        if (!list) this.samples.set(name, (list = []));
        list.push(pids.reduce((sum, pid) => sum + rssMiB(pid), 0));
      }
    };
    sample();
    this.timer = setInterval(sample, 1_000);
  }

  stop(): Record<string, { meanMiB: number; maxMiB: number }> {
    if (this.timer) clearInterval(this.timer);
    return Object.fromEntries(
      [...this.samples].map(([name, values]) => [name, { meanMiB: Math.round(values.reduce((a, b) => a + b, 0) / values.length), maxMiB: Math.round(Math.max(...values)) }]),
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
    const { rows: tables } = await client.query<{ schema: string }>(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'events' AND table_type = 'BASE TABLE'`);
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
