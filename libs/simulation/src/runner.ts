/**
 * Many schedules in a row: the tally of a run (rate, events, faults, outcomes) and its failures,
 * grouped by what failed so one bug found by a thousand seeds reads as one line with its first seeds.
 */
import type { FaultKind } from './faults';
import { signatureOf } from './signature';
import { runSchedule, type ScheduleOptions, type ScheduleResult } from './simulation';

export { signatureOf };

export type RunOptions = Omit<ScheduleOptions, 'seed' | 'trace'>;

/**
 * The configuration in which the frequent defects the simulation found in the payment path are not
 * reached (docs/architecture.md, "Deterministic simulation"): one payments instance, no failed store
 * acknowledgements or producer errors, and no instance or service down for ten minutes or more (a hold
 * lasts 15). Two rarer ones remain reachable in it (about 2 schedules in 10,000).
 */
export const AVOID_KNOWN_DEFECTS: RunOptions = {
  paymentsInstances: 1,
  without: new Set<FaultKind>(['store', 'producer']),
  maxDowntimeMs: 10 * 60_000,
};

export interface RunSummary {
  schedules: number;
  failed: number;
  events: number;
  simulatedMs: number;
  elapsedMs: number;
  completedPayments: number;
  failedPayments: number;
  /** Payment outcomes by kind and failure code. */
  outcomes: Map<string, number>;
  faultsByKind: Map<FaultKind, number>;
  /** Failure signature (the message without its numbers) → the seeds that showed it (the first few) and how many. */
  failures: Map<string, { seeds: number[]; count: number; example: string }>;
  /** Every failed schedule's seed (bounded). */
  failedSeeds: number[];
}

export async function runSeeds(
  from: number,
  count: number,
  options: RunOptions,
  progress?: (done: number, summary: RunSummary) => void,
): Promise<RunSummary> {
  const summary: RunSummary = {
    schedules: 0,
    failed: 0,
    events: 0,
    simulatedMs: 0,
    elapsedMs: 0,
    completedPayments: 0,
    failedPayments: 0,
    outcomes: new Map(),
    faultsByKind: new Map(),
    failures: new Map(),
    failedSeeds: [],
  };
  const started = Date.now();
  let reported = started;
  for (let i = 0; i < count; i++) {
    const seed = (from + i) >>> 0;
    const result = await runSchedule({ ...options, seed });
    add(summary, result);
    const now = Date.now();
    summary.elapsedMs = now - started;
    if (progress && now - reported >= 5_000) {
      reported = now;
      progress(i + 1, summary);
    }
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}

function add(summary: RunSummary, result: ScheduleResult): void {
  summary.schedules += 1;
  summary.events += result.events;
  summary.simulatedMs += result.simulatedMs;
  summary.completedPayments += result.completed;
  summary.failedPayments += result.failed;
  for (const [outcome, n] of result.outcomes) summary.outcomes.set(outcome, (summary.outcomes.get(outcome) ?? 0) + n);
  for (const [kind, n] of result.faultsByKind) summary.faultsByKind.set(kind, (summary.faultsByKind.get(kind) ?? 0) + n);
  if (result.ok) return;
  summary.failed += 1;
  if (summary.failedSeeds.length < 1_000) summary.failedSeeds.push(result.seed);
  for (const failure of new Set(result.failures.map(signatureOf))) {
    let group = summary.failures.get(failure);
    if (!group) {
      if (summary.failures.size >= 100) continue;
      group = { seeds: [], count: 0, example: result.failures.find((f) => signatureOf(f) === failure)! };
      summary.failures.set(failure, group);
    }
    group.count += 1;
    if (group.seeds.length < 5) group.seeds.push(result.seed);
  }
}
