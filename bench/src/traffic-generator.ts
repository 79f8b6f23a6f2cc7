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
 */
import { createHash } from 'node:crypto';
import { MAX_EVENTS_PER_APPEND, type EventCodec, type EventStore, type NewEvent } from '@ledger/event-store';
import { userCardsDecider, userCardsStreamId, type UserCardsEvent } from '@ledger/cards-domain';
import { IDENTITY_ERROR, userDecider, userStreamId, type UserEvent } from '@ledger/identity-domain';
import { createPaymentDecider, holdIdFor, MERCHANTS, PAYMENT_ERROR, type MerchantEntry, type PaymentCommand, type PaymentEvent, type PaymentRequest, type PaymentState } from '@ledger/payments-domain';
import { isRejection, type Decider, type DomainRejection } from '@ledger/util';
import { createWalletDecider, DEFAULT_WALLET_POLICY, WALLET_EVENT, type AccountId, type WalletCommand, type WalletEvent, type WalletState } from '@ledger/wallet-domain';
import { asIs, bindCardCommand, paymentCodec, registerUserCommand, riskAlertCommand, walletCodec } from './replay-engine';

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

/** What was generated, tallied from the deciders' own states (for checking read models against). */
export interface GeneratedTotals {
  events: number;
  eventsBySchema: Record<Schema, number>;
  users: number;
  cardsBound: number;
  walletsOpened: number;
  /** Every wallet's balance (fen) after the run, from the wallet decider's state. */
  balances: Map<string, bigint>;
  payments: { completed: number; failed: number; byFailure: Record<string, number> };
  /** Completed merchant payments' total (fen). */
  merchantVolumeMinor: bigint;
}

type Schema = 'identity' | 'cards' | 'wallet' | 'payments';

/** mulberry32: small, fast, good enough to shape traffic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StreamEntry<State> {
  state: State;
  /** Events already appended to the store (the next append's expected revision is this − 1). */
  appended: number;
  pending: NewEvent[];
}

interface Meta {
  correlationId: string;
  actor: string;
  now: string;
}

/** Streams of one decider, folded in memory; decided events wait in `pending` until the group is appended. */
class MemoryStreams<Command, Event, State> {
  private readonly streams = new Map<string, StreamEntry<State>>();

  constructor(
    readonly schema: Schema,
    private readonly decider: Decider<Command, Event, State>,
    private readonly codec: EventCodec<Event>,
    private readonly ids: () => string,
  ) {}

  state(stream: string): State {
    return this.streams.get(stream)?.state ?? this.decider.initialState();
  }

  decide(stream: string, command: Command, meta: Meta): Event[] | DomainRejection {
    let entry = this.streams.get(stream);
    if (!entry) {
      entry = { state: this.decider.initialState(), appended: 0, pending: [] };
      this.streams.set(stream, entry);
    }
    const decision = this.decider.decide(command, entry.state);
    if (isRejection(decision)) return decision;
    const commandId = this.ids();
    for (const event of decision) {
      entry.state = this.decider.evolve(entry.state, event);
      entry.pending.push({
        id: this.ids(),
        ...this.codec.encode(event),
        metadata: { correlationId: meta.correlationId, causationId: commandId, commandId, actor: meta.actor, occurredAt: meta.now, schemaVersion: 1 },
      });
    }
    return decision;
  }

  /** Appends every stream's pending events (in chunks the store accepts), `writers` streams at once. */
  async flush(store: EventStore, writers: number): Promise<number> {
    const work: Array<{ stream: string; events: NewEvent[]; after: number }> = [];
    for (const [stream, entry] of this.streams) {
      for (let i = 0; i < entry.pending.length; i += MAX_EVENTS_PER_APPEND) work.push({ stream, events: entry.pending.slice(i, i + MAX_EVENTS_PER_APPEND), after: entry.appended + i });
      entry.appended += entry.pending.length;
      entry.pending = [];
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < work.length) {
          const item = work[next++]!;
          await store.append(item.stream, item.events, { expectedRevision: item.after === 0 ? 'no_stream' : BigInt(item.after - 1) });
        }
      }),
    );
    return work.reduce((sum, item) => sum + item.events.length, 0);
  }

  /** Forgets every stream (a group is done: its users act no more). */
  clear(): void {
    this.streams.clear();
  }
}

