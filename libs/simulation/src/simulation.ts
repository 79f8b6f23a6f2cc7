/**
 * One schedule: a seed becomes a world (the store, the bus, the instances of payments and wallet, the
 * fakes, the users and their requests) and a fault profile; the scheduler runs it with faults for a
 * while, then lets it quiesce (no more faults, every instance up, every message delivered, every
 * timer fired) and the invariants are checked against the stores.
 *
 * Same seed, same options: the same events in the same order at the same simulated times (the trace
 * hash says so), so a failure is replayed exactly with `--seed`.
 */
import { ConcurrencyRetriesExhausted } from '@ledger/event-store';
import { WalletLedger } from '@ledger/wallet-service/testing';
import { DEFAULT_WALLET_POLICY, type WalletPolicy } from '@ledger/wallet-domain';
import type { CommandContract } from '@ledger/contracts';
import { cardsContract, identityContract, walletContract } from '@ledger/contracts';
import { Type } from '@sinclair/typebox';
import { SimContext, type InjectedFault } from './context';
import { drawProfile, type FaultKind, type FaultProfile } from './faults';
import { checkInvariants, type PaymentFacts } from './invariants';
import { MemoryEventStore } from './memory-event-store';
import { Bus, SimCommandClient } from './network';
import { FakeCards, FakeIdentity, PartnerBooks } from './outside';
import { FRONT_DOOR, PAYMENTS_SETTINGS, PaymentsNode } from './payments-node';
import { Random } from './random';
import { StoreConnectionLost } from './scheduled-store';
import { signatureOf } from './signature';
import { Scheduler, WORLD, installSimulatedTimers, newOwner, type Owner, type SimEvent } from './scheduler';
import { HoldTimerTable, PaymentTimerTable } from './tables';
import { WalletNode } from './wallet-node';
import { drawUsers, drawWorkload, type PlannedRequest, type Workload } from './workload';

export interface ScheduleOptions {
  seed: number;
  /** Fault kinds turned off (`--without`). */
  without?: ReadonlySet<FaultKind>;
  /** Keep the full trace (every event) for the report. */
  trace?: boolean;
  /** Payments instances (default: 1 or 2, drawn from the seed). */
  paymentsInstances?: number;
  /** The longest a crashed instance or a stopped service stays down (default 25 minutes). */
  maxDowntimeMs?: number;
}

export interface ScheduleResult {
  seed: number;
  ok: boolean;
  failures: string[];
  /** Events run, and simulated time at the end (ms). */
  events: number;
  simulatedMs: number;
  /** Equal for two runs of the same schedule. */
  hash: number;
  faultCount: number;
  faultsByKind: ReadonlyMap<FaultKind, number>;
  faults: InjectedFault[];
  profile: FaultProfile;
  completed: number;
  failed: number;
  /** Outcomes by kind and failure code (`merchant completed`, `transfer HOLD_EXPIRED`). */
  outcomes: Map<string, number>;
  /** The world, payment by payment, and the faults: the short story of the schedule. */
  story: string;
  trace?: string[];
}

/** Bounds of one schedule: events in all, and simulated time to quiesce after the faults stop. */
const MAX_EVENTS = 50_000;
const MAX_QUIESCE_MS = 48 * 3_600_000;

/** The front door's commands as contracts the simulated client can send (the front door checks nothing more). */
const frontDoorContract = (type: string): CommandContract => ({
  type,
  context: 'payments',
  payload: Type.Unknown(),
  description: 'a request of the simulated users, providers and supervisors',
  senders: { gateway: ['user', 'teller', 'merchant', 'provider', 'supervisor'] },
  rejects: [],
});
const FRONT_DOOR_CONTRACTS = new Map(Object.values(FRONT_DOOR).map((type) => [type, frontDoorContract(type)]));

const contractsOf = (commands: readonly CommandContract[]): ReadonlyMap<string, CommandContract> =>
  new Map(commands.map((c) => [c.type, c]));

class World {
  readonly scheduler: Scheduler;
  readonly ctx: SimContext;
  readonly store: MemoryEventStore;
  readonly bus: Bus;
  readonly books: PartnerBooks;
  readonly timers: PaymentTimerTable;
  readonly holds: HoldTimerTable;
  readonly policy: WalletPolicy = DEFAULT_WALLET_POLICY;
  readonly failures: string[] = [];
  /** Unexpected exceptions, one per kind, with how often each was thrown. */
  readonly exceptions = new Map<string, { failure: string; count: number }>();
  readonly payments: Array<PaymentsNode | undefined>;
  readonly wallets: Array<WalletNode | undefined>;
  private identity: FakeIdentity | undefined;
  private cards: FakeCards | undefined;
  private readonly epochs = new Map<string, number>();
  private readonly followers = new Map<'payment' | 'wallet', { event: SimEvent | undefined; behind: boolean }>([
    ['payment', { event: undefined, behind: false }],
    ['wallet', { event: undefined, behind: false }],
  ]);
  private crashes = 0;
  plannedLeft = 0;
  workload!: Workload;
  private users!: SimCommandClient;
  private readonly planRandom: Random;
  private readonly maxDowntimeMs: number;
  readonly random: Random;
  readonly profile: FaultProfile;

