/**
 * `npm start`: runs the whole system locally (Kafka, PostgreSQL, the partner simulator and every
 * service in apps/), waits
 * until each answers, prints where everything is, and on Ctrl-C (SIGINT) or SIGTERM stops the
 * services first, then the broker and the database, leaving no process behind. Data stays under
 * `.local/<instance>/` between runs; `npm run reset` wipes it.
 *
 * KAFKA_BROKERS / DATABASE_URL, when set, are used instead of starting local servers.
 * LEDGER_INSTANCE, KAFKA_PORT, KAFKA_CONTROLLER_PORT, POSTGRES_PORT, PARTNERS_PORT and GATEWAY_PORT move the local
 * stack (the start/stop test uses them to run beside a developer's own stack).
 * LEDGER_REPLICAS=n runs n instances of every service but the projector (one consumer group per
 * service; replica k of the gateway listens on GATEWAY_PORT + k − 1).
 *
 * Every service instance serves metrics and health on a management port of 127.0.0.1 (MANAGEMENT_PORT_BASE,
 * default 9400, plus the service's offset, plus 10 per replica; MANAGEMENT_PORT_BASE=0 picks free ports).
 * `--prometheus` (or LEDGER_PROMETHEUS=1) also runs a Prometheus server (PROMETHEUS_PORT, default 9490)
 * that scrapes them with the rules of deploy/prometheus/.
 *
 * `.local/<instance>/run/stack.json` always names the live processes (rewritten after a restart),
 * for tools such as `npm run bench` and `npm run chaos`; SIGUSR2 restarts the local Kafka broker
 * (same data, same port), which `npm run chaos` uses to test a broker restart under load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pingCommand, topics } from '@ledger/contracts';
import {
  LOCAL_STACK,
  freePort,
  localDir,
  repoRoot,
  stackFilePath,
  startKafka,
  startPostgres,
  startProcess,
  waitForKafka,
  type ManagedProcess,
  type StackFile,
} from '@ledger/local-infra';
import { KafkaCommandClient, createKafka, kafkaAuthFromEnv, type KafkaAuth } from '@ledger/messaging';
import { DEFAULT_SIMULATOR_URL } from '@ledger/partners-http';
import { DEFAULT_MANAGEMENT_PORT_BASE, MANAGEMENT_ROUTES, REPLICA_PORT_STRIDE, defaultManagementPort } from '@ledger/observability';
import { DEFAULT_PROMETHEUS_PORT, startPrometheus, type RunningPrometheus } from './prometheus';
import { devNotes } from './dev-notes';
import { DEV_MODE_VARIABLE } from '@ledger/util';

const env = process.env;
const instance = env.LEDGER_INSTANCE ?? LOCAL_STACK.dev.instance;
const runDir = path.join(localDir, instance, 'run');
const logDir = path.join(localDir, instance, 'logs');
const say = (line: string) => console.log(`[start] ${line}`);

/** The app that plays the outside world (acquirer, issuer, billers, SMS, providers): started first, not a service. */
export const PARTNER_SIMULATOR_APP = 'partners';

/** Every other app with a `src/main.ts` is a service; its folder name is its bounded context. */
export function discoverServices(): string[] {
  const appsDir = path.join(repoRoot, 'apps');
  return readdirSync(appsDir).filter((name) => name !== PARTNER_SIMULATOR_APP && existsSync(path.join(appsDir, name, 'src', 'main.ts')));
}