interface SimUser {
  userId: string;
  walletId: string;
  hasCard: boolean;
  hasWallet: boolean;
}

const YUAN = 100n;
const HOLD_TTL_MS = 15 * 60_000;
const ISSUER = 'ICBC';

function must<Event>(decision: Event[] | DomainRejection, what: string): Event[] {
  if (isRejection(decision)) throw new Error(`${what} rejected: ${decision.code} ${decision.message}`);
  return decision;
}

export class TrafficGenerator {
  private readonly random: () => number;
  private readonly identity: MemoryStreams<Parameters<typeof userDecider.decide>[0], UserEvent, ReturnType<typeof userDecider.initialState>>;
  private readonly cards: MemoryStreams<Parameters<typeof userCardsDecider.decide>[0], UserCardsEvent, ReturnType<typeof userCardsDecider.initialState>>;
  private readonly wallets: MemoryStreams<WalletCommand, WalletEvent, WalletState>;
  private readonly payments: MemoryStreams<PaymentCommand, PaymentEvent, PaymentState>;
  private readonly merchants: readonly MerchantEntry[];
  private readonly idPrefix: string;
  private counter = 0;
  private clockMs = 0;
  readonly totals: GeneratedTotals = {
    events: 0,
    eventsBySchema: { identity: 0, cards: 0, wallet: 0, payments: 0 },
    users: 0,
    cardsBound: 0,
    walletsOpened: 0,
    balances: new Map(),
    payments: { completed: 0, failed: 0, byFailure: {} },
    merchantVolumeMinor: 0n,
  };

  constructor(private readonly options: GeneratorOptions) {
    const seed = options.seed ?? 42;
    this.random = prng(seed);
    this.idPrefix = createHash('sha256').update(`traffic:${seed}`).digest('hex').slice(0, 8);
    const ids = () => this.nextId();
    const extra = Array.from({ length: options.merchants ?? 200 }, (_, i): MerchantEntry => ({ merchantId: `m-${String(i + 1).padStart(4, '0')}`, name: `商户${i + 1}`, acceptsWallet: true, channels: ['online', 'qr', 'pos'], settlement: i % 2 === 0 ? 'wallet' : 'acquirer' }));
    this.merchants = [...MERCHANTS.filter((m) => m.acceptsWallet), ...extra];
    this.identity = new MemoryStreams('identity', userDecider, asIs<UserEvent>(), ids);
    this.cards = new MemoryStreams('cards', userCardsDecider, asIs<UserCardsEvent>(), ids);
    this.wallets = new MemoryStreams('wallet', createWalletDecider(DEFAULT_WALLET_POLICY), walletCodec, ids);
    this.payments = new MemoryStreams('payments', createPaymentDecider([...MERCHANTS, ...extra]), paymentCodec, ids);
  }

  /** A UUID from the seed and a counter (the store keys events by uuid). */
  private nextId(): string {
    const n = (this.counter++).toString(16).padStart(20, '0');
    return `${this.idPrefix}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(10, 20)}00`;
  }

  private now(): string {
    return new Date(this.clockMs).toISOString();
  }

