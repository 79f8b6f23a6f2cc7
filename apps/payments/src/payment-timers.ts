/**
 * Durable timers of in-flight payments: the table `payments.payment_timers` (same database and
 * schema as the payments event store), one row per (payment id, timer kind) with `due_at`.
 *
 * - `step`: the step in flight must be recorded before `due_at`, otherwise the payment is driven
 *   again (a crashed process, a lost reply, a password that never came back). Written (upsert)
 *   before the payment starts and before each step, so an in-flight payment always has one.
 * - `provider_deadline`: a third-party top-up waits for its provider until the deadline recorded in
 *   its first event; the timer expires it then (TOPUP_EXPIRED).
 *
 * A poller claims due rows with `SELECT … FOR UPDATE SKIP LOCKED` (bounded batch) and moves their
 * `due_at` a lease ahead in the same statement, so two instances on one database never claim the
 * same timer at the same time; a claim is fenced by its `claim_id`, so finishing a claim never
 * undoes a newer schedule. Rows are deleted when the payment reaches its outcome.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction } from '@ledger/event-store';
import { GroupCommit, type Clock } from '@ledger/util';
import type { Pool } from 'pg';

export const TIMERS_SCHEMA = 'payments';
const MIGRATION_LOCK = 0x50415954; // "PAYT"

export const TIMER_KINDS = ['step', 'provider_deadline'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export interface ClaimedTimer {
  paymentId: string;
  kind: TimerKind;
  /** How many times the timer was claimed so far (this claim included). */
  fired: number;
  /** Fences this claim: finishing it touches the row only while the claim is still the latest. */
  claimId: string;
}

export interface ScheduledTimer {
  paymentId: string;
  kind: TimerKind;
  dueAt: Date;
  fired: number;
}

interface TimerRow {
  payment_id: string;
  kind: TimerKind;
  due_at: Date;
  fired: number;
  claim_id: string | null;
}

const writtenKey = (paymentId: string, kind: TimerKind): string => `${paymentId}\u0000${kind}`;

export class PaymentTimers {
  private readonly table = `${TIMERS_SCHEMA}.payment_timers`;
  /**
   * The due time this instance last wrote for each timer (bounded, oldest forgotten first). Until
   * then the row cannot have changed under it: a row is claimed only once it is due, and only this
   * instance drives the payment meanwhile.
   */
  private readonly written = new Map<string, number>();
  private static readonly WRITTEN_KEPT = 50_000;
  private readonly writes: GroupCommit<TimerWrite, void>;

  constructor(private readonly pool: Pool) {
    this.writes = timerWrites(pool, this.table);
  }

