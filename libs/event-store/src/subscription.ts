/**
 * The catch-up subscription every adapter shares: read a page after the checkpoint, hand it to the
 * handler, checkpoint, repeat; once caught up, sleep until woken or until the poll interval passes.
 *
 * Delivery is at-least-once: the checkpoint is written after the handler returns, so a crash between
 * the two re-delivers that batch on restart, never skips it. Ordering is the store's global read
 * order, which keeps each stream's events in revision order.
 */
import { START, type CheckpointStore, type Cursor, type ReadPage, type SubscribeOptions, type Subscription } from './port';
import { pageSize } from './validation';
import { subscriptionEvents, subscriptionPosition } from '@ledger/observability';

export const DEFAULT_SUBSCRIPTION_BATCH = 500;
export const DEFAULT_POLL_INTERVAL_MS = 100;
export const DEFAULT_BATCH_WINDOW_MS = 20;
/**
 * For followers nobody waits on (a timer table, a list a user reloads, alert forwarding): reads at
 * least this far apart under load, and polls this rarely when idle. Appends through the same store
 * still wake them, so an event arriving after a quiet moment is handled at once; under load each
 * read takes ten times as many events as a 20 ms window would, for a tenth of the reads and
 * checkpoints. Not for a read model that commands look things up in, nor for relays.
 */
const FOLLOWER_BATCH_WINDOW_MS = 200;
const FOLLOWER_POLL_INTERVAL_MS = 1_000;

/**
 * The pacing of a follower nobody waits on: its batch window, and its idle poll (`pollIntervalMs`
 * when given, else FOLLOWER_POLL_INTERVAL_MS). Both go together: a subscription's window is capped
 * by its poll interval, so a follower given the window alone kept the 100 ms default poll and read
 * twice as often as meant.
 */
export function followerPacing(pollIntervalMs?: number): { pollIntervalMs: number; batchWindowMs: number } {
  return { pollIntervalMs: pollIntervalMs ?? FOLLOWER_POLL_INTERVAL_MS, batchWindowMs: FOLLOWER_BATCH_WINDOW_MS };
}
/** Consecutive failed reads a follower of the store tolerates (with a growing delay) before it gives up. */
export const DEFAULT_MAX_READ_FAILURES = 20;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5_000;

/** How long a follower of the store waits before reading again after `consecutiveFailures` failed reads. */
export function readRetryDelayMs(consecutiveFailures: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (consecutiveFailures - 1), MAX_RETRY_DELAY_MS);
}

/** A sleep that ends early when someone calls `wake()` (a local append, a server push). */
export class Wakeup {
  private waiters = new Set<() => void>();

  wake(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const resolve of waiters) resolve();
  }

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}

export interface SubscriptionSource {
  read(from: Cursor, limit: number, category: string | undefined): Promise<ReadPage>;
  checkpoints: CheckpointStore;
  wakeup: Wakeup;
}

export function startSubscription(source: SubscriptionSource, options: SubscribeOptions): Subscription {
  const batchSize = pageSize(options.batchSize, DEFAULT_SUBSCRIPTION_BATCH);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const batchWindowMs = Math.min(options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS, pollIntervalMs);
  const maxReadFailures = options.maxConsecutiveReadFailures ?? DEFAULT_MAX_READ_FAILURES;
  const checkpoints = options.checkpoints ?? source.checkpoints;
  const autoCheckpoint = (options.checkpoint ?? 'after-batch') === 'after-batch';
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 0;
  let stopping = false;
  let cursor: Cursor = START;
  /** A handled cursor not written yet (`checkpointIntervalMs`), and when the last one was written. */
  let unsaved: Cursor | undefined;
  let checkpointedAt = 0;
  // Per batch, not per event: a gauge set and a counter increment (the series looked up once).
  const handledPosition = subscriptionPosition.labels(options.name);
  const handledEvents = subscriptionEvents.labels(options.name);

  async function checkpoint(force: boolean): Promise<void> {
    if (unsaved === undefined || (!force && Date.now() - checkpointedAt < checkpointIntervalMs)) return;
    await checkpoints.writeCheckpoint(options.name, unsaved);
    checkpointedAt = Date.now();
    unsaved = undefined;
  }

  async function run(): Promise<void> {
    cursor = (await checkpoints.readCheckpoint(options.name)) ?? options.from ?? START;
    let readFailures = 0;
    // Unbounded by design (a subscription lives as long as its service), but every iteration either
    // makes progress, sleeps for the poll interval, or counts towards the bounded read-failure limit.
    while (!stopping) {
      let page: ReadPage;
      const readStartedAt = Date.now();
      try {
        page = await source.read(cursor, batchSize, options.category);
        readFailures = 0;
      } catch (error) {
        readFailures += 1;
        if (readFailures >= maxReadFailures) throw error;
        await source.wakeup.wait(readRetryDelayMs(readFailures));
        continue;
      }
      if (page.events.length > 0) {
        await options.handle(page.events, { subscriptionName: options.name, cursor: page.next });
        handledPosition.set(Number(page.events[page.events.length - 1]!.position));
        handledEvents.inc(page.events.length);
        if (autoCheckpoint) unsaved = page.next;
        cursor = page.next;
      }
      await checkpoint(false);
      if (page.isEnd && !stopping) {
        await source.wakeup.wait(pollIntervalMs);
        // Woken by an append soon after the last read: let the appends of the next moment join this one.
        const early = batchWindowMs - (Date.now() - readStartedAt);
        if (early > 0 && !stopping) await new Promise((resolve) => setTimeout(resolve, early));
      }
    }
    // Stopped: what was handled is checkpointed before `stop()` resolves.
    await checkpoint(true);
  }

  const done = run().catch((error: unknown) => {
    options.onError?.(error);
    throw error;
  });
  // Whoever never looks at `done` must not get an unhandled rejection; `stop()` and `done` still see it.
  done.catch(() => undefined);

  return {
    name: options.name,
    get cursor() {
      return cursor;
    },
    done,
    async stop() {
      stopping = true;
      source.wakeup.wake();
      await done.catch(() => undefined);
    },
  };
}
