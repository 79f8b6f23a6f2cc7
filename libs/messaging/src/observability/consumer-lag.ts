import { consumerLag, consumerLagSampleFailures, PeriodicSampler, sampleIntervalFromEnv } from '@ledger/observability';
import type { Admin, Kafka } from 'kafkajs';

export interface ConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  /** The topics the group consumes (read at every sample: a server knows them once it has started). */
  topics: () => readonly string[];
  /** Default METRICS_SAMPLE_INTERVAL_MS, else 15 s. */
  intervalMs?: number;
}

/**
 * Samples a consumer group's lag per partition (the partition's high watermark minus the group's
 * committed offset; the low watermark stands in for a partition the group never committed) into
 * `ledger_consumer_lag_messages`, on a timer: one offsets request for the group and one per topic
 * each interval, nothing per message. Start it once the group runs; `stop()` removes its series.
 */
export class ConsumerLagSampler {
  private admin?: Admin;
  private readonly sampler: PeriodicSampler;
  /** The label sets this sampler wrote, removed when it stops (so a stopped group leaves no stale figure). */
  private readonly written = new Map<string, { group: string; topic: string; partition: string }>();

  constructor(private readonly options: ConsumerLagOptions) {
    this.sampler = new PeriodicSampler(
      options.intervalMs ?? sampleIntervalFromEnv(),
      () => this.sample(),
      () => consumerLagSampleFailures.labels(options.groupId).inc(),
    );
  }

  start(): void {
    this.sampler.start();
  }

  async stop(): Promise<void> {
    await this.sampler.stop();
    for (const labels of this.written.values()) consumerLag.remove(labels);
    this.written.clear();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  private async sample(): Promise<void> {
    const topics = [...this.options.topics()];
    if (topics.length === 0) return;
    if (!this.admin) {
      const admin = this.options.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      this.admin = admin;
    }
    try {
      const group = this.options.groupId;
      const committed = await this.admin.fetchOffsets({ groupId: group, topics });
      for (const { topic, partitions } of committed) {
        const watermarks = await this.admin.fetchTopicOffsets(topic);
        const offsetOf = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
        for (const { partition, high, low } of watermarks) {
          const position = offsetOf.get(partition) ?? -1;
          const lag = Math.max(0, Number(high) - (position >= 0 ? position : Number(low)));
          const labels = { group, topic, partition: String(partition) };
          consumerLag.set(labels, lag);
          this.written.set(`${topic}:${partition}`, labels);
        }
      }
    } catch (error) {
      // The next sample opens a fresh connection.
      await this.admin.disconnect().catch(() => undefined);
      this.admin = undefined;
      throw error;
    }
  }
}