  /** Creates the table if missing (idempotent; concurrent starts are serialized by an advisory lock). */
  async migrate(): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${TIMERS_SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        payment_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('step', 'provider_deadline')),
        due_at timestamptz NOT NULL,
        fired integer NOT NULL DEFAULT 0,
        claim_id uuid,
        PRIMARY KEY (payment_id, kind))`);
      await client.query(`CREATE INDEX IF NOT EXISTS payment_timers_due ON ${this.table} (due_at)`);
    });
  }

  /**
   * Sets the timer (upsert): a repeated schedule only moves `due_at`, and drops any claim on it.
   * With `slackMs`, the write is skipped when the timer this instance last wrote is due no more than
   * `slackMs` before `dueAt`: a fast payment's steps then share the timer armed at its start instead
   * of writing one each (a timer firing during a step that is still running only looks again later).
   * Resolves once the row is committed (with the other writes of the same moment, see `timerWrites`).
   */
  async schedule(paymentId: string, kind: TimerKind, dueAt: Date, slackMs = 0): Promise<void> {
    const key = writtenKey(paymentId, kind);
    const written = this.written.get(key);
    if (slackMs > 0 && written !== undefined && written >= dueAt.getTime() - slackMs) return;
    await this.writes.write({ paymentId, set: { kind, dueAt } });
    this.written.delete(key);
    this.written.set(key, dueAt.getTime());
    if (this.written.size > PaymentTimers.WRITTEN_KEPT) this.written.delete(this.written.keys().next().value as string);
  }

  /** The payment has its outcome: none of its timers is needed any more. */
  async clear(paymentId: string): Promise<void> {
    for (const kind of TIMER_KINDS) this.written.delete(writtenKey(paymentId, kind));
    await this.writes.write({ paymentId });
  }

  /**
   * Claims at most `limit` timers due at `now`, oldest first, skipping rows another instance has
   * locked; each claimed row is due again only after `leaseMs` (if its claimer dies, the timer comes back).
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedTimer[]> {
    const claimId = randomUUID();
    const result = await this.pool.query<TimerRow>(
      `WITH due AS (
         SELECT payment_id, kind FROM ${this.table} WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE ${this.table} AS t
          SET due_at = $3, fired = t.fired + 1, claim_id = $4
         FROM due WHERE t.payment_id = due.payment_id AND t.kind = due.kind
       RETURNING t.payment_id, t.kind, t.fired`,
      [now, limit, new Date(now.getTime() + leaseMs), claimId],
    );
    for (const row of result.rows) this.written.delete(writtenKey(row.payment_id, row.kind));
    return result.rows.map((row) => ({ paymentId: row.payment_id, kind: row.kind, fired: row.fired, claimId }));
  }

  /** Deletes the claimed timer, unless it was scheduled again since the claim. */
  async finish(timer: ClaimedTimer): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE payment_id = $1 AND kind = $2 AND claim_id = $3`, [timer.paymentId, timer.kind, timer.claimId]);
  }

  /** Makes the claimed timer due again at `dueAt`, unless it was scheduled again since the claim. */
  async retry(timer: ClaimedTimer, dueAt: Date): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET due_at = $4, claim_id = NULL WHERE payment_id = $1 AND kind = $2 AND claim_id = $3`, [timer.paymentId, timer.kind, timer.claimId, dueAt]);
  }

  /** The timers of one payment (inspection, tests). */
  async of(paymentId: string): Promise<ScheduledTimer[]> {
    const result = await this.pool.query<TimerRow>(`SELECT payment_id, kind, due_at, fired FROM ${this.table} WHERE payment_id = $1 ORDER BY kind`, [paymentId]);
    return result.rows.map((row) => ({ paymentId: row.payment_id, kind: row.kind, dueAt: row.due_at, fired: row.fired }));
  }
}

/** Timer writes per statement, at most. */
const TIMER_WRITES_PER_STATEMENT = 2_000;

/** One write to a payment's timers: set one (upsert), or clear them all at its outcome. */
interface TimerWrite {
  paymentId: string;
  set?: { kind: TimerKind; dueAt: Date };
}

/**
 * The schedules and clears of one moment, written by one statement through a group commit (the one
 * the event store's appends use): every payment arms its step timer before it starts and clears it
 * at its outcome, and one transaction each made the timer table the busiest writer of the database
 * after the event store. The writes of one payment are committed one at a time, in arrival order: a
 * clear and a later schedule keep their order, and within one statement a payment is either cleared
 * or set, so the delete and the upsert never touch the same row.
 */
function timerWrites(pool: Pool, table: string): GroupCommit<TimerWrite, void> {
  return new GroupCommit<TimerWrite, void>({
    commit: async (writes) => {
      const cleared = writes.filter((write) => write.set === undefined).map((write) => write.paymentId);
      const set = writes.flatMap((write) => (write.set ? [{ paymentId: write.paymentId, ...write.set }] : []));
      await pool.query(
        `WITH cleared AS (DELETE FROM ${table} WHERE payment_id = ANY($1::text[]))
         INSERT INTO ${table} (payment_id, kind, due_at)
         SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[])
         ON CONFLICT (payment_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, claim_id = NULL`,
        [cleared, set.map((timer) => timer.paymentId), set.map((timer) => timer.kind), set.map((timer) => timer.dueAt)],
      );
      return writes.map(() => undefined);
    },
    keyOf: (write) => write.paymentId,
    limits: { maxEvents: TIMER_WRITES_PER_STATEMENT, maxBytes: Infinity, maxInFlight: 1 },
  });
}

export interface TimerPollerOptions {
  timers: PaymentTimers;
  clock: Clock;
  /** Does the timer's work; resolves with when it is due again, or undefined when it is done (deleted). */
  fire(timer: ClaimedTimer): Promise<Date | undefined>;
  pollIntervalMs: number;
  /** Timers claimed per poll, and the bound on timers being fired at once by this poller. */
  batchSize: number;
  /** How long a claim keeps the timer from other pollers. */
  leaseMs: number;
  log(message: string): void;
}

/**
 * Polls the table: claims due timers (bounded), fires them in the background, then deletes or
 * reschedules each. A fire that throws leaves the timer claimed until its lease ends, so it is tried
 * again later (by this instance or another one).
 */
export class TimerPoller {
  private readonly firing = new Set<Promise<void>>();
  private timeout?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = true;

  constructor(private readonly options: TimerPollerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops claiming and waits for the timers being fired. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timeout) clearTimeout(this.timeout);
    await this.polling;
    await Promise.allSettled([...this.firing]);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timeout = setTimeout(() => {
      this.polling = this.poll()
        .catch((error: unknown) => this.options.log(`payment timers: poll failed: ${String(error)}`))
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    const room = this.options.batchSize - this.firing.size;
    if (room <= 0 || this.stopped) return;
    const claimed = await this.options.timers.claimDue(this.options.clock.now(), room, this.options.leaseMs);
    for (const timer of claimed) {
      const run: Promise<void> = this.fireOne(timer).finally(() => this.firing.delete(run));
      this.firing.add(run);
    }
  }

  private async fireOne(timer: ClaimedTimer): Promise<void> {
    try {
      const dueAgain = await this.options.fire(timer);
      if (dueAgain === undefined) await this.options.timers.finish(timer);
      else await this.options.timers.retry(timer, dueAgain);
    } catch (error) {
      this.options.log(`payment timers: ${timer.kind} timer of payment ${timer.paymentId} failed (due again after its lease): ${String(error)}`);
    }
  }
}
