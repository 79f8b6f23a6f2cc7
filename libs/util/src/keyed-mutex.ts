/**
 * Runs tasks one at a time per key (a stream), in arrival order.
 *
 * Why: concurrent commands on one stream inside one instance would otherwise all read the same
 * revision and all but one lose the optimistic-concurrency race, then re-read and retry (a conflict
 * storm that costs a failed append and a read each time, and can exhaust the bounded retries).
 * Queuing them locally leaves the expected revision to settle only races between instances.
 *
 * Bounded: at most `maxQueuedPerKey` tasks wait per key; beyond that `run` fails fast with
 * `KeyBusy` instead of queueing without limit (the Kafka transport retries it later).
 */
export class KeyBusy extends Error {
  constructor(
    readonly key: string,
    readonly queued: number,
  ) {
    super(`${queued} commands already wait for ${key}`);
    this.name = 'KeyBusy';
  }
}

export class KeyedMutex {
  private readonly tails = new Map<string, { tail: Promise<void>; queued: number }>();

  constructor(private readonly maxQueuedPerKey = 10_000) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const entry = this.tails.get(key) ?? { tail: Promise.resolve(), queued: 0 };
    if (entry.queued >= this.maxQueuedPerKey) throw new KeyBusy(key, entry.queued);
    entry.queued += 1;
    const previous = entry.tail;
    let release!: () => void;
    entry.tail = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(key, entry);
    try {
      await previous;
      return await task();
    } finally {
      entry.queued -= 1;
      // The last task of a key removes it, so the map holds only keys with work in flight.
      if (entry.queued === 0 && this.tails.get(key) === entry) this.tails.delete(key);
      release();
    }
  }

  /** Keys with work queued or running (for tests and metrics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
