import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { SENDERS, parseActorHeader, type CommandContract, type Sender } from '@ledger/contracts';
import { KafkaCommandClient, createKafka, ensureTopics } from '@ledger/messaging';
import { kafkaBrokers, uniqueSuffix } from './isolation';

export function testKafka(clientId = 'test'): Kafka {
  return createKafka(clientId, kafkaBrokers());
}

/** A started command client of a test harness, sending as `sender` on the command topics under `topicPrefix`. */
export async function startTestClient(options: {
  name: string;
  sender: Sender;
  topicPrefix: string;
  timeoutMs: number;
  /** The harness's own Kafka client, when it also produces with it; else one named `name`. */
  kafka?: Kafka;
}): Promise<KafkaCommandClient> {
  const client = new KafkaCommandClient({
    kafka: options.kafka ?? testKafka(options.name),
    clientName: options.name,
    sender: options.sender,
    topicPrefix: options.topicPrefix,
    defaultTimeoutMs: options.timeoutMs,
  });
  await client.start();
  return client;
}

/**
 * The sender a test plays to send a command as `actor`, as the product would: users, staff,
 * providers and anonymous callers come through the gateway; `system:<sender>` is that sender
 * (`system:payments` is the payments service); any other system or risk rule is an internal system.
 * Given the command, a user's actor that only a service relays (payments reserves as the payer) comes
 * from that service. The tests' broker login may write as every sender; which sender may send what as
 * whom is then the services' check, which is what the tests exercise.
 */
export function senderPlaying(actor: string, contract?: CommandContract): Sender {
  const parsed = parseActorHeader(actor);
  if (parsed?.kind === 'system') return (SENDERS as readonly string[]).includes(parsed.id) ? (parsed.id as Sender) : 'internal';
  const sender: Sender = parsed?.kind === 'risk' ? 'internal' : 'gateway';
  if (contract === undefined || parsed === undefined || contract.senders[sender]?.includes(parsed.kind)) return sender;
  return SENDERS.find((other) => other !== 'internal' && contract.senders[other]?.includes(parsed.kind)) ?? sender;
}

export interface ReceivedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Records every message that arrives on `topics` (from the beginning), so a test can wait for the
 * ones it expects. Stop it in `afterAll`.
 */
export class TopicRecorder {
  readonly messages: ReceivedMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    // Subscribing to a topic that does not exist yet fails; create it with the broker's defaults.
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics);
    } finally {
      await admin.disconnect();
    }
    this.consumer = this.kafka.consumer({ groupId: `recorder-${uniqueSuffix()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => void this.messages.push({ topic, partition, message }),
    });
    return this;
  }

  /** Resolves with the first recorded message that satisfies `match`, waiting up to `timeoutMs`. */
  async waitFor(match: (received: ReceivedMessage) => boolean, timeoutMs = 15_000): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no matching message on ${this.topics.join(', ')} within ${timeoutMs} ms (saw ${this.messages.length})`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
