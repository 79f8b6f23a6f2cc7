/**
 * Writes a signed checkpoint of a PostgreSQL store now and then: the Merkle root over every stream's
 * head and the global log's head, signed, chained to the previous checkpoint, in the append-only
 * table `<schema>.event_checkpoints` and (when a publisher is given) on Kafka.
 *
 * It stays off the append path: it runs on a connection of its own (never one of the pool the
 * appends use), reads the events table without locks, takes no lock an append takes (its advisory
 * lock has a class of its own), and hashes in slices between which the event loop runs. Its
 * transaction gets a transaction id only at its final writes (heads and checkpoint, bounded by
 * `maxEventsPerRun`), so it holds back the store's readers no longer than those writes take.
 *
 * Each run is incremental: it reads the log after the last checkpoint's head (at most
 * `maxEventsPerRun` events), checks that what the last checkpoint signed is still there (each changed
 * stream's signed head, and the heads' root against the signed root), and signs the new heads. It
 * refuses to sign over history that changed under an earlier checkpoint (`CheckpointRefused`), so a
 * truncated and re-appended stream is never laundered into a fresh checkpoint. When nothing was
 * appended since the last checkpoint it writes nothing. Instances of a service race for one advisory
 * lock per store; the one that gets it writes, the others skip the run.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type CheckpointSigningKey, type CheckpointVerificationKeys, verificationKeysOf } from './checkpoint-keys';
import {
  checkpointStatements,
  checkpointedHeads,
  toHead,
  toRecord,
  type CheckpointRow,
  type HeadRow,
  type LogEventRow,
  type Queryable,
} from './checkpoint-statements';
import { MerkleAccumulator, compareStreamIds, sortStreamIds } from './merkle';
import {
  GENESIS_CHECKPOINT_HASH,
  checkCheckpoint,
  signCheckpoint,
  type CheckpointRecord,
  type SignedCheckpoint,
} from './signed-checkpoint';

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
export const DEFAULT_MAX_EVENTS_PER_CHECKPOINT = 100_000;
/** While a backlog remains (a run stopped at `maxEventsPerRun`), the next run comes this soon. */
const CATCH_UP_DELAY_MS = 5_000;
const LOG_PAGE_SIZE = 2_000;
const HEADS_PAGE_SIZE = 1_000;
/** Leaves hashed between two turns of the event loop: about a millisecond of work. */
const HASH_SLICE = 200;
/** At most this many stored checkpoints are (re)published per run, so a long broker outage cannot make one run unbounded. */
const MAX_PUBLISH_PER_RUN = 100;

/** A dedicated database session; `pg.Client` satisfies it. */
export interface CheckpointSession extends Queryable {
  end(): Promise<void>;
}

/** What the checkpointer needs of the store: `PostgresEventStore` satisfies it. */
export interface CheckpointSource {
  readonly schema: string;
  openDedicatedConnection(): Promise<CheckpointSession>;
}

/** Sends a stored checkpoint to a second place (Kafka), after its transaction committed. */
export type CheckpointPublisher = (checkpoint: CheckpointRecord) => Promise<void>;

export interface CheckpointerOptions {
  store: CheckpointSource;
  signingKey: CheckpointSigningKey;
  /** Public keys of earlier signing keys (a rotation): the newest checkpoint must verify before it is extended. */
  verificationKeys?: CheckpointVerificationKeys;
  /** Time between runs; defaults to 60 s. */
  intervalMs?: number;
  /** Bound of the events one run covers (and so of its writes); defaults to 100,000. */
  maxEventsPerRun?: number;
  publish?: CheckpointPublisher;
  clock?: () => Date;
  /** Told about each run that ended (written, unchanged or busy). */
  onRun?: (run: CheckpointRun) => void;
  /** Told about a failed run, a refusal (`CheckpointRefused`) or a failed publication; the next run still comes. */
  onError?: (error: unknown) => void;
}

export type CheckpointRun =
  | { status: 'written'; checkpoint: SignedCheckpoint; events: number; capped: boolean }
  | { status: 'unchanged'; sequence: bigint | undefined }
  | { status: 'busy' };

