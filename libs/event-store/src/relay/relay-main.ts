/**
 * Runs an event relay as a process of its own:
 *   DATABASE_URL=… KAFKA_BROKERS=… RELAY_TOPIC=wallet.events node -r @swc-node/register libs/event-store/src/relay/relay-main.ts
 * Optional: EVENT_STORE_SCHEMA, RELAY_NAME, RELAY_CATEGORY, RELAY_BATCH_SIZE. Services embed
 * `EventRelay` instead; this entry point serves operators and the relay's crash test.
 */
import { createKafka } from '@ledger/messaging';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { EventRelay } from './event-relay';

async function main(): Promise<void> {
  const env = process.env;
  const topic = env.RELAY_TOPIC;
  if (!env.DATABASE_URL || !topic) throw new Error('DATABASE_URL and RELAY_TOPIC are required');
  const store = new PostgresEventStore({ connectionString: env.DATABASE_URL, schema: env.EVENT_STORE_SCHEMA });
  await store.init();
  const relay = new EventRelay({
    store,
    kafka: createKafka('event-relay'),
    topicFor: () => topic,
    name: env.RELAY_NAME,
    category: env.RELAY_CATEGORY,
    batchSize: env.RELAY_BATCH_SIZE ? Number(env.RELAY_BATCH_SIZE) : undefined,
    onError: (error) => console.error('relay failed', error),
  });
  await relay.start();
  console.log(`relay: publishing to ${topic}`);
  const stop = async () => {
    await relay.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  await relay.done;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
