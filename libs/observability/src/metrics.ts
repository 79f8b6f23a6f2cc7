/**
 * Every metric the services export, in one catalogue: names, help texts and label sets are decided
 * here, so the Prometheus rules (deploy/prometheus/) and the documentation have one place to match.
 *
 * One registry per process (a service is a process); a management server serves it
 * (`management-server.ts`). Rules for the hot path, which every payment crosses several times:
 * - only counters and histograms are updated per command, per append or per batch, never a query;
 * - label values come from bounded sets (command types a service handles, schema, subscription and
 *   topic names, outcome classes), never from ids of payments, users or wallets;
 * - anything that costs a query (consumer lag, relay lag, due timers) is sampled on a timer
 *   (`PeriodicSampler`) or computed when Prometheus scrapes (`GaugeSources`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { health, type HealthKind } from './health';
import { GaugeSources } from './sampling';

/** The process's registry: what `/metrics` on the management port serves. */
export const metricsRegistry = new Registry();
// Process CPU, memory, event-loop delay and GC of the Node runtime (prom-client's defaults, computed at scrape time).
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];

/** Seconds buckets from one millisecond to half a minute: a command or an append is in there somewhere. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Sizes of batches (events per append, appends per group commit). */
const SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];

/** How a command ended, as the command server counts it. */
export type CommandOutcome = 'accepted' | 'rejected' | 'failed';
/**
 * Why a command was rejected, as a class (codes themselves are many, and an unknown command's type
 * is whatever the sender wrote): `business` (the domain's own code, e.g. INSUFFICIENT_FUNDS),
 * `invalid` (malformed, unknown command, payload against its schema), `forbidden` (sender or actor
 * not allowed), `transport` (any other code of the messaging layer); `none` when not rejected.
 */
export type RejectionClass = 'none' | 'business' | 'invalid' | 'forbidden' | 'transport';
/** Why a message was set aside on a dead-letter topic. */
export type DeadLetterReason = 'malformed' | 'unknown_command' | 'invalid_payload' | 'processing_failed';

export const commandsHandled = new Counter({
  name: 'ledger_commands_handled_total',
  help: 'Commands answered by this service, by command type, outcome and rejection class',
  labelNames: ['command', 'outcome', 'code_class'] as const,
  registers,
});

export const commandDuration = new Histogram({
  name: 'ledger_command_duration_seconds',
  help: 'Time from a command taken off its partition to its result sent, by command type and outcome',
  labelNames: ['command', 'outcome'] as const,
  buckets: LATENCY_BUCKETS_SECONDS,
  registers,
});

export const deadLetters = new Counter({
  name: 'ledger_dead_letters_total',
  help: 'Messages set aside on a dead-letter topic, by source topic and reason',
  labelNames: ['topic', 'reason'] as const,
  registers,
});

export const consumerLag = new Gauge({
  name: 'ledger_consumer_lag_messages',
  help: "Messages of a partition not yet committed by the consumer group (high watermark minus the group's offset), sampled",
  labelNames: ['group', 'topic', 'partition'] as const,
  registers,
});

export const consumerLagSampleFailures = new Counter({
  name: 'ledger_consumer_lag_sample_failures_total',
  help: 'Consumer lag samples that could not be taken (broker unreachable), by consumer group',
  labelNames: ['group'] as const,
  registers,
});

export const eventStoreAppendDuration = new Histogram({
  name: 'ledger_event_store_append_duration_seconds',
  help: 'Time of one append to the event store (queueing in the group commit included), by schema',
  labelNames: ['schema'] as const,
  buckets: LATENCY_BUCKETS_SECONDS,
  registers,
});

export const eventStoreAppendEvents = new Histogram({
  name: 'ledger_event_store_append_events',
  help: 'Events written by one append, by schema',
  labelNames: ['schema'] as const,
  buckets: SIZE_BUCKETS,
  registers,
});

export const eventStoreGroupCommitAppends = new Histogram({
  name: 'ledger_event_store_group_commit_appends',
  help: 'Appends written together by one group commit (one transaction), by schema',
  labelNames: ['schema'] as const,
  buckets: SIZE_BUCKETS,
  registers,
});

export const subscriptionPosition = new Gauge({
  name: 'ledger_subscription_position',
  help: 'Store-wide position of the last event a subscription of the event store handled, by subscription name',
  labelNames: ['subscription'] as const,
  registers,
});