async function main(): Promise<void> {
  mkdirSync(runDir, { recursive: true });
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let stopping = false;
  const stopAll = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    say(
      `${signal}: stopping ${stops
        .map((s) => s.name)
        .reverse()
        .join(', ')}`,
    );
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
  let kafkaProcess: { readonly current: ManagedProcess; restart(): Promise<void> } | undefined;
  let postgresPid: number | undefined;
  let brokers = env.KAFKA_BROKERS;
  // A local broker's principals and their passwords (absent for an external broker: its login comes from the environment).
  let kafkaCredentialsFile: string | undefined;
  if (brokers) {
    await waitForKafka(brokers, 60_000, kafkaAuthFromEnv(env));
    rows.push(['kafka', brokers, 'external (KAFKA_BROKERS)', '-']);
  } else {
    const startBroker = () =>
      startKafka({
        instance,
        port: Number(env.KAFKA_PORT ?? LOCAL_STACK.dev.kafkaPort),
        controllerPort: Number(env.KAFKA_CONTROLLER_PORT ?? LOCAL_STACK.dev.kafkaControllerPort),
      });
    let kafka = await startBroker();
    kafkaProcess = {
      get current() {
        return kafka.process;
      },
      async restart() {
        say('restarting the Kafka broker (SIGUSR2)');
        await kafka.stop();
        kafka = await startBroker();
        say(`Kafka broker back, pid ${kafka.process.pid}`);
      },
    };
    stops.push({ name: 'kafka', stop: () => kafka.stop() });
    brokers = kafka.brokers;
    kafkaCredentialsFile = kafka.credentialsFile;
    rows.push(['kafka', brokers, `Apache Kafka ${kafka.version}, pid ${kafka.process.pid}`, rel(kafka.process.logFile)]);
  }
  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl) {
    rows.push(['postgres', redact(databaseUrl), 'external (DATABASE_URL)', '-']);
  } else {
    const postgres = await startPostgres({
      instance,
      port: Number(env.POSTGRES_PORT ?? LOCAL_STACK.dev.postgresPort),
      statementStats: env.POSTGRES_STATEMENT_STATS === '1',
    });
    stops.push({ name: 'postgres', stop: postgres.stop });
    postgresPid = postgres.process.pid;
    // The services run on this machine: they talk to it over its Unix socket (cheaper than loopback TCP).
    databaseUrl = postgres.socketUrl ?? postgres.url;
    rows.push([
      'postgres',
      redact(databaseUrl),
      `PostgreSQL ${postgres.version}`,
      rel(path.join(localDir, instance, 'postgres', 'postgres.log')),
    ]);
  }
  if (stopping) return;

  say('building services');
  execFileSync('nx', ['run-many', '-t', 'build', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: repoRoot });

  const services = discoverServices();
  // The partner simulator first: identity asks whether its SMS gateway is a simulator when it starts.
  const partnersUrl = `http://127.0.0.1:${partnersPort}`;
  const partners = superviseService(
    PARTNER_SIMULATOR_APP,
    1,
    {
      ...env,
      [DEV_MODE_VARIABLE]: '1',
      PARTNERS_PORT: String(partnersPort),
      PARTNERS_CALLBACK_URL: `http://127.0.0.1:${gatewayPort(1)}/provider-callbacks`,
    },
    () => stopping,
    () => writeStackFile(),
  );
  stops.push({ name: PARTNER_SIMULATOR_APP, stop: () => partners.stop() });
  await waitForHttp(partnersUrl, 30_000);
  rows.push([PARTNER_SIMULATOR_APP, partnersUrl, `partner simulator, pid ${partners.current.pid}`, rel(partners.current.logFile)]);
  // The local stack: development keys and the partner simulator, asked for explicitly (a deployment never sets it).
  const serviceEnv: NodeJS.ProcessEnv = {
    ...env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    PARTNERS_URL: partnersUrl,
    // Each event store's signed checkpoints are copied to the broker, where the store's writers cannot reach them.
    EVENT_CHECKPOINT_TOPIC: env.EVENT_CHECKPOINT_TOPIC ?? topics.checkpoints,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    [DEV_MODE_VARIABLE]: '1',
    ...(kafkaCredentialsFile ? { KAFKA_CREDENTIALS_FILE: kafkaCredentialsFile } : {}),
  };
  // On the local broker each service logs in as its own principal, with its password from the broker's credentials file.
  const { KAFKA_SASL_PASSWORD: _externalPassword, ...localServiceEnv } = serviceEnv;
  const envOf = (name: string) => (kafkaCredentialsFile ? { ...localServiceEnv, KAFKA_SASL_USERNAME: name } : serviceEnv);
  const managementPorts = await assignManagementPorts(services);
  const supervised = services.flatMap((name) =>
    Array.from({ length: replicasOf(name) }, (_, index) =>
      superviseService(
        name,
        index + 1,
        { ...replicaEnv(name, index + 1, envOf(name)), MANAGEMENT_PORT: String(managementPorts.get(`${name}#${index + 1}`)) },
        () => stopping,
        () => writeStackFile(),
      ),
    ),
  );
  for (const service of supervised) stops.push({ name: service.label, stop: () => service.stop() });
  let prometheus: RunningPrometheus | undefined;

  const writeStackFile = () => {
    const stack: StackFile = {
      supervisorPid: process.pid,
      brokers,
      ...(kafkaCredentialsFile ? { kafkaCredentialsFile } : {}),
      databaseUrl,
      infra: { kafka: kafkaProcess?.current.pid, postgres: postgresPid },
      pids: Object.fromEntries(supervised.filter((service) => service.replica === 1).map((service) => [service.name, service.current.pid])),
      instances: Object.fromEntries(
        services.map((name) => [name, supervised.filter((service) => service.name === name).map((service) => service.current.pid)]),
      ),
      partners: { url: partnersUrl, pid: partners.current.pid },
      management: Object.fromEntries(
        services.map((name) => [
          name,
          supervised.filter((service) => service.name === name).map((service) => managementUrl(managementPorts, service)),
        ]),
      ),
      ...(prometheus ? { prometheus: { url: prometheus.url, pid: prometheus.process.pid } } : {}),
    };
    writeFileSync(stackFilePath(instance), JSON.stringify(stack, null, 2));
  };

  await waitUntilHealthy(
    services,
    brokers,
    kafkaCredentialsFile
      ? kafkaAuthFromEnv({ KAFKA_SASL_USERNAME: 'operator', KAFKA_CREDENTIALS_FILE: kafkaCredentialsFile })
      : kafkaAuthFromEnv(env),
  );
  for (const service of supervised) {
    const where =
      service.name === 'gateway'
        ? `http://127.0.0.1:${gatewayPort(service.replica)} (API page: /docs)`
        : `commands on ${service.name}.commands.from.*`;
    rows.push([service.label, where, `pid ${service.current.pid}`, rel(service.current.logFile)]);
  }
  if (withPrometheus) {
    prometheus = await startPrometheus({
      instance,
      port: Number(env.PROMETHEUS_PORT ?? DEFAULT_PROMETHEUS_PORT),
      targets: supervised.map((service) => ({
        service: service.name,
        replica: service.replica,
        address: new URL(managementUrl(managementPorts, service)).host,
      })),
    });
    const running = prometheus;
    if (stopping) return void (await running.stop());
    // Stopped before the services (the stops run last to first): its last scrapes see them all.
    stops.push({ name: 'prometheus', stop: () => running.stop() });
    rows.push(['prometheus', running.url, `Prometheus, pid ${running.process.pid}`, rel(running.process.logFile)]);
  }
  printTable(rows);
  console.log('');
  console.log(
    `  Metrics and health (management ports, 127.0.0.1): ${MANAGEMENT_ROUTES.metrics}, ${MANAGEMENT_ROUTES.live}, ${MANAGEMENT_ROUTES.ready}`,
  );
  printTable(supervised.map((service) => [service.label, `${managementUrl(managementPorts, service)}${MANAGEMENT_ROUTES.metrics}`]));
  if (prometheus)
    console.log(
      `  Prometheus: ${prometheus.url}/graph (targets ${prometheus.url}/targets, alerts ${prometheus.url}/alerts, rules deploy/prometheus/ledger.rules.yml)`,
    );
  else console.log('  Prometheus: off (npm start -- --prometheus, or LEDGER_PROMETHEUS=1, runs one that scrapes these ports)');
  console.log('');
  for (const line of devNotes({ gatewayUrl: `http://127.0.0.1:${gatewayPort(1)}`, partnersUrl })) console.log(line);
  writeStackFile();
  process.on('SIGUSR2', () => {
    if (!kafkaProcess || stopping) return say('SIGUSR2: no local broker to restart');
    void kafkaProcess.restart().then(writeStackFile, (error: unknown) => failed(error));
  });
  say('ready. Ctrl-C stops everything.');
}