  constructor(
    readonly seed: number,
    options: ScheduleOptions,
  ) {
    this.random = new Random(seed);
    const profileRandom = this.random.fork();
    const planRandom = this.random.fork();
    const schedulerRandom = this.random.fork();
    const faultRandom = this.random.fork();
    this.profile = drawProfile(profileRandom, options.without ?? new Set());
    // A start somewhere in a day, so payments cross the Asia/Shanghai day boundary of the daily limits now and then.
    const start = new Date(Date.UTC(2026, 2, 2) + planRandom.int(24 * 3_600_000));
    this.scheduler = new Scheduler(
      schedulerRandom,
      start,
      { windowMs: this.profile.windowMs, earlyChance: this.profile.earlyChance },
      options.trace ?? false,
    );
    this.store = new MemoryEventStore({ clock: this.scheduler.clock });
    this.ctx = new SimContext(this.scheduler, faultRandom, this.profile, this.store);
    this.bus = new Bus(this.ctx, (where, error) => this.error(where, error));
    this.books = new PartnerBooks(planRandom.fork());
    this.timers = new PaymentTimerTable(this.store, PAYMENTS_SETTINGS.resumeAfterMs, start.getTime());
    this.holds = new HoldTimerTable(this.store, start.getTime());
    this.maxDowntimeMs = options.maxDowntimeMs ?? 25 * 60_000;
    const paymentsInstances = planRandom.between(1, 2);
    this.payments = Array.from({ length: options.paymentsInstances ?? paymentsInstances }, () => undefined);
    this.wallets = Array.from({ length: planRandom.between(1, 2) }, () => undefined);
    this.planRandom = planRandom;
  }

  /** Opens and funds the users' wallets (directly on the store, before the schedule), draws the requests, starts every component. */
  async setUp(): Promise<void> {
    const users = drawUsers(this.planRandom, this.books);
    const ledger = new WalletLedger({ store: this.store, policy: this.policy });
    const at = this.scheduler.clock.now().toISOString();
    for (const user of users) {
      const metadata = {
        commandId: `open-${user.userId}`,
        correlationId: `open-${user.userId}`,
        actor: 'system:simulation',
        occurredAt: at,
      };
      const opened = await ledger.open(
        user.userId,
        user.tier,
        { registered: true, paymentPasswordSet: true, cardBound: true, identityFrozen: false, identityVerified: false },
        metadata,
        at,
      );
      if (opened.kind !== 'accepted') throw new Error(`could not open ${user.userId}'s wallet: ${opened.code}`);
      user.walletId = opened.walletId;
      if (user.balanceMinor > 0n) {
        const funded = await ledger.execute(
          {
            type: 'CreditWallet',
            walletId: user.walletId,
            creditId: `funding-${user.userId}`,
            amountMinor: user.balanceMinor,
            reference: 'funding',
            counterparty: 'clearing:card:ICBC',
            now: at,
          },
          { ...metadata, commandId: `fund-${user.userId}` },
        );
        if (funded.kind !== 'accepted') throw new Error(`could not fund ${user.userId}'s wallet: ${funded.code}`);
      }
    }
    this.workload = drawWorkload(this.planRandom, this.books, users, (ms) => this.scheduler.instantAt(ms).toISOString());

    this.bus.serve('wallet', {
      instances: () => this.wallets.filter((node): node is WalletNode => node !== undefined),
      contracts: contractsOf(walletContract.COMMANDS),
    });
    this.bus.serve('identity', {
      instances: () => (this.identity ? [this.identity] : []),
      contracts: contractsOf(identityContract.COMMANDS),
    });
    this.bus.serve('cards', { instances: () => (this.cards ? [this.cards] : []), contracts: contractsOf(cardsContract.COMMANDS) });
    this.bus.serve('payments', {
      instances: () => this.payments.filter((node): node is PaymentsNode => node !== undefined),
      contracts: FRONT_DOOR_CONTRACTS,
    });
    this.identity = new FakeIdentity(this.nextOwner('identity'), users);
    this.cards = new FakeCards(this.nextOwner('cards'), users);
    for (let i = 0; i < this.payments.length; i++) this.startPayments(i);
    for (let i = 0; i < this.wallets.length; i++) this.startWallet(i);
    // The wallets' funding is followed like any other wallet event.
    this.wakeFollower('wallet');

    this.users = new SimCommandClient(this.ctx, this.bus, newOwner('users'), 'gateway', 60_000, false);
    for (const planned of this.workload.requests) {
      this.plannedLeft += 1;
      this.scheduler.after(planned.at, 'request', () => this.send(planned), {
        owner: WORLD,
        detail: () => `${planned.type} ${planned.commandId}`,
      });
    }
  }