export const subscriptionEvents = new Counter({
  name: 'ledger_subscription_events_total',
  help: 'Events handed to a subscription of the event store, by subscription name',
  labelNames: ['subscription'] as const,
  registers,
});

export const relayPublished = new Counter({
  name: 'ledger_relay_published_events_total',
  help: 'Events the relay published to Kafka (acknowledged by the broker), by relay',
  labelNames: ['relay'] as const,
  registers,
});

export const relayLagEvents = new Gauge({
  name: 'ledger_relay_lag_events',
  help: 'Events committed to the store but not yet published by the relay (capped at 100000), sampled',
  labelNames: ['relay'] as const,
  registers,
});

export const relayLagSeconds = new Gauge({
  name: 'ledger_relay_lag_seconds',
  help: 'Age of the oldest committed event the relay has not published yet (0 when none), sampled',
  labelNames: ['relay'] as const,
  registers,
});

export const paymentsInFlight = new Gauge({
  name: 'ledger_payments_in_flight',
  help: 'Payments this instance is driving right now',
  registers,
});

/** The payment drivers of this process (one per payments service instance), summed at scrape time. */
export const paymentsInFlightSources = new GaugeSources(paymentsInFlight);

export const paymentOutcomes = new Counter({
  name: 'ledger_payment_outcomes_total',
  help: 'Payment outcomes recorded (counted once, by the replica that follows the payment events), by payment kind, outcome and failure code',
  labelNames: ['kind', 'outcome', 'failure'] as const,
  registers,
});

export const paymentTimersDue = new Gauge({
  name: 'ledger_payment_timers_due',
  help: 'Timers of payments in flight that are due and not yet fired (the backlog), by timer kind, sampled',
  labelNames: ['kind'] as const,
  registers,
});

export const paymentTimersOldestDueSeconds = new Gauge({
  name: 'ledger_payment_timers_oldest_due_seconds',
  help: 'How long the oldest due timer has been due (0 when none), by timer kind, sampled',
  labelNames: ['kind'] as const,
  registers,
});

export const paymentTimersFired = new Counter({
  name: 'ledger_payment_timers_fired_total',
  help: 'Payment timers fired (a step resumed, a deadline expired), by timer kind',
  labelNames: ['kind'] as const,
  registers,
});

export const invariantBreached = new Gauge({
  name: 'ledger_invariant_breached',
  help: "1 while the invariant's last verdict is a breach, 0 while it holds (the projector's monitor), by invariant, subject and severity",
  labelNames: ['invariant', 'subject', 'severity'] as const,
  registers,
});

export const invariantViolations = new Gauge({
  name: 'ledger_invariant_violations',
  help: "Violations in the invariant's last verdict (0 while it holds), by invariant and subject",
  labelNames: ['invariant', 'subject'] as const,
  registers,
});

export const invariantEvaluations = new Counter({
  name: 'ledger_invariant_evaluations_total',
  help: 'Evaluations of the invariants by the projector, by result (ok, failed)',
  labelNames: ['result'] as const,
  registers,
});

export const invariantLastEvaluation = new Gauge({
  name: 'ledger_invariant_last_evaluation_timestamp_seconds',
  help: 'When the invariants were last evaluated (Unix time)',
  registers,
});

const HEALTH_KINDS: readonly HealthKind[] = ['liveness', 'readiness'];

export const healthCheckUp = new Gauge({
  name: 'ledger_health_check_up',
  help: 'Each health check of the process at scrape time: 1 up, 0 down, by kind (liveness, readiness) and check',
  labelNames: ['kind', 'check'] as const,
  registers,
  // The same (cached, bounded) evaluation as /health/ready: a scrape costs at most one probe of each.
  async collect() {
    this.reset();
    for (const kind of HEALTH_KINDS)
      for (const check of (await health.report(kind)).checks) this.set({ kind, check: check.name }, check.up ? 1 : 0);
  },
});

export const serviceReady = new Gauge({
  name: 'ledger_ready',
  help: 'Whether the process is ready (what /health/ready answers): 1 ready, 0 not',
  registers,
  async collect() {
    this.set((await health.report('readiness')).status === 'up' ? 1 : 0);
  },
});
