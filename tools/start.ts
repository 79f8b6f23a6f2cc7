/**
 * `npm start`: runs the whole system locally (Kafka, PostgreSQL and every service in apps/), waits
 * until each answers, prints where everything is, and on Ctrl-C (SIGINT) or SIGTERM stops the
 * services first, then the broker and the database, leaving no process behind. Data stays under
 * `.local/<instance>/` between runs; `npm run reset` wipes it.
 *
 * KAFKA_BROKERS / DATABASE_URL, when set, are used instead of starting local servers.
 * LEDGER_INSTANCE, KAFKA_PORT, KAFKA_CONTROLLER_PORT, POSTGRES_PORT and GATEWAY_PORT move the local
 * stack (the start/stop test uses them to run beside a developer's own stack).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pingCommand } from '@ledger/contracts';
import { LOCAL_STACK, localDir, repoRoot, startKafka, startPostgres, startProcess, waitForKafka, type ManagedProcess } from '@ledger/local-infra';
import { KafkaCommandClient, createKafka } from '@ledger/messaging';

const env = process.env;
const instance = env.LEDGER_INSTANCE ?? LOCAL_STACK.dev.instance;
const runDir = path.join(localDir, instance, 'run');
const logDir = path.join(localDir, instance, 'logs');
const say = (line: string) => console.log(`[start] ${line}`);

/** Every app with a `src/main.ts` is a service; its folder name is its bounded context. */
export function discoverServices(): string[] {
  const appsDir = path.join(repoRoot, 'apps');
  return readdirSync(appsDir).filter((name) => existsSync(path.join(appsDir, name, 'src', 'main.ts')));
}

async function main(): Promise<void> {
  mkdirSync(runDir, { recursive: true });
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let stopping = false;
  const stopAll = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping ${stops.map((s) => s.name).reverse().join(', ')}`);
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((error: unknown) => say(`${name} did not stop cleanly: ${String(error)}`));
    }
    say('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  failed = (error) => {
    console.error('[start] failed:', error);
    void stopAll('failure', 1);
  };

  const rows: string[][] = [];
  let brokers = env.KAFKA_BROKERS;
  if (brokers) {
    await waitForKafka(brokers, 60_000);
    rows.push(['kafka', brokers, 'external (KAFKA_BROKERS)', '-']);
  } else {
    const kafka = await startKafka({
      instance,
      port: Number(env.KAFKA_PORT ?? LOCAL_STACK.dev.kafkaPort),
      controllerPort: Number(env.KAFKA_CONTROLLER_PORT ?? LOCAL_STACK.dev.kafkaControllerPort),
    });
    stops.push({ name: 'kafka', stop: kafka.stop });
    brokers = kafka.brokers;
    rows.push(['kafka', brokers, `Apache Kafka ${kafka.version}, pid ${kafka.process.pid}`, rel(kafka.process.logFile)]);
  }
  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    rows.push(['postgres', redact(databaseUrl), 'external (DATABASE_URL)', '-']);
  } else {
    const postgres = await startPostgres({ instance, port: Number(env.POSTGRES_PORT ?? LOCAL_STACK.dev.postgresPort) });
    stops.push({ name: 'postgres', stop: postgres.stop });
    databaseUrl = postgres.url;
    rows.push(['postgres', redact(databaseUrl), `PostgreSQL ${postgres.version}`, rel(path.join(localDir, instance, 'postgres', 'postgres.log'))]);
  }
  if (stopping) return;

  say('building services');
  execFileSync('nx', ['run-many', '-t', 'build', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: repoRoot });

  const services = discoverServices();
  const supervised = services.map((name) =>
    superviseService(name, { ...env, KAFKA_BROKERS: brokers, DATABASE_URL: databaseUrl, KAFKAJS_NO_PARTITIONER_WARNING: '1' }, () => stopping),
  );
  for (const service of supervised) stops.push({ name: service.name, stop: () => service.stop() });

  await waitUntilHealthy(services, brokers);
  for (const service of supervised) {
    const where = service.name === 'gateway' ? `http://127.0.0.1:${env.GATEWAY_PORT ?? 3000} (API page: /docs)` : `commands on ${service.name}.commands`;
    rows.push([service.name, where, `pid ${service.current.pid}`, rel(service.current.logFile)]);
  }
  printTable(rows);
  // The pids of everything started, for tools and for the start/stop test.
  writeFileSync(path.join(runDir, 'stack.json'), JSON.stringify({ supervisorPid: process.pid, brokers, pids: Object.fromEntries(supervised.map((service) => [service.name, service.current.pid])) }, null, 2));
  say('ready. Ctrl-C stops everything.');
}

/** Most restarts of one service before the supervisor gives up on it (and says so). */
const MAX_RESTARTS = 5;

/**
 * Runs one service and restarts it when it exits unexpectedly (a crash, or a transient failure
 * while the broker is still settling at start-up), with a growing delay and at most MAX_RESTARTS
 * times, as a process supervisor would in production.
 */
function superviseService(name: string, serviceEnv: NodeJS.ProcessEnv, isStopping: () => boolean) {
  let restarts = 0;
  const launch = (): ManagedProcess => {
    const proc = startProcess({
      name,
      command: process.execPath,
      // KafkaJS 2.2.4 sets a negative timer delay that Node 24 clamps to 1 ms, as intended; the
      // warning it prints is noise (kafkajs#1751).
      args: ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', path.join(repoRoot, 'dist/apps', name, 'src/main.js')],
      logFile: path.join(logDir, `${name}.log`),
      pidFile: path.join(runDir, `${name}.pid`),
      env: serviceEnv,
    });
    void proc.exited.then(async (code) => {
      if (isStopping()) return;
      if (restarts >= MAX_RESTARTS) return say(`${name} exited with ${code} and was restarted ${MAX_RESTARTS} times already; giving up, see ${rel(proc.logFile)}`);
      restarts++;
      const delayMs = 500 * 2 ** restarts;
      say(`${name} exited with ${code}; restarting in ${delayMs} ms (${restarts}/${MAX_RESTARTS}), see ${rel(proc.logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (!isStopping()) service.current = launch();
    });
    return proc;
  };
  const service = {
    name,
    current: launch(),
    stop: () => service.current.stop(10_000),
  };
  return service;
}

/** A service is healthy once it answers its Ping command through the broker. */
async function waitUntilHealthy(services: string[], brokers: string): Promise<void> {
  const client = new KafkaCommandClient({ kafka: createKafka('start', brokers.split(',')), clientName: 'start', defaultTimeoutMs: 5_000 });
  await client.start();
  try {
    await Promise.all(
      services.map(async (service) => {
        const deadline = Date.now() + 120_000;
        for (;;) {
          const result = await client.send(pingCommand(service), {}, { key: service, actor: 'system:start' });
          if (result.status === 'accepted') return say(`${service} healthy`);
          if (Date.now() > deadline) throw new Error(`${service} did not answer its health check: ${result.code}`);
        }
      }),
    );
  } finally {
    await client.stop();
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log('  ' + row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

const rel = (file: string) => path.relative(repoRoot, file);
const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

let failed: (error: unknown) => void = (error) => {
  console.error('[start] failed:', error);
  process.exit(1);
};
main().catch((error: unknown) => failed(error));
