import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type logCreator } from 'kafkajs';

/** Brokers from KAFKA_BROKERS (comma-separated), else the local broker that `npm start` runs. */
export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

export function createKafka(clientId: string, brokers: string[] = brokersFromEnv()): Kafka {
  return new Kafka({
    clientId,
    brokers,
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
    throw creationError === undefined ? error : new Error(`could not create topics ${wanted.join(', ')}: ${String(creationError)}`, { cause: creationError });
  }
}

async function waitForLeaders(admin: Admin, topicNames: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: topicNames });
      const ready = topics.length === topicNames.length && topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0));
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
const TRANSIENT = /coordinator is not available|rebalance in progress|not the correct coordinator|leadership election|does not host this topic-partition/i;
const compactLogCreator: logCreator = () => ({ level, log }) => {
  const { message, error, ...rest } = log as { message: string; error?: string; [key: string]: unknown };
  if (TRANSIENT.test(`${message} ${error ?? ''}`)) return;
  const name = logLevel[level] ?? String(level);
  process.stderr.write(`[kafkajs ${name}] ${message}${error ? `: ${error}` : ''} ${JSON.stringify({ broker: rest.broker, groupId: rest.groupId })}\n`);
};
