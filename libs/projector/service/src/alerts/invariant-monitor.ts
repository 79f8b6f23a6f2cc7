/**
 * The invariants as live checks: every `intervalMs` the monitor evaluates them on the read models
 * (`checkInvariants`, the same checks `npm run projector:check` runs, with the wallet comparison
 * bounded to a sweep), and every `replayIntervalMs` it also compares a sample of streams with their
 * replay (`checkReplaySample`). The verdicts move the alerts' state (`alert-store.ts`): a breach that
 * starts raises its alert once, a breach that ends clears it once, and each transition goes to
 * `ops.alerts` through the outbox.
 *
 * Cost, since the projector runs beside the payment path: one evaluation at a time on a timer, never
 * anything per event; every statement is bounded or an index lookup, except the trial balance's
 * aggregate (one row per account). An invariant whose read models are not live in this projector is
 * not judged; the ones judged against the clock (holds past expiry, payments without an outcome)
 * only while their read model has caught up with its store, so a backlog after a restart alerts
 * nothing; an evaluation that fails is logged and the next one runs as usual.
 */
import type { DataSource } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import { checkReplaySample, SAMPLED_PROJECTIONS, type ReplaySampleSources } from '../engine/replay-sample';
import { checkInvariants, WALLET_CHECK_PROJECTIONS } from '../invariants';
import { holdsProjection, journalProjection, paymentOutcomesProjection } from '../projections';
import { invariantBreached, invariantEvaluations, invariantLastEvaluation, invariantViolations } from '@ledger/observability';
import type { AlertSink } from './alert-sink';
import { applyVerdicts, loadAlerts, markPublished, pruneClearedAlerts, unpublishedAlerts, type Transitions } from './alert-store';
import { monitorSettingsFromEnv, type MonitorSettings } from './monitor-settings';
import { alertKey, invariantVerdicts, replayVerdicts, SUBJECT, type InvariantName, type Verdict } from './verdicts';

/** What the projector tells the monitor about its projections. */
export interface MonitoredProjector {
  readonly dataSource: DataSource | undefined;
  /** The projections kept live. */
  liveProjections(): readonly string[];
  isCaughtUp(name: string): boolean;
}

export interface InvariantMonitorOptions extends Partial<MonitorSettings> {
  projector: MonitoredProjector;
  sink: AlertSink;
  /** The stores to replay samples from; without them there is no replay check. */
  replaySources?: ReplaySampleSources;
  now?: () => Date;
  logger?: Pick<LoggerService, 'log' | 'warn' | 'error'>;
}

export interface Evaluation {
  /** False when the analytics database was not open yet. */
  ran: boolean;
  verdicts: Verdict[];
  /** Undefined when another evaluator held the alerts. */
  transitions?: Transitions;
  replayChecked: boolean;
  published: number;
}

/** The read models each invariant is judged on, and whether it is judged against the clock. */
const JUDGED_ON: Record<Exclude<InvariantName, 'read-model-equals-replay'>, { projections: readonly string[]; clock: boolean }> = {
  'ledger-balanced': { projections: [journalProjection.name], clock: false },
  'payment-single-outcome': { projections: [paymentOutcomesProjection.name], clock: false },
  'payment-outcome-has-payment': { projections: [paymentOutcomesProjection.name], clock: false },
  'payment-outcome-in-time': { projections: [paymentOutcomesProjection.name], clock: true },
  'hold-closed-by-expiry': { projections: [holdsProjection.name], clock: true },
  'wallet-balance-equals-postings': { projections: WALLET_CHECK_PROJECTIONS, clock: false },
};

const silent: Pick<LoggerService, 'log' | 'warn' | 'error'> = { log: () => undefined, warn: () => undefined, error: () => undefined };

export class InvariantMonitor {
  private readonly settings: MonitorSettings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  /** Where the wallet comparison's sweep continues. */
  private walletsAfter = '';
  /** Where the replay sample's sweep continues, per stream category. */
  private sampleAfter: Record<string, string> = {};
  private lastReplayAtMs = Number.NEGATIVE_INFINITY;
  /** Evaluations done since start (for tests and the log). */
  evaluations = 0;

  constructor(private readonly options: InvariantMonitorOptions) {
    const fromEnv = monitorSettingsFromEnv();
    this.settings = {
      intervalMs: options.intervalMs ?? fromEnv.intervalMs,
      replayIntervalMs: options.replayIntervalMs ?? fromEnv.replayIntervalMs,
      outcomeWithinMs: options.outcomeWithinMs ?? fromEnv.outcomeWithinMs,
      holdGraceMs: options.holdGraceMs ?? fromEnv.holdGraceMs,
      walletSweep: options.walletSweep ?? fromEnv.walletSweep,
      replaySample: options.replaySample ?? fromEnv.replaySample,
    };
  }

