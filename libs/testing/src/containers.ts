import { getContainerRuntimeClient } from 'testcontainers';

/** True when a Docker (or compatible) engine answers; the Docker CLI alone is not enough. */
export async function dockerAnswers(): Promise<boolean> {
  if (process.env.LEDGER_TESTCONTAINERS === 'off') return false;
  try {
    const attempt = getContainerRuntimeClient().then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
    return await Promise.race([attempt, timeout]);
  } catch {
    return false;
  }
}

// The testcontainers Kafka module drives Confluent's image; Confluent Platform 7.9 ships Apache Kafka 3.9.
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.2';
export const POSTGRES_IMAGE = 'postgres:18';

/** Starts the requested containers; used only where a Docker engine answers. */
export async function startContainers(want: { kafka: boolean; postgres: boolean }) {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const kafkaContainer = want.kafka ? await new KafkaContainer(KAFKA_IMAGE).withKraft().start() : undefined;
  const postgresContainer = want.postgres ? await new PostgreSqlContainer(POSTGRES_IMAGE).start() : undefined;
  return {
    kafka: kafkaContainer && {
      brokers: `${kafkaContainer.getHost()}:${kafkaContainer.getMappedPort(9093)}`,
      version: '3.9 (confluentinc/cp-kafka 7.9)',
    },
    postgres: postgresContainer && { url: postgresContainer.getConnectionUri(), version: POSTGRES_IMAGE.split(':')[1]! },
    async stop() {
      await kafkaContainer?.stop();
      await postgresContainer?.stop();
    },
  };
}