/** The projector is one writer per read model; every other service scales out on its consumer group. */
function replicasOf(service: string): number {
  const replicas = Number(env.LEDGER_REPLICAS ?? 1);
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new Error(`LEDGER_REPLICAS must be a positive integer, not ${env.LEDGER_REPLICAS}`);
  return service === 'projector' ? 1 : replicas;
}

const gatewayPort = (replica: number) => Number(env.GATEWAY_PORT ?? 3000) + replica - 1;
const withPrometheus = process.argv.includes('--prometheus') || env.LEDGER_PROMETHEUS === '1';

/**
 * The management port of every service instance (key `<service>#<replica>`): MANAGEMENT_PORT_BASE
 * (default 9400) plus the service's offset plus 10 per replica, so each service keeps its port from
 * one start to the next; MANAGEMENT_PORT_BASE=0 picks free ports instead (a second stack beside one).
 */
async function assignManagementPorts(services: readonly string[]): Promise<Map<string, number>> {
  const base = Number(env.MANAGEMENT_PORT_BASE ?? DEFAULT_MANAGEMENT_PORT_BASE);
  if (!Number.isInteger(base) || base < 0 || base > 65_000)
    throw new Error(`MANAGEMENT_PORT_BASE must be a port number, not ${env.MANAGEMENT_PORT_BASE}`);
  const ports = new Map<string, number>();
  for (const name of services)
    for (let replica = 1; replica <= replicasOf(name); replica++)
      ports.set(
        `${name}#${replica}`,
        base === 0 ? await freePort() : defaultManagementPort(name, base) + REPLICA_PORT_STRIDE * (replica - 1),
      );
  return ports;
}

