/**
 * The capacity step search of `npm run bench -- --capacity`: the highest offered rate the system
 * sustains for a whole step with p99 ≤ the latency bound, nothing refused `PAYMENTS_BUSY` and
 * nothing left unfinished. Rates grow by a factor until a step fails, then the gap between the
 * last rate that held and the first that did not is halved, a bounded number of times.
 */
export interface CapacityStep {
  rate: number;
  held: boolean;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  refused: number;
  unfinished: number;
}

export interface CapacityPlan {
  startRate: number;
  /** Growth factor while every step holds. */
  growth: number;
  /** Steps at most, growth and halving together. */
  maxSteps: number;
  /** The search stops once the gap is at most this many payments/s. */
  resolution: number;
}

export const DEFAULT_CAPACITY_PLAN: CapacityPlan = { startRate: 25, growth: 2, maxSteps: 8, resolution: 10 };

/** The next rate to try after `steps`, or undefined when the search is over. */
export function nextCapacityRate(steps: readonly CapacityStep[], plan: CapacityPlan = DEFAULT_CAPACITY_PLAN): number | undefined {
  if (steps.length >= plan.maxSteps) return undefined;
  if (steps.length === 0) return plan.startRate;
  const held = steps.filter((step) => step.held).map((step) => step.rate);
  const failed = steps.filter((step) => !step.held).map((step) => step.rate);
  const best = held.length > 0 ? Math.max(...held) : 0;
  const worst = failed.length > 0 ? Math.min(...failed) : undefined;
  if (worst === undefined) return Math.round(best * plan.growth);
  if (worst - best <= plan.resolution) return undefined;
  return Math.round((best + worst) / 2);
}

/** The highest rate that held (0 when none did). */
export function capacityOf(steps: readonly CapacityStep[]): number {
  return steps.filter((step) => step.held).reduce((best, step) => Math.max(best, step.rate), 0);
}
