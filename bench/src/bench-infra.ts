import { Client, Pool } from 'pg';
import { startPostgres, type RunningPostgres } from '@ledger/local-infra';

let server: Promise<{ adminUrl: string; stop(): Promise<void> }> | undefined;

/**
 * The PostgreSQL server a benchmark measures: `DATABASE_URL` when set, else a local durable server
 * of its own (`.local/bench/postgres`, fsync on, as in production) so figures are not flattered by
 * the test cluster's unsafe settings. Started once per process; `stopBenchServer()` ends it.
 */
function benchServer(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  server ??= process.env.DATABASE_URL
    ? Promise.resolve({ adminUrl: process.env.DATABASE_URL, stop: async () => undefined })
    : startPostgres({ instance: 'bench', port: Number(process.env.BENCH_POSTGRES_PORT ?? 54330) }).then((running: RunningPostgres) => ({
        adminUrl: running.url,
        stop: running.stop,
      }));
  return server;
}

export async function stopBenchServer(): Promise<void> {
  if (server) await (await server).stop();
  server = undefined;
}

/** A fresh database on the benchmark server for one run. */
export async function benchDatabase(label: string): Promise<{ url: string; serverVersion: string; drop(): Promise<void> }> {
  const { adminUrl } = await benchServer();
  const name = `bench_${label}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    serverVersion: rows[0]!.server_version,
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Runs `work` from `concurrency` loops until `durationMs` passes; returns per-operation latencies. */
export async function runConcurrently(
  concurrency: number,
  durationMs: number,
  work: (worker: number, iteration: number) => Promise<unknown>,
): Promise<{ operations: number; elapsedMs: number; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let iteration = 0; performance.now() < deadline; iteration++) {
        const t0 = performance.now();
        await work(worker, iteration);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  return { operations: latenciesMs.length, elapsedMs: performance.now() - started, latenciesMs };
}

export function pool(url: string, max: number): Pool {
  return new Pool({ connectionString: url, max });
}
