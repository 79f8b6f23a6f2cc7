/**
 * The commands of one partition, handled concurrently but in order per key, with the offset to
 * commit trailing the oldest unfinished one.
 *
 * Why: handling a partition one message at a time caps a service at (partitions ÷ handler time); a
 * payment that waits on identity, the wallet and an acquirer would hold its whole partition for
 * its duration. Commands of one aggregate share a key, so keeping order per key keeps every
 * aggregate's commands in order, while commands of different aggregates overlap.
 *
 * At-least-once is kept: the committed offset never passes a message that has not finished, so a
 * crash re-delivers everything unfinished (handlers are idempotent by command id). A failing
 * message is retried with backoff for as long as the pipeline runs and holds the watermark back
 * meanwhile; commands of other keys go on.
 */
export interface PartitionPipelineOptions {
  /** Messages started and not finished, at most; `submit` waits for a slot beyond it. */
  maxInFlight: number;
  /** Stores the next offset to consume (the consumer group commit). */
  commit(nextOffset: string): Promise<void>;
  onError(error: unknown, offset: string): void;
  /**
   * How long a finished message waits for others before the offset is committed (default 250 ms).
   * Each commit is a write to the broker's `__consumer_offsets`; a crash re-delivers at most this
   * much finished work, which the handlers answer from their history (they are idempotent).
   */
  commitDelayMs?: number;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5_000;
const COMMIT_DELAY_MS = 250;

export class PartitionPipeline {
  private readonly inFlight = new Set<bigint>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly slotWaiters: Array<() => void> = [];
  private nextOffset: bigint | undefined;
  private abandoned: bigint | undefined;
  private committedOffset: bigint | undefined;
  private commitTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: PartitionPipelineOptions) {}

  /** Starts `work` for the message at `offset` once a slot is free and the previous message of `key` has finished. */
  async submit(offset: string, key: string, work: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.options.maxInFlight && !this.stopped)
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.stopped) return;
    const at = BigInt(offset);
    this.inFlight.add(at);
    this.nextOffset = this.nextOffset === undefined || at + 1n > this.nextOffset ? at + 1n : this.nextOffset;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const settled = previous.then(async () => this.finish(at, await this.untilDone(offset, work)));
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
  }

  /** Stops taking messages, waits (bounded) for those in flight, and commits what finished. */
  async drain(timeoutMs: number): Promise<void> {
    this.stopped = true;
    for (const wake of this.slotWaiters.splice(0)) wake();
    if (this.inFlight.size > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idle.add(resolve)),
        new Promise((resolve) => setTimeout(resolve, timeoutMs)),
      ]);
    }
    clearTimeout(this.commitTimer);
    await this.commitNow();
  }

  /** The offset every message before which has finished. */
  get watermark(): bigint | undefined {
    let lowest = this.abandoned;
    for (const offset of this.inFlight) if (lowest === undefined || offset < lowest) lowest = offset;
    return lowest ?? this.nextOffset;
  }

  /** True when the work finished; false when the pipeline stopped while it kept failing. */
  private async untilDone(offset: string, work: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return true;
      } catch (error) {
        this.options.onError(error, offset);
        if (this.stopped) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_BASE_MS * 2 ** attempt, RETRY_MAX_MS)));
      }
    }
  }

  private finish(offset: bigint, done: boolean): void {
    // An abandoned message holds the watermark: never committed, so re-delivered to whoever consumes next.
    if (!done && (this.abandoned === undefined || offset < this.abandoned)) this.abandoned = offset;
    this.inFlight.delete(offset);
    this.slotWaiters.shift()?.();
    if (this.inFlight.size === 0) for (const resolve of this.idle) resolve();
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitNow();
    }, this.options.commitDelayMs ?? COMMIT_DELAY_MS);
  }

  private async commitNow(): Promise<void> {
    const watermark = this.watermark;
    if (watermark === undefined || (this.committedOffset !== undefined && watermark <= this.committedOffset)) return;
    try {
      await this.options.commit(watermark.toString());
      this.committedOffset = watermark;
    } catch (error) {
      // A commit lost to a rebalance is harmless: the partition's new owner re-delivers from the last commit.
      this.options.onError(error, watermark.toString());
    }
  }
}
