/**
 * The scheduler: every delivery, store operation, timer and fault of a schedule is an event here, and
 * the seeded generator alone chooses which runs next.
 *
 * One event runs at a time, then every promise continuation it caused runs to completion (the
 * microtask queue is drained by waiting for `setImmediate`) before the next event is chosen. The code
 * under test is plain async TypeScript; as long as all its waiting goes through this scheduler (store
 * operations, messages, timers), the order of everything it does is a function of the seed.
 *
 * Time is simulated: the clock (a `ManualClock`) moves only when no event is ready, to the next one
 * due, so a 15-minute hold expiry costs nothing. Events due within a small window are made ready
 * together and picked in random order (reordering); an event marked `early` may be picked before it
 * is due (a timer firing early).
 *
 * Components (a payments instance, the wallet) are `Owner`s. Crashing one marks it dead: its pending
 * events are dropped when picked and its promises never settle, exactly as a killed process leaves
 * its work. A restart is a new owner (a new epoch) with fresh in-memory state.
 */
import { ManualClock } from '@ledger/util';
import type { Random } from './random';

export interface Owner {
  readonly name: string;
  readonly epoch: number;
  alive: boolean;
}

export function newOwner(name: string, epoch = 1): Owner {
  return { name, epoch, alive: true };
}

/** An owner that never dies (the network, the users, the durable tables). */
export const WORLD: Owner = newOwner('world');

export interface SimEvent {
  readonly seq: number;
  /** Simulated milliseconds since the schedule began. */
  readonly at: number;
  readonly owner: Owner;
  readonly kind: string;
  readonly detail?: () => string;
  /** May be picked before it is due (a timer). */
  readonly early: boolean;
  readonly run: () => void;
  done: boolean;
}

export interface ScheduleOptions {
  owner?: Owner;
  early?: boolean;
  detail?: () => string;
}

export interface SchedulerTuning {
  /** Events due within this many ms of the next one are made ready together (0: strict time order). */
  windowMs: number;
  /** Chance, per step, that an early-able future event is picked before it is due. */
  earlyChance: number;
}

/** A binary min-heap of events by (at, seq): the future. */
class EventHeap {
  readonly items: SimEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): SimEvent | undefined {
    return this.items[0];
  }

  push(event: SimEvent): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): SimEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