  private send(planned: PlannedRequest): void {
    this.plannedLeft -= 1;
    void this.users.send(FRONT_DOOR_CONTRACTS.get(planned.type)!, planned.payload, {
      key: planned.key,
      actor: planned.actor,
      commandId: planned.commandId,
      correlationId: planned.commandId.split(':')[0],
    });
  }

  /** Before each event of the faulty part: maybe a crash, maybe an outage. */
  chaos(): void {
    const { profile, ctx } = this;
    if (ctx.healing || this.crashes >= profile.maxCrashes) return;
    if (profile.crashChance > 0 && ctx.random.chance(profile.crashChance)) {
      const slots = [
        ...this.payments.map((node, i) => ({ node, i, kind: 'payments' as const })),
        ...this.wallets.map((node, i) => ({ node, i, kind: 'wallet' as const })),
      ].filter((slot) => slot.node !== undefined);
      if (slots.length === 0) return;
      const slot = ctx.random.pick(slots);
      const downMs = this.downtime();
      this.crashes += 1;
      ctx.record('crash', () => `${slot.node!.owner.name}#${slot.node!.owner.epoch} crashes, back in ${(downMs / 1000).toFixed(1)} s`);
      this.kill(slot.node!.owner);
      if (slot.kind === 'payments') this.payments[slot.i] = undefined;
      else this.wallets[slot.i] = undefined;
      this.scheduler.after(downMs, 'restart', () => (slot.kind === 'payments' ? this.startPayments(slot.i) : this.startWallet(slot.i)), {
        owner: WORLD,
      });
    } else if (profile.outageChance > 0 && ctx.random.chance(profile.outageChance)) {
      const which = ctx.random.chance(0.5) ? 'identity' : 'cards';
      const current = which === 'identity' ? this.identity : this.cards;
      if (!current) return;
      const downMs = this.downtime();
      this.crashes += 1;
      ctx.record('outage', () => `${which} stops consuming for ${(downMs / 1000).toFixed(1)} s`);
      this.kill(current.owner);
      if (which === 'identity') this.identity = undefined;
      else this.cards = undefined;
      this.scheduler.after(downMs, 'restart', () => this.startOutside(which), { owner: WORLD });
    }
  }

  /** Mostly seconds; now and then minutes, long enough for a hold or a password's grace to run out. */
  private downtime(): number {
    const r = this.ctx.random.float();
    const ms =
      r < 0.75
        ? this.ctx.random.between(50, 5_000)
        : r < 0.95
          ? this.ctx.random.between(5_000, 120_000)
          : this.ctx.random.between(120_000, 25 * 60_000);
    return Math.min(ms, this.maxDowntimeMs);
  }

  private kill(owner: Owner): void {
    owner.alive = false;
    this.bus.crashed(owner);
  }

  /** Every component up, no fault from now on. */
  heal(): void {
    this.ctx.healing = true;
    this.scheduler.tuning = { ...this.scheduler.tuning, earlyChance: 0 };
    for (let i = 0; i < this.payments.length; i++) if (!this.payments[i]) this.startPayments(i);
    for (let i = 0; i < this.wallets.length; i++) if (!this.wallets[i]) this.startWallet(i);
    if (!this.identity) this.startOutside('identity');
    if (!this.cards) this.startOutside('cards');
  }

  private startPayments(i: number): void {
    if (this.payments[i]) return;
    const node = new PaymentsNode({
      ctx: this.ctx,
      owner: this.nextOwner(`payments-${i + 1}`),
      bus: this.bus,
      books: this.books,
      timers: this.timers,
      appended: (stream) => this.appended(stream),
      timersChanged: () => this.payments.forEach((n) => n?.schedulePoll()),
      error: (where, error) => this.error(where, error),
    });
    this.payments[i] = node;
    this.bus.wake('payments');
    this.wakeFollower('payment');
    node.schedulePoll();
  }