  /** A step of a flow a little later than the previous one (services answer within a second). */
  private step(): string {
    this.clockMs += 50 + Math.floor(this.random() * 400);
    return this.now();
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** An amount in whole yuan plus fen, skewed towards small payments. */
  private amount(maxYuan: number): bigint {
    const yuan = BigInt(1 + Math.floor(this.random() ** 3 * maxYuan));
    return yuan * YUAN + BigInt(Math.floor(this.random() * 100));
  }

  /** Generates and appends groups of users until `events` is reached. */
  async run(stores: Record<Schema, EventStore>): Promise<GeneratedTotals> {
    const usersPerGroup = this.options.usersPerGroup ?? 500;
    for (let group = 0; this.totals.events < this.options.events; group++) {
      this.simulateGroup(group, usersPerGroup);
      const writers = this.options.writers ?? 16;
      for (const streams of [this.identity, this.cards, this.wallets, this.payments]) {
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
    this.clockMs = start;
    const users: SimUser[] = Array.from({ length: size }, (_, i) => {
      const userId = `u${group}-${i}`;
      return { userId, walletId: `w${group}-${i}`, hasCard: false, hasWallet: false };
    });
    for (let day = 0; day < days; day++) {
      // Each day: a share of the group joins, and the members act at random instants of the day.
      const actions: Array<{ at: number; user: SimUser }> = [];
      for (const user of users) {
        const joined = user.hasWallet || this.identity.state(userStreamId(user.userId)).status !== 'unregistered';
        const count = joined ? Math.floor(this.random() * 4) : this.chance(1 / (days - day)) ? 1 : 0;
        for (let k = 0; k < count; k++) actions.push({ at: start + day * 86_400_000 + Math.floor(this.random() * 86_000_000), user });
      }
      actions.sort((a, b) => a.at - b.at);
      for (const action of actions) {
        this.clockMs = Math.max(this.clockMs, action.at);
        this.act(action.user, users);
      }
    }
    for (const user of users) if (user.hasWallet) this.totals.balances.set(user.walletId, this.balanceOf(user.walletId));
  }

  private balanceOf(walletId: string): bigint {
    const state = this.wallets.state(`wallet-${walletId}`);
    return state.status === 'unopened' ? 0n : state.totalMinor;
  }

  /** The user's next step in the funnel, or a payment once the wallet is open. */
  private act(user: SimUser, group: readonly SimUser[]): void {
    const meta = (actor: string, correlationId: string): Meta => ({ correlationId, actor, now: this.now() });
    if (this.identity.state(userStreamId(user.userId)).status === 'unregistered') {
      must(this.identity.decide(userStreamId(user.userId), registerUserCommand(user.userId, this.now()), meta(`user:${user.userId}`, user.userId)), 'register');
      this.totals.users += 1;
      return;
    }
    if (!user.hasCard) {
      if (this.chance(0.15)) return; // some never bind a card
      must(this.cards.decide(userCardsStreamId(user.userId), bindCardCommand(user.userId, this.now()), meta(`user:${user.userId}`, user.userId)), 'bind card');
      user.hasCard = true;
      this.totals.cardsBound += 1;
      return;
    }
    if (!user.hasWallet) {
      if (this.chance(0.1)) return; // some stop before opening a wallet
      const tier = this.chance(0.8) ? 'verified' : 'premium';
      must(this.wallets.decide(`wallet-${user.walletId}`, { type: 'OpenWallet', walletId: user.walletId, userId: user.userId, tier, prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true }, now: this.now() }, meta('system:wallet', user.userId)), 'open wallet');
      user.hasWallet = true;
      this.totals.walletsOpened += 1;
      this.topUp(user);
      return;
    }
    if (this.chance(0.002)) {
      must(this.identity.decide(userStreamId(user.userId), riskAlertCommand(user.userId, false, this.now()), meta('system:risk', user.userId)), 'risk alert');
      return;
    }
    const roll = this.random();
    if (this.balanceOf(user.walletId) < 50n * YUAN || roll < 0.12) this.topUp(user);
    else if (roll < 0.27) this.transfer(user, this.pick(group));
    else this.merchantPayment(user);
  }

  private wallet(walletId: string, command: (now: string) => WalletCommand, correlationId: string): WalletEvent[] | DomainRejection {
    const now = this.step();
    return this.wallets.decide(`wallet-${walletId}`, command(now), { correlationId, actor: 'system:payments', now });
  }

  private payment(paymentId: string, command: (now: string) => PaymentCommand): PaymentEvent[] {
    const now = this.step();
    return must(this.payments.decide(`payment-${paymentId}`, command(now), { correlationId: paymentId, actor: 'system:payments', now }), 'payment');
  }

  private start(request: PaymentRequest): void {
    this.payment(request.paymentId, (now) => ({ type: 'StartPayment', request, now }));
  }

  /** The end of a payment: tallied from the payment decider's own state. */
  private finish(paymentId: string): void {
    const state = this.payments.state(`payment-${paymentId}`);
    if (state.status === 'completed') {
      this.totals.payments.completed += 1;
      if (state.request.kind === 'merchant') this.totals.merchantVolumeMinor += state.request.amountMinor;
    } else if (state.status === 'failed' && state.failed) {
      this.totals.payments.failed += 1;
      const code = state.failed.failure.code;
      this.totals.payments.byFailure[code] = (this.totals.payments.byFailure[code] ?? 0) + 1;
    } else {
      throw new Error(`payment ${paymentId} left in state ${state.status}`);
    }
  }

  private failure(code: string) {
    return { ok: false as const, failure: { code, message: code.toLowerCase().replace(/_/g, ' ') } };
  }

  private topUp(user: SimUser): void {
    const paymentId = this.nextId();
    const amountMinor = this.amount(2_000) + 100n * YUAN;
    this.start({ kind: 'topup', paymentId, userId: user.userId, walletId: user.walletId, cardId: `card-${user.userId}`, amountMinor });
    this.payment(paymentId, (now) => ({ type: 'RecordCardCheck', result: { ok: true, last4: '1234', issuer: ISSUER }, now }));
    if (this.chance(0.02)) {
      this.payment(paymentId, (now) => ({ type: 'RecordCardCharge', result: this.failure(PAYMENT_ERROR.CARD_CHARGE_DECLINED), now }));
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({ type: 'RecordCardCharge', result: { ok: true, issuerReference: `iss-${paymentId.slice(-8)}` }, now }));
    const [credited] = must(this.wallet(user.walletId, (now) => ({ type: 'CreditWallet', walletId: user.walletId, creditId: paymentId, amountMinor, reference: paymentId, counterparty: `clearing:card:${ISSUER}`, now }), paymentId), 'top-up credit');
    if (credited?.type !== WALLET_EVENT.WalletCredited) throw new Error('top-up produced no WalletCredited');
    this.payment(paymentId, (now) => ({ type: 'RecordWalletCredit', result: { ok: true, transactionId: credited.data.transactionId, postings: credited.data.postings.map((p) => ({ ...p })) }, now }));
    this.finish(paymentId);
  }

  /** The payment password's check, recorded: 3% are mistyped (the payment fails); true when it passed. */
  private passwordChecked(paymentId: string): boolean {
    if (this.chance(0.03)) {
      this.payment(paymentId, (now) => ({ type: 'RecordPasswordCheck', result: this.failure(IDENTITY_ERROR.WRONG_PAYMENT_PASSWORD), now }));
      return false;
    }
    this.payment(paymentId, (now) => ({ type: 'RecordPasswordCheck', result: { ok: true }, now }));
    return true;
  }

  /** Password, then a hold; false (and the payment failed) when either is refused. */
  private authorize(paymentId: string, walletId: string, amountMinor: bigint, counterparty: AccountId): boolean {
    if (!this.passwordChecked(paymentId)) return false;
    let expiresAt = '';
    const reserved = this.wallet(walletId, (now) => {
      expiresAt = new Date(Date.parse(now) + HOLD_TTL_MS).toISOString();
      return { type: 'ReserveFunds', walletId, holdId: holdIdFor(paymentId), amountMinor, expiresAt, reference: paymentId, counterparty, now };
    }, paymentId);
    if (isRejection(reserved)) {
      this.payment(paymentId, (now) => ({ type: 'RecordReservation', result: { ok: false, failure: { code: reserved.code, message: reserved.message } }, now }));
      return false;
    }
    this.payment(paymentId, (now) => ({ type: 'RecordReservation', result: { ok: true, expiresAt }, now }));
    return true;
  }

  private capture(paymentId: string, walletId: string, amountMinor: bigint): void {
    const [captured] = must(this.wallet(walletId, (now) => ({ type: 'CaptureHold', walletId, holdId: holdIdFor(paymentId), amountMinor, now }), paymentId), 'capture');
    if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('capture produced no HoldCaptured');
    this.payment(paymentId, (now) => ({ type: 'RecordCapture', result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) }, now }));
  }