const before = (a: SimEvent, b: SimEvent): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A handle the wrapped `setTimeout` returns (what Node's timers offer that callers use). */
export class SimulatedTimeout {
  constructor(readonly event: SimEvent) {}
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  hasRef(): boolean {
    return false;
  }
}

export class Scheduler {
  readonly clock: ManualClock;
  /** Simulated ms since the schedule began. */
  now = 0;
  /** The owner of the event running now: whoever its continuations belong to. */
  current: Owner | undefined;
  /** Events run so far. */
  executed = 0;
  /** A hash of the order and time of every event run: equal for equal schedules. */
  hash = 0x811c9dc5;
  /** The full trace, when asked for (replays of one seed). */
  readonly trace: string[] | undefined;
  tuning: SchedulerTuning;
  private seq = 0;
  private readonly ready: SimEvent[] = [];
  private readonly future = new EventHeap();
  private readonly kindIds = new Map<string, number>();
  private readonly startMs: number;

  constructor(
    private readonly random: Random,
    start: Date,
    tuning: SchedulerTuning,
    tracing: boolean,
  ) {
    this.clock = new ManualClock(start);
    this.startMs = start.getTime();
    this.tuning = tuning;
    this.trace = tracing ? [] : undefined;
  }

  /** Schedules `run` in `delayMs` (≥ 0), owned by `options.owner` or by the owner of the running event. */
  after(delayMs: number, kind: string, run: () => void, options: ScheduleOptions = {}): SimEvent {
    const owner = options.owner ?? this.current;
    if (owner === undefined) throw new Error(`${kind} scheduled outside of any event and without an owner`);
    const event: SimEvent = {
      seq: this.seq++,
      at: this.now + (Number.isFinite(delayMs) ? Math.max(0, Math.floor(delayMs)) : 0),
      owner,
      kind,
      detail: options.detail,
      early: options.early ?? false,
      run,
      done: false,
    };
    if (event.at <= this.now) this.ready.push(event);
    else this.future.push(event);
    return event;
  }

  cancel(event: SimEvent | undefined): void {
    if (event) event.done = true;
  }

  /** Adds a line to the trace (only when tracing). */
  note(line: () => string): void {
    this.trace?.push(`${this.stamp()} ${line()}`);
  }

  /** Runs the next event and everything it causes; false when nothing is left to run. */
  async step(): Promise<boolean> {
    const event = this.next();
    if (event === undefined) return false;
    this.current = event.owner;
    this.executed += 1;
    this.hash = Math.imul(this.hash ^ this.kindId(event.kind), 16777619) >>> 0;
    this.hash = Math.imul(this.hash ^ (this.now & 0xffffffff), 16777619) >>> 0;
    if (this.trace)
      this.trace.push(`${this.stamp()} ${event.owner.name}#${event.owner.epoch} ${event.kind}${event.detail ? ` ${event.detail()}` : ''}`);
    event.run();
    await drain();
    this.current = undefined;
    return true;
  }

  /** True when an event is waiting (ready or in the future) that is still live. */
  get pending(): number {
    return this.ready.length + this.future.size;
  }

  /** Simulated time as `+12.345s`. */
  stamp(): string {
    return `+${(this.now / 1000).toFixed(3)}s`;
  }

  /** The instant of simulated time `ms` after the start. */
  instantAt(ms: number): Date {
    return new Date(this.startMs + ms);
  }

  private next(): SimEvent | undefined {
    const { earlyChance, windowMs } = this.tuning;
    if (earlyChance > 0 && this.future.size > 0 && this.random.chance(earlyChance)) {
      const candidate = this.future.items[this.random.int(this.future.size)]!;
      if (!candidate.done && candidate.early && candidate.owner.alive) {
        // Taken out of the heap lazily: marked done, skipped when it comes up.
        candidate.done = true;
        return { ...candidate, kind: `${candidate.kind} (early)` };
      }
    }
    for (;;) {
      if (this.ready.length === 0 && !this.advance(windowMs)) return undefined;
      const index = this.random.int(this.ready.length);
      const event = this.ready[index]!;
      this.ready[index] = this.ready[this.ready.length - 1]!;
      this.ready.pop();
      if (event.done || !event.owner.alive) continue;
      event.done = true;
      return event;
    }
  }

  /** Moves the clock to the next live event and makes ready every event due within the window; false when none is left. */
  private advance(windowMs: number): boolean {
    let head = this.future.pop();
    while (head !== undefined && (head.done || !head.owner.alive)) head = this.future.pop();
    if (head === undefined) return false;
    if (head.at > this.now) {
      this.now = head.at;
      this.clock.set(new Date(this.startMs + this.now));
    }
    this.ready.push(head);
    const until = this.now + (windowMs > 0 ? this.random.int(windowMs + 1) : 0);
    for (let next = this.future.peek(); next !== undefined && next.at <= until; next = this.future.peek()) {
      this.future.pop();
      if (!next.done && next.owner.alive) this.ready.push(next);
    }
    return true;
  }

  private kindId(kind: string): number {
    let id = this.kindIds.get(kind);
    if (id === undefined) {
      id = 0;
      for (let i = 0; i < kind.length; i++) id = Math.imul(id ^ kind.charCodeAt(i), 16777619) >>> 0;
      this.kindIds.set(kind, id);
    }
    return id;
  }
}

/**
 * Replaces the global `setTimeout`/`clearTimeout` with the scheduler's for the duration of a
 * schedule, so code that sleeps with the real timer functions (a retry's backoff) sleeps in
 * simulated time, owned by the component whose event called it. Returns the restore function.
 */
export function installSimulatedTimers(scheduler: Scheduler): () => void {
  const global = globalThis as unknown as { setTimeout: unknown; clearTimeout: unknown };
  const realSetTimeout = global.setTimeout;
  const realClearTimeout = global.clearTimeout as (handle: unknown) => void;
  global.setTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (scheduler.current === undefined) throw new Error('setTimeout called outside of a simulated event');
    return new SimulatedTimeout(scheduler.after(ms ?? 0, 'timer', () => callback(...args), { early: true }));
  };
  global.clearTimeout = (handle: unknown) => {
    if (handle instanceof SimulatedTimeout) scheduler.cancel(handle.event);
    else realClearTimeout(handle);
  };
  return () => {
    global.setTimeout = realSetTimeout;
    global.clearTimeout = realClearTimeout;
  };
}
