/**
 * What every simulated component shares: the scheduler, the generator that decides faults, the
 * schedule's fault profile, and the record of the faults injected (for the failure report).
 */
import type { FaultKind, FaultProfile } from './faults';
import type { MemoryEventStore } from './memory-event-store';
import type { Random } from './random';
import type { Scheduler } from './scheduler';

export interface InjectedFault {
  at: number;
  kind: FaultKind;
  what: string;
}

/** Faults recorded per schedule, at most (the count goes on). */
const MAX_RECORDED_FAULTS = 200;

export class SimContext {
  /** Once set, no fault is injected any more: the system is let to quiesce. */
  healing = false;
  readonly faults: InjectedFault[] = [];
  faultCount = 0;
  readonly faultsByKind = new Map<FaultKind, number>();

  constructor(
    readonly scheduler: Scheduler,
    readonly random: Random,
    readonly profile: FaultProfile,
    /** The durable storage every event store of the schedule writes to (one store, streams per service). */
    readonly store: MemoryEventStore,
  ) {}

  /** True (and recorded) when a fault of `kind` with probability `chance` happens now. */
  fault(kind: FaultKind, chance: number, what: () => string): boolean {
    if (this.healing) return false;
    // One draw whatever the chance, so a kind turned off does not shift the draws of the others.
    if (this.random.float() >= chance) return false;
    this.record(kind, what);
    return true;
  }

  /** Records a fault decided by the caller. */
  record(kind: FaultKind, what: () => string): void {
    this.faultCount += 1;
    this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + 1);
    if (this.faults.length < MAX_RECORDED_FAULTS) this.faults.push({ at: this.scheduler.now, kind, what: what() });
    this.scheduler.note(() => `FAULT ${kind}: ${what()}`);
  }

  /** A message's time in transit: a few ms, or (a `delay` fault) seconds. */
  latency(what: () => string): number {
    if (this.fault('delay', this.profile.delayChance, what)) return 1_000 + this.random.int(19_000);
    return this.random.int(this.profile.latencyMs + 1);
  }

  /** A store or table operation's time: a few ms. */
  ioLatency(): number {
    return this.random.int(4);
  }
}
