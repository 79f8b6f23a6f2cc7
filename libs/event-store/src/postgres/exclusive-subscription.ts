import { Client, type ClientConfig } from 'pg';
import { START, type Subscription } from '../port';

/** Advisory-lock class of exclusive subscriptions (the per-stream append locks use another). */
export const SUBSCRIPTION_LOCK_CLASS = 0x4c45_5853; // "LEXS"

/** The subscription's own failure (its handler, its reads), as opposed to a failure of the lock session. */
class SubscriptionFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface ExclusiveOptions {
  /** Connection settings of the dedicated session that holds the lock. */
  connection: ClientConfig;
  /** What the lock is named after: `<schema>/<subscription name>`. */
  lockName: string;
  /** How often a standby instance tries to take over. */
  standbyPollMs: number;
  onError?: (error: unknown) => void;
  /** Starts the real subscription once this instance holds the lock. */
  start(): Subscription;
}

/**
 * Runs a subscription on one instance at a time, whatever the number of instances started with the
 * same subscription name (two replicas of a service in one consumer group, a rolling deploy).
 *
 * The leader holds a session advisory lock on a dedicated connection; the others wait as standbys
 * and try again every `standbyPollMs`. When the leader dies (SIGKILL included) PostgreSQL ends its
 * session and releases the lock, so a standby takes over and resumes from the durable checkpoint.
 * When the leader's lock connection fails, it stops its subscription at once (the lock may already
 * be someone else's) and goes back to standby. The checkpoint rules are unchanged: a relay may send
 * the batch in flight twice across a takeover (consumers dedupe by event id); a transactional
 * projection commits each batch with its checkpoint, so a batch is applied once.
 */
export function startExclusiveSubscription(name: string, options: ExclusiveOptions): Subscription {
  let stopping = false;
  let current: Subscription | undefined;
  let wakeStandby: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeStandby = undefined;
        resolve();
      }
      wakeStandby = done;
    });

  async function lead(): Promise<'lost' | 'stopped'> {
    const client = new Client(options.connection);
    const lost = new Promise<'lost'>((resolve) => {
      client.on('error', () => resolve('lost'));
      client.on('end', () => resolve('lost'));
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
        SUBSCRIPTION_LOCK_CLASS,
        options.lockName,
      ]);
      if (rows[0]?.locked !== true || stopping) return 'stopped';
      current = options.start();
      const ended = current.done.then(
        () => 'stopped' as const,
        (error: unknown) => {
          throw new SubscriptionFailure(error);
        },
      );
      const outcome = await Promise.race([ended, lost]);
      if (outcome === 'lost') await current.stop();
      return outcome;
    } finally {
      current = undefined;
      // Ending the session releases the lock (no explicit unlock needed, and none is possible after a failure).
      await client.end().catch(() => undefined);
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const outcome = await lead();
        if (outcome === 'lost' && !stopping)
          options.onError?.(new Error(`subscription ${name}: lost its lock connection; back to standby`));
      } catch (error) {
        // A handler failure ends the subscription as it would without the lock; a failure to reach
        // the database only delays the next attempt.
        if (error instanceof SubscriptionFailure) throw error.cause;
      }
      if (!stopping) await sleep(options.standbyPollMs);
    }
  }

  const done = run().catch((error: unknown) => {
    options.onError?.(error);
    throw error;
  });
  done.catch(() => undefined);

  return {
    name,
    get cursor() {
      return current?.cursor ?? START;
    },
    done,
    async stop() {
      stopping = true;
      wakeStandby?.();
      await current?.stop();
      await done.catch(() => undefined);
    },
  };
}