  private get logger(): Pick<LoggerService, 'log' | 'warn' | 'error'> {
    return this.options.logger ?? silent;
  }

  /** Evaluates every `intervalMs` (the first time one interval after the start, once the projections had time to catch up). */
  start(): void {
    if (this.settings.intervalMs <= 0) return;
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.evaluate()
        .catch((error: unknown) => {
          invariantEvaluations.labels('failed').inc();
          this.logger.error(`invariant evaluation failed: ${String(error)}`);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.settings.intervalMs);
  }

  /** Stops the timer and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One evaluation: check, move the alerts' state, publish what is waiting. */
  async evaluate(): Promise<Evaluation> {
    const { projector } = this.options;
    const dataSource = projector.dataSource;
    if (!dataSource?.isInitialized) return { ran: false, verdicts: [], replayChecked: false, published: 0 };
    const now = this.options.now?.() ?? new Date();
    const live = new Set(projector.liveProjections());
    const alerts = await loadAlerts(dataSource);
    // The ids an alert lists are checked again whatever the sweeps pick, so that it clears only once they hold again.
    const flagged = (invariant: InvariantName, subject: string) =>
      alerts.find((alert) => alert.key === alertKey(invariant, subject) && alert.state === 'raised')?.details ?? [];

    const report = await checkInvariants(dataSource, {
      asOf: now,
      graceMs: this.settings.holdGraceMs,
      outcomeWithinMs: this.settings.outcomeWithinMs,
      wallets: {
        after: this.walletsAfter,
        limit: this.settings.walletSweep,
        also: flagged('wallet-balance-equals-postings', SUBJECT.wallets),
      },
    });
    if (report.walletBalances.compared) this.walletsAfter = report.walletBalances.sweptTo ?? '';
    const verdicts = invariantVerdicts(report).filter((verdict) => {
      const judged = JUDGED_ON[verdict.invariant as keyof typeof JUDGED_ON];
      return judged.projections.every((name) => live.has(name) && (!judged.clock || projector.isCaughtUp(name)));
    });

    let replayChecked = false;
    const sampled = SAMPLED_PROJECTIONS.filter((name) => live.has(name));
    const replayDue = this.settings.replayIntervalMs > 0 && now.getTime() - this.lastReplayAtMs >= this.settings.replayIntervalMs;
    if (this.options.replaySources && replayDue && sampled.length > 0) {
      const sample = await checkReplaySample(dataSource, this.options.replaySources, {
        projections: sampled,
        after: this.sampleAfter,
        sampleSize: this.settings.replaySample,
        also: Object.fromEntries(sampled.map((name) => [name, flagged('read-model-equals-replay', name)])),
      });
      this.sampleAfter = sample.sweptTo;
      this.lastReplayAtMs = now.getTime();
      verdicts.push(...replayVerdicts(sample));
      replayChecked = true;
    }

    exportVerdicts(verdicts, now);
    const transitions = await applyVerdicts(dataSource, verdicts, now);
    for (const key of transitions?.raised ?? [])
      this.logger.warn(`alert raised: ${key}: ${verdicts.find((v) => alertKey(v.invariant, v.subject) === key)?.breach?.summary ?? ''}`);
    for (const key of transitions?.cleared ?? []) this.logger.log(`alert cleared: ${key}`);
    const published = await this.publishWaiting(dataSource, now);
    await pruneClearedAlerts(dataSource, now);
    this.evaluations += 1;
    return { ran: true, verdicts, transitions, replayChecked, published };
  }

  /** Sends the transitions not yet acknowledged; on failure they wait for the next evaluation. */
  private async publishWaiting(dataSource: DataSource, now: Date): Promise<number> {
    const waiting = await unpublishedAlerts(dataSource);
    if (waiting.length === 0) return 0;
    try {
      await this.options.sink.publish(waiting);
    } catch (error) {
      this.logger.warn(String(error));
      return 0;
    }
    await markPublished(dataSource, waiting, now);
    return waiting.length;
  }
}

/**
 * The verdicts as gauges, for Prometheus: `ledger_invariant_breached` 1/0 and the number of
 * violations, per invariant and subject. A verdict sets its own series only; an invariant not judged
 * this time keeps its last figure, as its alert keeps its state. Subjects are currencies, read models
 * and projections: a bounded set, never payment or wallet ids.
 */
function exportVerdicts(verdicts: readonly Verdict[], now: Date): void {
  for (const verdict of verdicts) {
    invariantBreached.set({ invariant: verdict.invariant, subject: verdict.subject, severity: verdict.severity }, verdict.breach ? 1 : 0);
    invariantViolations.set({ invariant: verdict.invariant, subject: verdict.subject }, verdict.breach?.detailsTotal ?? 0);
  }
  invariantEvaluations.labels('ok').inc();
  invariantLastEvaluation.set(now.getTime() / 1_000);
}