  private release(paymentId: string, walletId: string): void {
    must(this.wallet(walletId, (now) => ({ type: 'ReleaseHold', walletId, holdId: holdIdFor(paymentId), now }), paymentId), 'release');
    this.payment(paymentId, (now) => ({ type: 'RecordRelease', now }));
  }

  private merchantPayment(user: SimUser): void {
    const paymentId = this.nextId();
    const merchant = this.pick(this.merchants);
    // Occasionally more than the balance: the wallet refuses with INSUFFICIENT_FUNDS.
    const amountMinor = this.chance(0.03) ? this.balanceOf(user.walletId) + this.amount(100) : this.amount(300);
    this.start({ kind: 'merchant', paymentId, userId: user.userId, walletId: user.walletId, merchantId: merchant.merchantId, channel: merchant.channels[0]!, amountMinor, description: 'order' });
    if (merchant.settlement === 'wallet') return this.settleInWallet(paymentId, user.walletId, amountMinor, `merchant:${merchant.merchantId}`);
    if (!this.authorize(paymentId, user.walletId, amountMinor, `merchant:${merchant.merchantId}`)) return this.finish(paymentId);
    if (this.chance(0.03)) {
      this.payment(paymentId, (now) => ({ type: 'RecordAcquirerAnswer', result: this.failure(PAYMENT_ERROR.MERCHANT_DECLINED), now }));
      this.release(paymentId, user.walletId);
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({ type: 'RecordAcquirerAnswer', result: { ok: true, authorizationCode: `A${paymentId.slice(-6)}` }, now }));
    this.capture(paymentId, user.walletId, amountMinor);
    this.finish(paymentId);
  }