/** The checkpointer found history that an earlier checkpoint signed changed, and signs nothing over it. */
export class CheckpointRefused extends Error {
  readonly code = 'CHECKPOINT_REFUSED';

  constructor(
    readonly reason: string,
    readonly stream?: string,
    readonly revision?: bigint,
  ) {
    super(
      `Signed checkpoint refused: ${stream === undefined ? '' : `stream ${stream}${revision === undefined ? '' : ` at revision ${revision}`}: `}${reason}`,
    );
    this.name = 'CheckpointRefused';
  }
}

interface Advance {
  /** The first revision of the stream read in this run. */
  first: bigint;
  revision: bigint;
  hash: string;
}

export class Checkpointer {
  readonly intervalMs: number;
  private readonly maxEventsPerRun: number;
  private readonly trustedKeys: CheckpointVerificationKeys;
  private readonly sql: ReturnType<typeof checkpointStatements>;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<CheckpointRun>;
  private stopped = false;
  /** The newest sequence known to be published (undefined until the first publication). */
  private publishedThrough?: bigint;

  constructor(private readonly options: CheckpointerOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    if (!Number.isInteger(this.intervalMs) || this.intervalMs < 1)
      throw new RangeError(`intervalMs must be a positive integer, got ${this.intervalMs}`);
    this.maxEventsPerRun = options.maxEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_CHECKPOINT;
    if (!Number.isInteger(this.maxEventsPerRun) || this.maxEventsPerRun < 1) {
      throw new RangeError(`maxEventsPerRun must be a positive integer, got ${this.maxEventsPerRun}`);
    }
    // Its own public key is always trusted: the newest checkpoint is usually its own.
    this.trustedKeys = new Map([...(options.verificationKeys ?? new Map()), ...verificationKeysOf(options.signingKey)]);
    this.sql = checkpointStatements(options.store.schema);
  }

