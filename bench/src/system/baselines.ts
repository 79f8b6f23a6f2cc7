import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { ensureTopics, producerDefaults, type KafkaAuth } from '@ledger/messaging';
import { latencySummary } from '../report';
import { runConcurrently } from '../bench-infra';

/**
 * The raw speed of the two components every payment goes through, measured on the same broker and
 * database as the system run: what the services' figures are compared against.
 */

/** KafkaJS produce → consume round trips: `concurrency` loops each send one message and wait until a consumer receives it. */
export async function kafkaRoundTrips(kafka: Kafka, concurrency: number, durationMs: number) {
  const topic = `bench.round-trip.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topic], 4);
  const producer = kafka.producer(producerDefaults);
  await producer.connect();
  const consumer = kafka.consumer({ groupId: topic, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const waiting = new Map<string, () => void>();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: async ({ message }) => {
      const id = message.value?.toString() ?? '';
      waiting.get(id)?.();
      waiting.delete(id);
    },
  });
  await joined;
  try {
    const run = await runConcurrently(concurrency, durationMs, async () => {
      const id = randomUUID();
      const received = new Promise<void>((resolve) => waiting.set(id, resolve));
      await producer.send({ topic, messages: [{ key: id, value: id }] });
      await received;
    });
    return { roundTripsPerSecond: Math.round(run.operations / (run.elapsedMs / 1000)), concurrency, ...latencySummary(run.latenciesMs) };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The same round trips through `@platformatic/kafka` (a reference for what the client library
 * costs; the services stay on KafkaJS): `concurrency` loops each produce one message and wait until
 * a consumer of the same topic receives it.
 */
export async function platformaticRoundTrips(kafka: Kafka, brokers: string[], auth: KafkaAuth, concurrency: number, durationMs: number) {
  const { Consumer, Producer, stringDeserializers, stringSerializers } = await import('@platformatic/kafka');
  const topic = `bench.round-trip-platformatic.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [topic], 4);
  // The same login as the KafkaJS client (SCRAM on the local broker).
  const login =
    auth.sasl && 'username' in auth.sasl
      ? {
          sasl: {
            mechanism: auth.sasl.mechanism.toUpperCase() as 'SCRAM-SHA-512' | 'SCRAM-SHA-256',
            username: auth.sasl.username,
            password: auth.sasl.password,
          },
        }
      : {};
  const producer = new Producer({ clientId: 'bench-platformatic', bootstrapBrokers: brokers, serializers: stringSerializers, ...login });
  const consumer = new Consumer({
    groupId: topic,
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
    maxWaitTime: 20,
    ...login,
  });
  const waiting = new Map<string, () => void>();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true });
  stream.on('data', (message: { value: string }) => {
    waiting.get(message.value)?.();
    waiting.delete(message.value);
  });
  try {
    // The first message through proves the consumer has its partitions.
    const first = randomUUID();
    const warm = new Promise<void>((resolve) => waiting.set(first, resolve));
    await producer.send({ messages: [{ topic, key: first, value: first }] });
    await warm;
    const run = await runConcurrently(concurrency, durationMs, async () => {
      const id = randomUUID();
      const received = new Promise<void>((resolve) => waiting.set(id, resolve));
      await producer.send({ messages: [{ topic, key: id, value: id }] });
      await received;
    });
    return { roundTripsPerSecond: Math.round(run.operations / (run.elapsedMs / 1000)), concurrency, ...latencySummary(run.latenciesMs) };
  } finally {
    await stream.close();
    await consumer.close();
    await producer.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Single-row INSERT commits (autocommit, one row per transaction) from `concurrency` connections. */
export async function postgresInsertCommits(databaseUrl: string, concurrency: number, durationMs: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  const table = `bench_insert_${randomUUID().slice(0, 8)}`;
  await pool.query(`CREATE TABLE ${table} (id uuid PRIMARY KEY, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  try {
    const run = await runConcurrently(concurrency, durationMs, () =>
      pool.query(`INSERT INTO ${table} (id, data) VALUES ($1, $2)`, [randomUUID(), '{"amountMinor":"1250"}']),
    );
    return { commitsPerSecond: Math.round(run.operations / (run.elapsedMs / 1000)), concurrency, ...latencySummary(run.latenciesMs) };
  } finally {
    await pool.query(`DROP TABLE ${table}`);
    await pool.end();
  }
}

/** A PostgreSQL baseline and the route it took to the server (`databaseRoutes`). */
export type PostgresBaseline = Awaited<ReturnType<typeof postgresInsertCommits>> & { via: string };

/** The database URL the services use, and the same server over TCP when that URL names a Unix socket. */
export function databaseRoutes(databaseUrl: string): Array<[string, string]> {
  const url = new URL(databaseUrl);
  if (!url.searchParams.get('host')?.startsWith('/')) return [['TCP', databaseUrl]];
  url.searchParams.delete('host');
  return [
    ['the Unix socket (as the services)', databaseUrl],
    ['TCP', url.toString()],
  ];
}
