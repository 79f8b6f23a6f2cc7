import { readFileSync } from 'node:fs';
import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';

/** Brokers from KAFKA_BROKERS (comma-separated), else the local broker that `npm start` runs. */
export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/** How a client proves who it is to the broker: a SASL login, over TLS or not. */
export type KafkaAuth = Pick<KafkaConfig, 'sasl' | 'ssl'>;

const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256'] as const;

/**
 * This process's broker login, from its environment:
 * - `KAFKA_SASL_USERNAME`: the principal (one per service: `npm start` gives each service its own);
 *   without it the client does not authenticate (a broker that asks for nothing).
 * - `KAFKA_SASL_PASSWORD`, or `KAFKA_CREDENTIALS_FILE` (a local broker's `{ principal: password }`
 *   file under `.local/`, written when its storage is formatted).
 * - `KAFKA_SASL_MECHANISM`: `scram-sha-512` (default) or `scram-sha-256`.
 * - `KAFKA_SSL=1` for TLS, with `KAFKA_SSL_CA_FILE` when the broker's certificate is signed by a
 *   private authority.
 */
export function kafkaAuthFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaAuth {
  const ssl = env.KAFKA_SSL === '1' ? (env.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')] } : true) : undefined;
  const username = env.KAFKA_SASL_USERNAME?.trim();
  if (!username) return ssl === undefined ? {} : { ssl };
  const mechanism = (env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512').toLowerCase();
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
    throw new Error(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}, not ${mechanism}`);
  const password =
    env.KAFKA_SASL_PASSWORD ??
    (env.KAFKA_CREDENTIALS_FILE
      ? (JSON.parse(readFileSync(env.KAFKA_CREDENTIALS_FILE, 'utf8')) as Record<string, string>)[username]
      : undefined);
  if (!password)
    throw new Error(
      `no Kafka password for principal ${username}: set KAFKA_SASL_PASSWORD, or KAFKA_CREDENTIALS_FILE to a file that holds it`,
    );
  const sasl: SASLOptions =
    mechanism === 'scram-sha-256' ? { mechanism, username, password } : { mechanism: 'scram-sha-512', username, password };
  return ssl === undefined ? { sasl } : { sasl, ssl };
}

/** The part of KafkaJS's per-connection request queue that `stopIdleRequestQueueTimers` replaces. */
interface KafkaJsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How soon KafkaJS looks at its queued requests again while some wait (its own value). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/**
 * Stops the timer loop every KafkaJS 2.2.4 connection runs while it has nothing to do.
 *
 * Why: after each look at its queued requests, a connection's request queue schedules the next look
 * even when nothing is queued, and with no throttle in force it schedules it at a negative delay
 * (Node runs it after 1 ms, with a `TimeoutNegativeWarning`). So every connection of every client
 * woke up a thousand times a second forever: an idle service spent ~4.5% of a core on it, and under
 * load those wake-ups competed with the real work. KafkaJS is no longer released, so the method is
 * replaced here, once per process: a look is scheduled only while requests are queued (after the
 * throttle, else after KafkaJS's 10 ms), exactly as before for that case; a request queued later
 * schedules its own look, and an answered request triggers one, as in KafkaJS.
 */
export function stopIdleRequestQueueTimers(): void {
  // A deep path of KafkaJS with no types of its own: its `require` is the one way in.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: KafkaJsRequestQueue };
  const prototype = RequestQueue.prototype;
  if (typeof prototype.scheduleCheckPendingRequests !== 'function' || typeof prototype.checkPendingRequests !== 'function') {
    throw new Error('kafkajs changed: its RequestQueue has no scheduleCheckPendingRequests/checkPendingRequests to replace');
  }
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: KafkaJsRequestQueue): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottledMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottledMs > 0 ? untilUnthrottledMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
}

stopIdleRequestQueueTimers();

export function createKafka(clientId: string, brokers: string[] = brokersFromEnv(), auth: KafkaAuth = kafkaAuthFromEnv()): Kafka {
  return new Kafka({
    clientId,
    brokers,
    ...auth,
    logLevel: logLevel.WARN,
    logCreator: compactLogCreator,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
}

/**
 * Creates the topics that do not exist yet, and returns once every one of them can be used: its
 * partitions have leaders in the cluster metadata. Explicit creation (rather than relying on the
 * broker's auto-creation) gives every topic the intended partition count; waiting for the
 * metadata matters on a fresh broker, where services starting together create each other's
 * topics and a consumer that subscribes a moment too early fails with UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function ensureTopics(admin: Admin, topicNames: string[], numPartitions = 4, timeoutMs = 30_000): Promise<void> {
  const wanted = [...new Set(topicNames)];
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = wanted.filter((topic) => !existing.has(topic)).map((topic) => ({ topic, numPartitions }));
  let creationError: unknown;
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (error) {
      // Two benign causes, both seen on a fresh broker: another process created some of the topics
      // first (KafkaJS reports an aggregate "Topic creation errors"), or the topics were created but
      // their metadata has not reached this broker yet (UNKNOWN_TOPIC_OR_PARTITION). Either way the
      // topics will show up with leaders; a real failure shows up as the wait below timing out.
      creationError = error;
    }
  }
  try {
    await waitForLeaders(admin, wanted, timeoutMs);
  } catch (error) {
    throw creationError === undefined
      ? error
      : new Error(`could not create topics ${wanted.join(', ')}: ${String(creationError)}`, { cause: creationError });
  }
}

async function waitForLeaders(admin: Admin, topicNames: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: topicNames });
      const ready =
        topics.length === topicNames.length &&
        topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${topicNames.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** KafkaJS's current partitioner (murmur2, as the Java client), chosen explicitly to silence its warning. */
export const producerDefaults = { createPartitioner: Partitioners.DefaultPartitioner } as const;

/**
 * One line per KafkaJS log entry on stderr. Transient states every client sees while a broker or
 * group or topic starts (coordinator not available yet, a rebalance in progress, a topic whose
 * metadata has not propagated) are retried, by KafkaJS or by ensureTopics, and are not worth a line.
 */
const TRANSIENT =
  /coordinator is not available|rebalance in progress|not the correct coordinator|leadership election|does not host this topic-partition/i;
const compactLogCreator: logCreator =
  () =>
  ({ level, log }) => {
    const { message, error, ...rest } = log as { message: string; error?: string; [key: string]: unknown };
    if (TRANSIENT.test(`${message} ${error ?? ''}`)) return;
    const name = logLevel[level] ?? String(level);
    process.stderr.write(
      `[kafkajs ${name}] ${message}${error ? `: ${error}` : ''} ${JSON.stringify({ broker: rest.broker, groupId: rest.groupId })}\n`,
    );
  };
