import type { Consumer, EachMessagePayload } from 'kafkajs';

/**
 * The offsets a consumer has handled, committed every `commitIntervalMs` (and when it stops)
 * instead of after every fetch. Run the consumer with `autoCommit: false` and call `handled` after
 * each message's work is done, or let `runCommittingPeriodically` do both.
 *
 * Why: KafkaJS's auto-commit sends an offset commit after every fetched batch, so a consumer fed one
 * message at a time wrote `__consumer_offsets` as often as the topic it reads, and offset commits
 * were a large share of the broker's requests. Committed less often, a restart or a rebalance
 * re-delivers at most the last interval's messages, which every consumer here takes at least once
 * anyway (idempotent handlers, dedupe by id).
 */
export class PeriodicOffsetCommits {
  /** Per `topic:partition`: the next offset to read, as handled so far, and as last committed. */
  private readonly next = new Map<string, { topic: string; partition: number; offset: string }>();
  private readonly committed = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly consumer: Consumer,
    private readonly commitIntervalMs: number,
  ) {
    // After a rebalance this member may own other partitions: forget positions it may no longer own.
    consumer.on(consumer.events.GROUP_JOIN, () => this.next.clear());
  }

  /** The message at `offset` of this partition is done. */
  handled(topic: string, partition: number, offset: string): void {
    this.next.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  start(): void {
    this.timer = setInterval(() => void this.commitNow().catch(() => undefined), this.commitIntervalMs);
    this.timer.unref();
  }

  /** Commits what was handled and not committed yet. */
  async commitNow(): Promise<void> {
    const due = [...this.next].filter(([key, position]) => this.committed.get(key) !== position.offset);
    if (due.length === 0) return;
    await this.consumer.commitOffsets(due.map(([, position]) => position));
    for (const [key, position] of due) this.committed.set(key, position.offset);
  }

  /** Stops the timer and commits the last positions (a commit lost to a rebalance is harmless). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.commitNow().catch(() => undefined);
  }
}

/**
 * Runs the consumer message by message with its offsets committed every `commitIntervalMs`: a
 * message counts as handled once `eachMessage` has resolved. Stop the returned commits before
 * disconnecting the consumer, so that the last positions are committed.
 */
export async function runCommittingPeriodically(
  consumer: Consumer,
  options: { commitIntervalMs: number; partitionsConsumedConcurrently?: number; eachMessage(payload: EachMessagePayload): Promise<void> },
): Promise<PeriodicOffsetCommits> {
  const commits = new PeriodicOffsetCommits(consumer, options.commitIntervalMs);
  await consumer.run({
    autoCommit: false,
    ...(options.partitionsConsumedConcurrently === undefined
      ? {}
      : { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently }),
    eachMessage: async (payload) => {
      await options.eachMessage(payload);
      commits.handled(payload.topic, payload.partition, payload.message.offset);
    },
  });
  commits.start();
  return commits;
}
