/**
 * Where alert events go: `ops.alerts` on Kafka (`KafkaAlertSink`), key = alert key so that one
 * alert's raise and clear stay in order, value = the `ops.InvariantAlert.v1` JSON, the alert id as
 * `message-id`. The producer connects on the first alert, not at start: a projector with nothing to
 * report holds no connection for it, and a broker that is away only delays the alerts, which wait
 * in the outbox (`alert-store.ts`).
 */
import type { IHeaders, Kafka, Message, Producer } from 'kafkajs';
import { HEADER, JSON_CONTENT_TYPE, opsContract } from '@ledger/contracts';
import { ensureTopics, producerDefaults } from '@ledger/messaging';
import type { InvariantAlert } from './alert-store';

export interface AlertSink {
  /** Resolves once the broker has acknowledged every alert (all in-sync replicas). */
  publish(alerts: readonly InvariantAlert[]): Promise<void>;
  close(): Promise<void>;
}

/** Raised when the alerts could not be handed to the broker; they stay in the outbox and go with the next evaluation. */
export class AlertPublishFailed extends Error {
  constructor(
    readonly topic: string,
    readonly alerts: number,
    cause: unknown,
  ) {
    super(`could not publish ${alerts} alert(s) to ${topic}: ${String(cause)}`, { cause });
    this.name = 'AlertPublishFailed';
  }
}

export function alertMessage(alert: InvariantAlert): Message {
  const headers: IHeaders = {
    [HEADER.messageId]: alert.alertId,
    [HEADER.messageType]: opsContract.INVARIANT_ALERT_TYPE,
    [HEADER.occurredAt]: alert.at,
    [HEADER.schemaVersion]: '1',
    [HEADER.contentType]: JSON_CONTENT_TYPE,
  };
  return { key: alert.key, value: JSON.stringify(alert), headers };
}

export interface KafkaAlertSinkOptions {
  kafka: Kafka;
  /** Prefix of the topic name (isolated test runs); the topic is `<prefix>ops.alerts`. */
  topicPrefix?: string;
}

/** The alerts topic has one partition: alerts are rare, and one partition gives all of them one order. */
const ALERTS_TOPIC_PARTITIONS = 1;

export class KafkaAlertSink implements AlertSink {
  readonly topic: string;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly options: KafkaAlertSinkOptions) {
    this.topic = `${options.topicPrefix ?? ''}${opsContract.ALERTS_TOPIC}`;
  }

  private connect(): Promise<Producer> {
    this.connecting ??= (async () => {
      const admin = this.options.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [this.topic], ALERTS_TOPIC_PARTITIONS);
      } finally {
        await admin.disconnect();
      }
      const producer = this.options.kafka.producer(producerDefaults);
      await producer.connect();
      this.producer = producer;
      return producer;
    })();
    // A failed connection is tried again with the next alerts, not remembered.
    this.connecting.catch(() => (this.connecting = undefined));
    return this.connecting;
  }

  async publish(alerts: readonly InvariantAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      const producer = await this.connect();
      await producer.send({ topic: this.topic, acks: -1, messages: alerts.map(alertMessage) });
    } catch (error) {
      throw new AlertPublishFailed(this.topic, alerts.length, error);
    }
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.producer?.disconnect();
    this.producer = undefined;
    this.connecting = undefined;
  }
}
