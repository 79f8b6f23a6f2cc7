/**
 * A realistic traffic generator for the replay benchmark, through the real domain code: every event
 * is decided by the deciders of `libs/*\/domain` (user, user cards, wallet, payment process) against
 * the stream's state folded in memory with their own `evolve`, exactly as `DeciderHandler` would,
 * but without reading the store back per command. Each group of users lives through the simulated
 * days (registration, card binding, wallet opening, card top-ups, merchant payments, transfers, and
 * their failures: wrong password, merchant declined, card declined, insufficient funds, unknown
 * recipient, a few risk alerts); then the group's streams are appended in batches (one append per
 * stream, several streams at once) and forgotten, so memory stays bounded by a group.
 *
 * Deterministic: a seeded PRNG and ids derived from counters, so a seed always gives the same events.
 *
 * Here: the groups, their days and each user's funnel. The payments are `traffic/payment-flows.ts`,
 * the seeded state they share `traffic/simulation.ts`, the streams folded in memory `traffic/memory-streams.ts`.
 */
import type { EventStore } from '@ledger/event-store';
import { userCardsStreamId } from '@ledger/cards-domain';
import { userStreamId } from '@ledger/identity-domain';
import { bindCardCommand, registerUserCommand, riskAlertCommand } from './replay-engine';
import { must, type Meta, type Schema } from './traffic/memory-streams';
import { PaymentFlows } from './traffic/payment-flows';
import { Simulation, YUAN, type GeneratedTotals, type SimUser } from './traffic/simulation';

export type { GeneratedTotals } from './traffic/simulation';

export interface GeneratorOptions {
  /** Stop after the group that reaches this many events. */
  events: number;
  seed?: number;
  /** First simulated instant (users register from then on). */
  start?: string;
  days?: number;
  usersPerGroup?: number;
  merchants?: number;
  /** Streams appended at once. */
  writers?: number;
  onGroup?(totals: GeneratedTotals): void;
}

export class TrafficGenerator {
  private readonly sim: Simulation;
  private readonly flows: PaymentFlows;
  readonly totals: GeneratedTotals;

  constructor(private readonly options: GeneratorOptions) {
    this.sim = new Simulation(options.seed ?? 42, options.merchants ?? 200);
    this.flows = new PaymentFlows(this.sim);
    this.totals = this.sim.totals;
  }

  /** Generates and appends groups of users until `events` is reached. */
  async run(stores: Record<Schema, EventStore>): Promise<GeneratedTotals> {
    const usersPerGroup = this.options.usersPerGroup ?? 500;
    for (let group = 0; this.totals.events < this.options.events; group++) {
      this.simulateGroup(group, usersPerGroup);
      const writers = this.options.writers ?? 16;
      for (const streams of [this.sim.identity, this.sim.cards, this.sim.wallets, this.sim.payments]) {
        const appended = await streams.flush(stores[streams.schema], writers);
        this.totals.events += appended;
        this.totals.eventsBySchema[streams.schema] += appended;
        streams.clear();
      }
      this.options.onGroup?.(this.totals);
    }
    return this.totals;
  }

  private simulateGroup(group: number, size: number): void {
    const start = Date.parse(this.options.start ?? '2026-10-01T00:00:00.000Z');
    const days = this.options.days ?? 30;
    // Every group lives through the same days; its streams are its own, so each stays in time order.
    this.sim.clockMs = start;
    const users: SimUser[] = Array.from({ length: size }, (_, i) => {
      const userId = `u${group}-${i}`;
      return { userId, walletId: `w${group}-${i}`, hasCard: false, hasWallet: false };
    });
    for (let day = 0; day < days; day++) {
      // Each day: a share of the group joins, and the members act at random instants of the day.
      const actions: Array<{ at: number; user: SimUser }> = [];
      for (const user of users) {
        const joined = user.hasWallet || this.sim.identity.state(userStreamId(user.userId)).status !== 'unregistered';
        const count = joined ? Math.floor(this.sim.random() * 4) : this.sim.chance(1 / (days - day)) ? 1 : 0;
        for (let k = 0; k < count; k++) actions.push({ at: start + day * 86_400_000 + Math.floor(this.sim.random() * 86_000_000), user });
      }
      actions.sort((a, b) => a.at - b.at);
      for (const action of actions) {
        this.sim.clockMs = Math.max(this.sim.clockMs, action.at);
        this.act(action.user, users);
      }
    }
    for (const user of users) if (user.hasWallet) this.totals.balances.set(user.walletId, this.sim.balanceOf(user.walletId));
  }

  /** The user's next step in the funnel, or a payment once the wallet is open. */
  private act(user: SimUser, group: readonly SimUser[]): void {
    const meta = (actor: string, correlationId: string): Meta => ({ correlationId, actor, now: this.sim.now() });
    if (this.sim.identity.state(userStreamId(user.userId)).status === 'unregistered') {
      must(
        this.sim.identity.decide(
          userStreamId(user.userId),
          registerUserCommand(user.userId, this.sim.now()),
          meta(`user:${user.userId}`, user.userId),
        ),
        'register',
      );
      this.totals.users += 1;
      return;
    }
    if (!user.hasCard) {
      if (this.sim.chance(0.15)) return; // some never bind a card
      must(
        this.sim.cards.decide(
          userCardsStreamId(user.userId),
          bindCardCommand(user.userId, this.sim.now()),
          meta(`user:${user.userId}`, user.userId),
        ),
        'bind card',
      );
      user.hasCard = true;
      this.totals.cardsBound += 1;
      return;
    }
    if (!user.hasWallet) {
      if (this.sim.chance(0.1)) return; // some stop before opening a wallet
      const tier = this.sim.chance(0.8) ? 'verified' : 'premium';
      must(
        this.sim.wallets.decide(
          `wallet-${user.walletId}`,
          {
            type: 'OpenWallet',
            walletId: user.walletId,
            userId: user.userId,
            tier,
            prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true },
            now: this.sim.now(),
          },
          meta('system:wallet', user.userId),
        ),
        'open wallet',
      );
      user.hasWallet = true;
      this.totals.walletsOpened += 1;
      this.flows.topUp(user);
      return;
    }
    if (this.sim.chance(0.002)) {
      must(
        this.sim.identity.decide(
          userStreamId(user.userId),
          riskAlertCommand(user.userId, false, this.sim.now()),
          meta('system:risk', user.userId),
        ),
        'risk alert',
      );
      return;
    }
    const roll = this.sim.random();
    if (this.sim.balanceOf(user.walletId) < 50n * YUAN || roll < 0.12) this.flows.topUp(user);
    else if (roll < 0.27) this.flows.transfer(user, this.sim.pick(group));
    else this.flows.merchantPayment(user);
  }
}
