/**
 * Durable timers of in-flight payments: the table `payments.payment_timers` (same database and
 * schema as the payments event store), one row per (payment id, timer kind) with `due_at`.
 *
 * - `step`: the payment's next step must be recorded before `due_at`, otherwise the payment is
 *   driven again (a crashed process, a lost reply, a password that never came back).
 * - `provider_deadline`: a third-party top-up waits for its provider until the deadline recorded in
 *   its first event; the timer expires it then (TOPUP_EXPIRED).
 * - `approval_deadline`: a counter top-up above the approval threshold waits for a supervisor until
 *   the deadline recorded in its first event; the timer expires it then (APPROVAL_EXPIRED).
 *
 * The table is derived from the payments' own events by a catch-up subscription (as the wallet's
 * hold timers are): each event of a payment in flight sets its step timer one step timeout after
 * the event, a provider top-up's or an approval's start sets its deadline, and the outcome deletes both. Rows and the
 * subscription's checkpoint are committed in one transaction, so every recorded payment in flight
 * has its timer up to the checkpoint, however often the process crashes; a payment that crashes
 * before its first event was recorded has nothing to resume, and its command is delivered again.
 * Deriving the table keeps timer writes off the payment's path (they were two awaited writes per
 * payment), and a payment that finishes within one batch window never gets a row at all.
 *
 * A poller claims due rows with `SELECT … FOR UPDATE SKIP LOCKED` (bounded batch) and moves their
 * `due_at` a lease ahead in the same statement, so two instances on one database never claim the
 * same timer at the same time; a claim is fenced by its `claim_id`, so finishing a claim never
 * undoes a newer schedule.
 */