  /** Runs every `intervalMs` (the first run one interval after the start) until `stop()`. */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.schedule(this.intervalMs);
  }

  /** Stops the timer and waits for the run in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  /** One run now (joins the run in flight, if any). Rejects with `CheckpointRefused` when history changed under a checkpoint. */
  runOnce(): Promise<CheckpointRun> {
    this.inFlight ??= this.run().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
    // A pending checkpoint never keeps a process alive.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let nextMs = this.intervalMs;
    try {
      const run = await this.runOnce();
      if (run.status === 'written' && run.capped) nextMs = Math.min(this.intervalMs, CATCH_UP_DELAY_MS);
      this.options.onRun?.(run);
    } catch (error) {
      this.options.onError?.(error);
    }
    if (!this.stopped) this.schedule(nextMs);
  }

  private async run(): Promise<CheckpointRun> {
    const session = await this.options.store.openDedicatedConnection();
    try {
      const run = await this.checkpoint(session);
      if (run.status !== 'busy') await this.publishPending(session);
      return run;
    } finally {
      await session.end().catch(() => undefined);
    }
  }

  private async checkpoint(session: CheckpointSession): Promise<CheckpointRun> {
    const schema = this.options.store.schema;
    await session.query('BEGIN');
    let committed = false;
    try {
      const { rows: locks } = await session.query<{ locked: boolean }>(this.sql.tryLock, [schema]);
      if (locks[0]?.locked !== true) return { status: 'busy' };
      const tipRow = (await session.query<CheckpointRow>(this.sql.newest)).rows[0];
      const tip = tipRow === undefined ? undefined : this.trusted(toRecord(tipRow));

      const { advances, last, events } = await this.readLog(session, tip);
      if (last === undefined) return { status: 'unchanged', sequence: tip === undefined ? undefined : BigInt(tip.body.sequence) };
      await this.checkContinuity(session, advances);
      const sorted = sortStreamIds([...advances.keys()]);
      const { before, after } = await this.roots(session, sorted, advances);
      if (tip === undefined ? before.count !== 0 : before.root().toString('hex') !== tip.body.root) {
        throw new CheckpointRefused(
          tip === undefined
            ? 'the checkpointed heads are not empty although no checkpoint exists'
            : `the checkpointed heads do not match the root signed by checkpoint #${tip.body.sequence}`,
        );
      }

      const sequence = tip === undefined ? 0n : BigInt(tip.body.sequence) + 1n;
      const checkpoint = signCheckpoint(
        {
          store: schema,
          sequence: sequence.toString(),
          previous: tip?.hash ?? GENESIS_CHECKPOINT_HASH,
          root: after.root().toString('hex'),
          streams: after.count.toString(),
          events: after.events.toString(),
          logHead: { transactionId: last.tx_id, position: last.position, stream: last.stream, revision: last.revision },
          createdAt: (this.options.clock?.() ?? new Date()).toISOString(),
        },
        this.options.signingKey,
      );
      // The transaction's first writes: from here to COMMIT it holds a transaction id.
      for (let index = 0; index < sorted.length; index += HEADS_PAGE_SIZE) {
        const page = sorted.slice(index, index + HEADS_PAGE_SIZE);
        await session.query(this.sql.upsertHeads, [
          page,
          page.map((stream) => advances.get(stream)!.revision.toString()),
          page.map((stream) => advances.get(stream)!.hash),
          sequence.toString(),
        ]);
      }
      await session.query(this.sql.insert, [
        sequence.toString(),
        checkpoint.hash,
        checkpoint.body.previous,
        checkpoint.keyId,
        checkpoint.bodyText,
        checkpoint.signature,
      ]);
      await session.query('COMMIT');
      committed = true;
      return { status: 'written', checkpoint, events, capped: events >= this.maxEventsPerRun };
    } finally {
      if (!committed) await session.query('ROLLBACK').catch(() => undefined);
    }
  }

  /** The newest checkpoint, once it verifies: a forged or unverifiable one is never extended. */
  private trusted(record: CheckpointRecord): SignedCheckpoint {
    const check = checkCheckpoint(record, this.trustedKeys, this.options.store.schema);
    if (!check.ok) throw new CheckpointRefused(`the newest checkpoint #${record.sequence} does not verify: ${check.reason}`);
    return check.checkpoint;
  }

  /** The streams that advanced after the newest checkpoint's log head, at most `maxEventsPerRun` events. */
  private async readLog(
    session: CheckpointSession,
    tip: SignedCheckpoint | undefined,
  ): Promise<{ advances: Map<string, Advance>; last: LogEventRow | undefined; events: number }> {
    const advances = new Map<string, Advance>();
    let transactionId = tip?.body.logHead.transactionId ?? '0';
    let position = tip?.body.logHead.position ?? '0';
    let last: LogEventRow | undefined;
    let events = 0;
    // Bounded by maxEventsPerRun: each page adds its rows to `events` or ends the loop.
    while (events < this.maxEventsPerRun) {
      const limit = Math.min(LOG_PAGE_SIZE, this.maxEventsPerRun - events);
      const { rows } = await session.query<LogEventRow>(this.sql.logAfter, [transactionId, position, limit]);
      for (const row of rows) {
        const revision = BigInt(row.revision);
        const seen = advances.get(row.stream);
        if (seen === undefined) advances.set(row.stream, { first: revision, revision, hash: row.hash });
        else {
          // A stream's events follow each other in the global order, one revision apart.
          if (revision !== seen.revision + 1n) {
            throw new CheckpointRefused(
              `revision ${seen.revision + 1n} is missing from the log (found ${revision})`,
              row.stream,
              seen.revision + 1n,
            );
          }
          seen.revision = revision;
          seen.hash = row.hash;
        }
      }
      events += rows.length;
      if (rows.length > 0) {
        last = rows[rows.length - 1]!;
        transactionId = last.tx_id;
        position = last.position;
      }
      if (rows.length < limit) break;
    }
    return { advances, last, events };
  }

  /**
   * Each advanced stream must continue where the newest checkpoint left it: its first new revision
   * right after the signed head, and the signed head still stored with the signed hash.
   */
  private async checkContinuity(session: CheckpointSession, advances: Map<string, Advance>): Promise<void> {
    const streams = [...advances.keys()];
    // Bounded by the number of advanced streams, a page at a time.
    for (let index = 0; index < streams.length; index += HEADS_PAGE_SIZE) {
      const page = streams.slice(index, index + HEADS_PAGE_SIZE);
      const { rows } = await session.query<HeadRow>(this.sql.headsOf, [page]);
      const signed = new Map(rows.map((row) => [row.stream, toHead(row)]));
      for (const stream of page) {
        const advance = advances.get(stream)!;
        const head = signed.get(stream);
        const expected = head === undefined ? 0n : head.revision + 1n;
        if (advance.first !== expected) {
          throw new CheckpointRefused(
            head === undefined
              ? `the stream is new to the checkpoints, yet its first unsigned event is revision ${advance.first}`
              : `a checkpoint signed the stream up to revision ${head.revision}, yet the next event in the log is revision ${advance.first}`,
            stream,
            head === undefined || advance.first > expected ? expected : advance.first,
          );
        }
      }
      if (signed.size === 0) continue;
      const heads = [...signed.values()];
      const stored = await session.query<{ stream: string; hash: string | null }>(this.sql.storedAt, [
        heads.map((head) => head.stream),
        heads.map((head) => head.revision.toString()),
      ]);
      const storedHash = new Map(stored.rows.map((row) => [row.stream, row.hash]));
      for (const head of heads) {
        const hash = storedHash.get(head.stream);
        if (hash !== head.hash) {
          throw new CheckpointRefused(
            hash === null || hash === undefined
              ? 'the event a checkpoint signed as its head is gone'
              : 'the event a checkpoint signed as its head has another hash now',
            head.stream,
            head.revision,
          );
        }
      }
    }
  }

  /** The roots of the signed heads (`before`) and of the heads after this run (`after`), in one pass. */
  private async roots(
    session: CheckpointSession,
    sorted: readonly string[],
    advances: Map<string, Advance>,
  ): Promise<{ before: MerkleAccumulator; after: MerkleAccumulator }> {
    const before = new MerkleAccumulator();
    const after = new MerkleAccumulator();
    let next = 0;
    let leaves = 0;
    // Hashing is synchronous: every HASH_SLICE leaves, the appends waiting on the event loop get a turn.
    const addAdvanced = async () => {
      const stream = sorted[next++]!;
      const advance = advances.get(stream)!;
      after.add({ stream, revision: advance.revision, hash: advance.hash });
      if (++leaves % HASH_SLICE === 0) await yieldToEventLoop();
    };
    for await (const page of checkpointedHeads(session, this.options.store.schema, HEADS_PAGE_SIZE)) {
      for (const head of page) {
        while (next < sorted.length && compareStreamIds(sorted[next]!, head.stream) < 0) await addAdvanced();
        before.add(head);
        if (next < sorted.length && sorted[next] === head.stream) await addAdvanced();
        else after.add(head);
        if (++leaves % HASH_SLICE === 0) await yieldToEventLoop();
      }
    }
    while (next < sorted.length) await addAdvanced();
    return { before, after };
  }

  /**
   * Publishes the checkpoints stored since this instance's last publication (the newest one after a
   * restart, in case the process died between a commit and its publication). Each replica that runs
   * does so, so a checkpoint may be published more than once: the copies are identical, and a
   * verifier keeps one per sequence.
   */
  private async publishPending(session: CheckpointSession): Promise<void> {
    const publish = this.options.publish;
    if (publish === undefined) return;
    try {
      const newest = (await session.query<CheckpointRow>(this.sql.newest)).rows[0];
      if (newest === undefined) return;
      const newestSequence = BigInt(newest.sequence);
      let after = this.publishedThrough ?? newestSequence - 1n;
      if (newestSequence - after > MAX_PUBLISH_PER_RUN) after = newestSequence - BigInt(MAX_PUBLISH_PER_RUN);
      const { rows } = await session.query<CheckpointRow>(this.sql.after, [after.toString(), MAX_PUBLISH_PER_RUN]);
      for (const row of rows) {
        await publish(toRecord(row));
        this.publishedThrough = BigInt(row.sequence);
      }
    } catch (error) {
      // The table is the record; the copy is retried at the next run.
      this.options.onError?.(error);
    }
  }
}