const managementUrl = (ports: ReadonlyMap<string, number>, service: { name: string; replica: number }) =>
  `http://127.0.0.1:${ports.get(`${service.name}#${service.replica}`)}`;
const partnersPort = Number(env.PARTNERS_PORT ?? new URL(DEFAULT_SIMULATOR_URL).port);

/** Waits until `url` answers at all (the partner simulator has no Kafka to ping). */
async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answered = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return say(`${PARTNER_SIMULATOR_APP} healthy`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function replicaEnv(service: string, replica: number, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, SERVICE_REPLICA: String(replica), ...(service === 'gateway' ? { GATEWAY_PORT: String(gatewayPort(replica)) } : {}) };
}

/** Restarts of one service within RESTART_WINDOW_MS after which the supervisor gives up on it (and says so). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * Runs one service instance and restarts it when it exits unexpectedly (a crash, or a transient
 * failure while the broker is still settling at start-up), with a growing delay, giving up after
 * MAX_RESTARTS within a minute, as a process supervisor would in production.
 */
function superviseService(name: string, replica: number, serviceEnv: NodeJS.ProcessEnv, isStopping: () => boolean, onRestart: () => void) {
  const label = replica === 1 ? name : `${name}#${replica}`;
  const fileName = replica === 1 ? name : `${name}-${replica}`;
  const restarts: number[] = [];
  const launch = (): ManagedProcess => {
    const proc = startProcess({
      name: label,
      command: process.execPath,
      // KafkaJS 2.2.4 sets a negative timer delay that Node 24 clamps to 1 ms, as intended; the
      // warning it prints is noise (kafkajs#1751).
      args: ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', path.join(repoRoot, 'dist/apps', name, 'src/main.js')],
      logFile: path.join(logDir, `${fileName}.log`),
      pidFile: path.join(runDir, `${fileName}.pid`),
      env: serviceEnv,
    });
    void proc.exited.then(async (code) => {
      if (isStopping()) return;
      const now = Date.now();
      while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS)
        return say(`${label} exited with ${code} after ${MAX_RESTARTS} restarts within a minute; giving up, see ${rel(proc.logFile)}`);
      restarts.push(now);
      const delayMs = 250 * 2 ** restarts.length;
      say(
        `${label} exited with ${code}; restarting in ${delayMs} ms (${restarts.length}/${MAX_RESTARTS} this minute), see ${rel(proc.logFile)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (isStopping()) return;
      service.current = launch();
      onRestart();
    });
    return proc;
  };
  const service = {
    name,
    replica,
    label,
    current: launch(),
    stop: () => service.current.stop(10_000),
  };
  return service;
}

/** A service is healthy once it answers its Ping command through the broker. */
async function waitUntilHealthy(services: string[], brokers: string, auth: KafkaAuth): Promise<void> {
  const client = new KafkaCommandClient({
    kafka: createKafka('start', brokers.split(','), auth),
    clientName: 'operator',
    sender: 'operator',
    defaultTimeoutMs: 5_000,
  });
  await client.start();
  try {
    await Promise.all(
      services.map(async (service) => {
        const deadline = Date.now() + 120_000;
        for (;;) {
          const result = await client.send(pingCommand(service), {}, { key: service, actor: 'system:operator' });
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