import { randomUUID } from 'node:crypto';
import { paymentsContract } from '@ledger/contracts';
import {
  PostgresCheckpointStore,
  followerPacing,
  applyMigrations,
  startTransactionalProjection,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import { paymentOutcomes, paymentTimersFired } from '@ledger/observability';
import type { ActivePaymentState } from '@ledger/payments-domain';
import type { Clock } from '@ledger/util';
import type { Pool } from 'pg';
import { READ_SCHEMA } from './user-payments';

export const TIMERS_SCHEMA = 'payments';
export const PAYMENT_TIMERS_SUBSCRIPTION = 'payment-timers';
const TABLE = `${TIMERS_SCHEMA}.payment_timers`;

/** A new kind also needs a migration of the table's check of kinds (`PaymentTimers.migrate`). */
export const TIMER_KINDS = ['step', 'provider_deadline', 'approval_deadline'] as const;
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

/**
 * The kind of timer that guards a payment's current step: a third-party top-up waiting for its
 * provider, or a counter top-up waiting for a supervisor, is expired at its deadline; any other
 * step is resumed when it was not recorded in time.
 */
export function timerKindFor(state: ActivePaymentState): TimerKind {
  if (state.status === 'awaiting_provider' && state.request.kind === 'provider_topup') return 'provider_deadline';
  return state.status === 'awaiting_approval' ? 'approval_deadline' : 'step';
}

/** What a batch of payment events does to the table: payments whose timers all go, and timers set (upserted, claims dropped). */
export interface TimerChanges {
  cleared: string[];
  set: Array<{ paymentId: string; kind: TimerKind; dueAt: Date }>;
}

const OUTCOMES: ReadonlySet<string> = new Set([paymentsContract.EVENT_TYPES.PaymentCompleted, paymentsContract.EVENT_TYPES.PaymentFailed]);
/** Recorded on a payment's stream after its outcome, and starting no step: a refund claimed against it or released, a provider's late callback. */
const AFTER_OUTCOME: ReadonlySet<string> = new Set([
  paymentsContract.EVENT_TYPES.RefundClaimed,
  paymentsContract.EVENT_TYPES.RefundClaimReleased,
  paymentsContract.EVENT_TYPES.LateProviderCallbackReported,
]);
const STREAM_PREFIX = 'payment-';

/**
 * The timer changes of a batch of `payment-<id>` events, in order: each payment's last word in the
 * batch decides (its outcome: no timer; a provider top-up's start: its deadline; any other step:
 * the step timer, `stepTimeoutMs` after the event occurred).
 */
export function timerChangesOf(events: readonly RecordedEvent[], stepTimeoutMs: number): TimerChanges {
  const last = new Map<string, { kind: TimerKind; dueAt: Date } | 'cleared'>();
  for (const event of events) {
    if (!event.stream.startsWith(STREAM_PREFIX) || AFTER_OUTCOME.has(event.type)) continue;
    const paymentId = event.stream.slice(STREAM_PREFIX.length);
    if (OUTCOMES.has(event.type)) {
      last.set(paymentId, 'cleared');
      continue;
    }
    const initiated =
      event.type === paymentsContract.EVENT_TYPES.PaymentInitiated
        ? (event.data as { request?: { kind?: string; deadline?: string }; approval?: { deadline?: string } })
        : undefined;
    if (initiated?.request?.kind === 'provider_topup' && initiated.request.deadline !== undefined) {
      last.set(paymentId, { kind: 'provider_deadline', dueAt: new Date(initiated.request.deadline) });
      continue;
    }
    if (initiated?.approval?.deadline !== undefined) {
      last.set(paymentId, { kind: 'approval_deadline', dueAt: new Date(initiated.approval.deadline) });
      continue;
    }
    const occurredAt = Date.parse(String(event.metadata.occurredAt ?? ''));
    last.set(paymentId, {
      kind: 'step',
      dueAt: new Date((Number.isNaN(occurredAt) ? event.recordedAt.getTime() : occurredAt) + stepTimeoutMs),
    });
  }
  const changes: TimerChanges = { cleared: [], set: [] };
  for (const [paymentId, word] of last) {
    if (word === 'cleared') changes.cleared.push(paymentId);
    else changes.set.push({ paymentId, ...word });
  }
  return changes;
}

/**
 * Counts the outcomes among a batch of payment events (`ledger_payment_outcomes_total`): the timer
 * follower reads every payment event once, on one replica, so each outcome is counted once (twice
 * only if a batch is applied again after a failed commit). Labels are the payment's kind, the
 * outcome and the failure's code: bounded sets of the domain.
 */
function countOutcomes(events: readonly RecordedEvent[]): void {
  for (const event of events) {
    if (!OUTCOMES.has(event.type)) continue;
    const data = event.data as { kind?: string; failure?: { code?: string } };
    const completed = event.type === paymentsContract.EVENT_TYPES.PaymentCompleted;
    paymentOutcomes.inc({
      kind: data.kind ?? 'unknown',
      outcome: completed ? 'completed' : 'failed',
      failure: completed ? 'none' : failureLabel(data.failure?.code),
    });
  }
}

/** Failure codes become label values only while few (a partner's codes can reach a failure): the rest count as `other`. */
const MAX_FAILURE_LABELS = 64;
const failureLabels = new Set<string>();
function failureLabel(code: string | undefined): string {
  if (code === undefined || !/^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return 'other';
  if (failureLabels.has(code)) return code;
  if (failureLabels.size >= MAX_FAILURE_LABELS) return 'other';
  failureLabels.add(code);
  return code;
}

/** Writes the changes with at most one statement (a payment is either cleared or set within one batch). */
export async function writeTimerChanges(
  client: { query(text: string, values?: unknown[]): Promise<unknown> },
  changes: TimerChanges,
): Promise<void> {
  if (changes.cleared.length === 0 && changes.set.length === 0) return;
  await client.query(
    `WITH cleared AS (DELETE FROM ${TABLE} WHERE payment_id = ANY($1::text[]))
     INSERT INTO ${TABLE} (payment_id, kind, due_at)
     SELECT * FROM unnest($2::text[], $3::text[], $4::timestamptz[])
     ON CONFLICT (payment_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, claim_id = NULL`,
    [
      changes.cleared,
      changes.set.map((timer) => timer.paymentId),
      changes.set.map((timer) => timer.kind),
      changes.set.map((timer) => timer.dueAt),
    ],
  );
}

export class PaymentTimers {
  private readonly checkpoints: PostgresCheckpointStore;
  private subscription?: Subscription;
  private following = false;

  constructor(private readonly pool: Pool) {
    // Beside the users' payment lists' checkpoint: the event store's own schema is the store's to create.
    this.checkpoints = new PostgresCheckpointStore(pool, READ_SCHEMA);
  }

  /** Creates the table and the checkpoints' if missing (idempotent; concurrent starts are serialized by an advisory lock). */
  async migrate(): Promise<void> {
    await applyMigrations(this.pool, {
      component: 'payments-timers',
      schema: TIMERS_SCHEMA,
      migrations: [
        {
          version: 1,
          description: "the payments' durable timers and their follower's checkpoint",
          up: async (client) => {
            await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
        payment_id text NOT NULL,
        kind text NOT NULL,
        due_at timestamptz NOT NULL,
        fired integer NOT NULL DEFAULT 0,
        claim_id uuid,
        PRIMARY KEY (payment_id, kind))`);
            // A table made before the kinds were listed takes today's: a new kind is a new migration.
            await client.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT IF EXISTS payment_timers_kind_check`);
            await client.query(
              `ALTER TABLE ${TABLE} ADD CONSTRAINT payment_timers_kind_check CHECK (kind IN ('step', 'provider_deadline', 'approval_deadline'))`,
            );
            await client.query(`CREATE INDEX IF NOT EXISTS payment_timers_due ON ${TABLE} (due_at)`);
            await this.checkpoints.ensureTable(client);
          },
        },
      ],
    });
  }

  /** Follows the `payment` category into the table (see above); restarted after a failure while following. */
  follow(store: EventStore, options: { stepTimeoutMs: number; pollIntervalMs?: number; log(message: string): void }): void {
    this.following = true;
    this.subscription = startTransactionalProjection({
      store,
      pool: this.pool,
      name: PAYMENT_TIMERS_SUBSCRIPTION,
      category: 'payment',
      checkpoints: this.checkpoints,
      batchSize: 500,
      // A step times out seconds after it starts: the table may trail the store by a moment (an
      // append in this process still wakes the subscription at once).
      ...followerPacing(options.pollIntervalMs),
      applyBatch: async (client, events) => {
        await writeTimerChanges(client, timerChangesOf(events, options.stepTimeoutMs));
        countOutcomes(events);
      },
      onError: (error) => {
        options.log(`payment timer subscription failed, restarting in 1 s: ${String(error)}`);
        if (this.following) setTimeout(() => this.following && this.follow(store, options), 1_000).unref();
      },
    });
  }

  async stopFollowing(): Promise<void> {
    this.following = false;
    await this.subscription?.stop();
  }

  /**
   * Claims at most `limit` timers due at `now`, oldest first, skipping rows another instance has
   * locked; each claimed row is due again only after `leaseMs` (if its claimer dies, the timer comes back).
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedTimer[]> {
    const claimId = randomUUID();
    const result = await this.pool.query<TimerRow>(
      `WITH due AS (
         SELECT payment_id, kind FROM ${TABLE} WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE ${TABLE} AS t
          SET due_at = $3, fired = t.fired + 1, claim_id = $4
         FROM due WHERE t.payment_id = due.payment_id AND t.kind = due.kind
       RETURNING t.payment_id, t.kind, t.fired`,
      [now, limit, new Date(now.getTime() + leaseMs), claimId],
    );
    return result.rows.map((row) => ({ paymentId: row.payment_id, kind: row.kind, fired: row.fired, claimId }));
  }

  /** Deletes the claimed timer, unless it was scheduled again since the claim. */
  async finish(timer: ClaimedTimer): Promise<void> {
    await this.pool.query(`DELETE FROM ${TABLE} WHERE payment_id = $1 AND kind = $2 AND claim_id = $3`, [
      timer.paymentId,
      timer.kind,
      timer.claimId,
    ]);
  }

  /** Makes the claimed timer due again at `dueAt`, unless it was scheduled again since the claim. */
  async retry(timer: ClaimedTimer, dueAt: Date): Promise<void> {
    await this.pool.query(`UPDATE ${TABLE} SET due_at = $4, claim_id = NULL WHERE payment_id = $1 AND kind = $2 AND claim_id = $3`, [
      timer.paymentId,
      timer.kind,
      timer.claimId,
      dueAt,
    ]);
  }

  /**
   * The backlog: timers due at `now` and not claimed, per kind, and how long the oldest has been due.
   * One indexed aggregate, for the metrics' sampler (never per payment).
   */
  async dueBacklog(now: Date): Promise<Array<{ kind: TimerKind; due: number; oldestDueSeconds: number }>> {
    const result = await this.pool.query<{ kind: TimerKind; due: number; oldest_due_s: number }>(
      `SELECT kind, count(*)::int AS due, extract(epoch FROM $1::timestamptz - min(due_at))::float8 AS oldest_due_s
         FROM ${TABLE} WHERE due_at <= $1 GROUP BY kind`,
      [now],
    );
    return result.rows.map((row) => ({ kind: row.kind, due: row.due, oldestDueSeconds: Math.max(0, row.oldest_due_s) }));
  }

  /** The timers of one payment (inspection, tests). */
  async of(paymentId: string): Promise<ScheduledTimer[]> {
    const result = await this.pool.query<TimerRow>(
      `SELECT payment_id, kind, due_at, fired FROM ${TABLE} WHERE payment_id = $1 ORDER BY kind`,
      [paymentId],
    );
    return result.rows.map((row) => ({ paymentId: row.payment_id, kind: row.kind, dueAt: row.due_at, fired: row.fired }));
  }
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
    paymentTimersFired.labels(timer.kind).inc();
    try {
      const dueAgain = await this.options.fire(timer);
      if (dueAgain === undefined) await this.options.timers.finish(timer);
      else await this.options.timers.retry(timer, dueAgain);
    } catch (error) {
      this.options.log(
        `payment timers: ${timer.kind} timer of payment ${timer.paymentId} failed (due again after its lease): ${String(error)}`,
      );
    }
  }
}