  private startWallet(i: number): void {
    if (this.wallets[i]) return;
    const node = new WalletNode({
      ctx: this.ctx,
      owner: this.nextOwner(`wallet-${i + 1}`),
      bus: this.bus,
      policy: this.policy,
      holds: this.holds,
      appended: (stream) => this.appended(stream),
      holdsChanged: () => this.wallets.forEach((n) => n?.schedulePoll()),
      error: (where, error) => this.error(where, error),
    });
    this.wallets[i] = node;
    this.bus.wake('wallet');
    this.wakeFollower('wallet');
    node.schedulePoll();
  }

  private startOutside(which: 'identity' | 'cards'): void {
    if (which === 'identity' && !this.identity) this.identity = new FakeIdentity(this.nextOwner('identity'), this.workload.users);
    if (which === 'cards' && !this.cards) this.cards = new FakeCards(this.nextOwner('cards'), this.workload.users);
    this.bus.wake(which);
  }

  private nextOwner(name: string): Owner {
    const epoch = (this.epochs.get(name) ?? 0) + 1;
    this.epochs.set(name, epoch);
    return newOwner(name, epoch);
  }

  private appended(stream: string): void {
    if (stream.startsWith('payment-')) this.wakeFollower('payment');
    else if (stream.startsWith('wallet-')) this.wakeFollower('wallet');
  }

  /**
   * The followers of the store (payment timers, hold timers): woken by an append, they read after a
   * batch window (up to 200 ms, `followerPacing`), while an instance of their service runs.
   */
  private wakeFollower(which: 'payment' | 'wallet'): void {
    const follower = this.followers.get(which)!;
    follower.behind = true;
    if (follower.event && !follower.event.done) return;
    follower.event = this.scheduler.after(this.ctx.random.int(201), `${which} timers follower`, () => this.follow(which), { owner: WORLD });
  }

  private follow(which: 'payment' | 'wallet'): void {
    const follower = this.followers.get(which)!;
    follower.event = undefined;
    const nodes = which === 'payment' ? this.payments : this.wallets;
    if (!nodes.some((node) => node !== undefined)) return; // no instance runs it; the next start wakes it
    const caughtUp = which === 'payment' ? this.timers.follow() : this.holds.follow();
    follower.behind = !caughtUp;
    if (!caughtUp) this.wakeFollower(which);
    for (const node of nodes) node?.schedulePoll();
  }

  /** Nothing left to happen: every request sent and answered, every payment ended, every timer gone. */
  quiescent(): boolean {
    if (this.plannedLeft > 0 || this.bus.inFlight > 0) return false;
    for (const follower of this.followers.values()) if (follower.behind) return false;
    // Every payment in flight has a timer (step, provider or approval deadline) and every open hold a row.
    if (this.timers.size > 0 || this.holds.size > 0) return false;
    return this.payments.every((node) => node === undefined || node.driver.runningCount === 0);
  }

  /** An exception thrown inside a component: one the schedule injected (or exhausted optimistic concurrency, which the transport retries) is expected; anything else is a finding. */
  error(where: string, error: unknown): void {
    if (isInjected(error)) {
      this.scheduler.note(() => `${where}: ${String(error)}`);
      return;
    }
    const text = error instanceof Error ? (error.stack ?? error.message).split('\n').slice(0, 6).join('\n    ') : String(error);
    const failure = `unexpected exception at ${this.scheduler.stamp()} in ${where} — ${text}`;
    // The same exception again (a loop that keeps failing) is counted, not repeated.
    const signature = signatureOf(failure);
    const seen = this.exceptions.get(signature);
    if (seen) seen.count += 1;
    else if (this.exceptions.size < 20) this.exceptions.set(signature, { failure, count: 1 });
  }

  describeTimers(): string {
    return this.timers.describe();
  }

