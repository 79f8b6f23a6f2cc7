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
 * Creates the topics that do not exist yet. Explicit creation (rather than relying on the broker's
 * auto-creation) gives every topic the intended partition count and avoids a first-produce race.
 */
export async function ensureTopics(admin: Admin, topicNames: string[], numPartitions = 4): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = [...new Set(topicNames)].filter((topic) => !existing.has(topic)).map((topic) => ({ topic, numPartitions }));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Services starting together race to create the same topics; KafkaJS then reports an aggregate
    // "Topic creation errors". What matters is that every topic exists now, whoever created it.
    const now = new Set(await admin.listTopics());
    if (missing.some(({ topic }) => !now.has(topic))) throw error;
  }
}

/** KafkaJS's current partitioner (murmur2, as the Java client), chosen explicitly to silence its warning. */
export const producerDefaults = { createPartitioner: Partitioners.DefaultPartitioner } as const;

/**
 * One line per KafkaJS log entry on stderr. Transient states every client sees while a broker or
 * group starts (coordinator not available yet, a rebalance in progress) are retried by KafkaJS
 * itself and are not worth a line.
 */
const TRANSIENT = /coordinator is not available|rebalance in progress|not the correct coordinator|leadership election/i;
const compactLogCreator: logCreator = () => ({ level, log }) => {
  const { message, error, ...rest } = log as { message: string; error?: string; [key: string]: unknown };
  if (TRANSIENT.test(`${message} ${error ?? ''}`)) return;
  const name = logLevel[level] ?? String(level);
  process.stderr.write(`[kafkajs ${name}] ${message}${error ? `: ${error}` : ''} ${JSON.stringify({ broker: rest.broker, groupId: rest.groupId })}\n`);
};