  /** Password, then one wallet decision that reserves and captures. */
  private settleInWallet(paymentId: string, walletId: string, amountMinor: bigint, counterparty: AccountId): void {
    if (!this.passwordChecked(paymentId)) return this.finish(paymentId);
    const paid = this.wallet(walletId, (now) => ({ type: 'PayFromWallet', walletId, holdId: holdIdFor(paymentId), amountMinor, expiresAt: new Date(Date.parse(now) + HOLD_TTL_MS).toISOString(), reference: paymentId, counterparty, now }), paymentId);
    if (isRejection(paid)) {
      this.payment(paymentId, (now) => ({ type: 'RecordSettlement', result: { ok: false, failure: { code: paid.code, message: paid.message } }, now }));
      return this.finish(paymentId);
    }
    const captured = paid.find((event) => event.type === WALLET_EVENT.HoldCaptured);
    if (captured?.type !== WALLET_EVENT.HoldCaptured) throw new Error('a payment from the wallet produced no HoldCaptured');
    this.payment(paymentId, (now) => ({ type: 'RecordSettlement', result: { ok: true, transactionId: captured.data.transactionId, postings: captured.data.postings.map((p) => ({ ...p })) }, now }));
    this.finish(paymentId);
  }

  private transfer(user: SimUser, recipient: SimUser): void {
    const paymentId = this.nextId();
    const amountMinor = this.amount(500);
    const phone = { encrypted: `enc:v1:${recipient.userId}`, masked: '139****0000', fingerprint: `k1.${recipient.userId}` };
    this.start({ kind: 'transfer', paymentId, userId: user.userId, walletId: user.walletId, recipientPhone: phone, amountMinor, description: 'transfer' });
    if (!recipient.hasWallet || recipient === user) {
      this.payment(paymentId, (now) => ({ type: 'RecordRecipient', result: this.failure(PAYMENT_ERROR.RECIPIENT_NOT_FOUND), now }));
      return this.finish(paymentId);
    }
    this.payment(paymentId, (now) => ({ type: 'RecordRecipient', result: { ok: true, recipientUserId: recipient.userId, recipientWalletId: recipient.walletId }, now }));
    if (!this.authorize(paymentId, user.walletId, amountMinor, 'clearing:transfer')) return this.finish(paymentId);
    const [credited] = must(this.wallet(recipient.walletId, (now) => ({ type: 'CreditWallet', walletId: recipient.walletId, creditId: paymentId, amountMinor, reference: paymentId, counterparty: 'clearing:transfer', now }), paymentId), 'transfer credit');
    if (credited?.type !== WALLET_EVENT.WalletCredited) throw new Error('transfer credit produced no WalletCredited');
    this.payment(paymentId, (now) => ({ type: 'RecordRecipientCredit', result: { ok: true, transactionId: credited.data.transactionId, postings: credited.data.postings.map((p) => ({ ...p })) }, now }));
    this.capture(paymentId, user.walletId, amountMinor);
    this.finish(paymentId);
  }
}