  /** A few lines per payment and the faults: what a failure report shows first. */
  story(payments: Map<string, PaymentFacts>): string {
    const lines: string[] = [];
    const p = this.profile;
    lines.push(
      `world: ${this.payments.length} payments and ${this.wallets.length} wallet instance(s), ${this.workload.users.length} users, ` +
        `${this.workload.requests.length} requests; start ${this.scheduler.instantAt(0).toISOString()}`,
    );
    lines.push(
      `profile: window ${p.windowMs} ms, latency ≤ ${p.latencyMs} ms, delay ${pct(p.delayChance)}, dup ${pct(p.duplicateCommandChance)}/${pct(p.duplicateReplyChance)}, ` +
        `drop ${pct(p.dropReplyChance)}/${pct(p.dropCommandChance)}, crash ${pct(p.crashChance)}, outage ${pct(p.outageChance)}, early ${pct(p.earlyChance)}/${pct(p.earlyClaimChance)}, ` +
        `partner ${pct(p.partnerUnavailableChance)}/${pct(p.partnerAnswerLostChance)}, store ${pct(p.storeErrorChance)}, producer ${pct(p.producerErrorChance)}`,
    );
    for (const user of this.workload.users)
      lines.push(`  ${user.userId}: wallet ${user.walletId} (${user.tier}), funded ${user.balanceMinor}`);
    for (const [id, request] of this.workload.payments) {
      const facts = payments.get(id);
      const what =
        request.kind === 'merchant'
          ? `${request.userId} → ${request.merchantId} (${request.channel})`
          : request.kind === 'refund'
            ? `of ${request.originalPaymentId}`
            : request.kind === 'transfer'
              ? `${request.userId} → phone ${request.recipientPhone.masked}`
              : `${request.userId}`;
      lines.push(`  ${id} ${request.kind} ${what} ${request.amountMinor}: ${facts ? facts.events.join(' → ') : 'never started'}`);
    }
    lines.push(`faults (${this.ctx.faultCount}):`);
    for (const fault of this.ctx.faults.slice(0, 60)) lines.push(`  +${(fault.at / 1000).toFixed(3)}s ${fault.kind}: ${fault.what}`);
    if (this.ctx.faults.length > 60) lines.push(`  … ${this.ctx.faultCount - 60} more`);
    return lines.join('\n');
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function isInjected(error: unknown): boolean {
  if (error instanceof StoreConnectionLost) return true;
  if (error instanceof ConcurrencyRetriesExhausted) return true;
  return error instanceof Error && error.message.startsWith('KafkaJSConnectionError');
}

/** Runs one schedule to its end and checks it. */
export async function runSchedule(options: ScheduleOptions): Promise<ScheduleResult> {
  const world = new World(options.seed, options);
  const { scheduler } = world;
  await world.setUp();
  const restore = installSimulatedTimers(scheduler);
  const failures = world.failures;
  try {
    // The faulty part: until a while after the last request (or until everything is over sooner).
    const lastRequest = world.workload.requests.reduce((latest, r) => Math.max(latest, r.at), 0);
    const faultsUntil = lastRequest + world.random.int(120_000);
    while (scheduler.now < faultsUntil && scheduler.executed < MAX_EVENTS) {
      world.chaos();
      if (!(await scheduler.step())) break;
      if (world.plannedLeft === 0 && world.quiescent()) break;
    }
    world.heal();
    const quietFrom = scheduler.now;
    for (;;) {
      if (world.quiescent()) break;
      if (scheduler.executed >= MAX_EVENTS) {
        failures.push(`did not quiesce within ${MAX_EVENTS} events (livelock?): timers ${world.describeTimers()}`);
        break;
      }
      if (scheduler.now - quietFrom > MAX_QUIESCE_MS) {
        failures.push(`did not quiesce within ${MAX_QUIESCE_MS / 3_600_000} h of simulated time: timers ${world.describeTimers()}`);
        break;
      }
      if (!(await scheduler.step())) {
        failures.push(`stuck: nothing left to run, yet not quiescent (messages ${world.bus.inFlight}, timers ${world.describeTimers()})`);
        break;
      }
    }
  } finally {
    restore();
  }
  failures.unshift(
    ...[...world.exceptions.values()].map(({ failure, count }) => (count > 1 ? `${failure}\n    (thrown ${count} times)` : failure)),
  );
  const checked = checkInvariants(world.store, world.policy, world.books);
  failures.push(...checked.failures);
  let completed = 0;
  let failed = 0;
  const outcomes = new Map<string, number>();
  for (const facts of checked.payments.values()) {
    const state = facts.state;
    if (state.status === 'none') continue;
    if (state.status === 'completed') completed += 1;
    if (state.status === 'failed') failed += 1;
    const key = `${state.request.kind} ${state.failed ? state.failed.failure.code : state.status}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  return {
    seed: options.seed,
    ok: failures.length === 0,
    failures,
    events: scheduler.executed,
    simulatedMs: scheduler.now,
    hash: scheduler.hash,
    faultCount: world.ctx.faultCount,
    faultsByKind: world.ctx.faultsByKind,
    faults: world.ctx.faults,
    profile: world.profile,
    completed,
    failed,
    outcomes,
    story: failures.length > 0 || options.trace ? world.story(checked.payments) : '',
    trace: scheduler.trace,
  };
}
