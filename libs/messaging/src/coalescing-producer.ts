import type { Message, Producer } from 'kafkajs';

interface Pending {
  topic: string;
  messages: Message[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Sends what many callers produce within one turn of the event loop as one produce request.
 *
 * KafkaJS has no linger: every `producer.send` is a request of its own, and under load a service
 * spent more time writing thousands of tiny requests to the socket than deciding anything. Here the
 * messages of every `send` made before the next `setImmediate` go out together through
 * `sendBatch` (grouped by topic), so nothing waits for a timer (an idle service sends at once) and
 * a busy one sends one request where it sent hundreds. Every caller still learns whether its own
 * messages were acknowledged (acks from all in-sync replicas); if the batch fails, each caller gets
 * the error and decides, as it would have for its own request.
 */
export class CoalescingProducer {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly producer: Producer) {}

  send(topic: string, messages: Message[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      let messages = byTopic.get(pending.topic);
      if (!messages) byTopic.set(pending.topic, (messages = []));
      messages.push(...pending.messages);
    }
    try {
      await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }
}
