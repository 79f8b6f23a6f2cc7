import { createHash } from 'node:crypto';
import { userCardsDecider, type UserCardsEvent } from '@ledger/cards-domain';
import { userDecider, type UserEvent } from '@ledger/identity-domain';
import {
  BILLERS,
  createPaymentDecider,
  directoryOf,
  MERCHANTS,
  type MerchantEntry,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
} from '@ledger/payments-domain';
import { createWalletDecider, DEFAULT_WALLET_POLICY, type WalletCommand, type WalletEvent, type WalletState } from '@ledger/wallet-domain';
import { asIs, paymentCodec, walletCodec } from '../replay-engine';
import { MemoryStreams, type Schema } from './memory-streams';

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

/** A simulated user of a group: how far along the funnel (card, wallet) it has come. */
export interface SimUser {
  userId: string;
  walletId: string;
  hasCard: boolean;
  hasWallet: boolean;
}

export const YUAN = 100n;

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

/**
 * What every simulated action shares, all of it from the seed: the PRNG, the ids, the simulated
 * clock, the four deciders' streams folded in memory, the merchants, and the totals.
 */
export class Simulation {
  readonly random: () => number;
  readonly identity: MemoryStreams<Parameters<typeof userDecider.decide>[0], UserEvent, ReturnType<typeof userDecider.initialState>>;
  readonly cards: MemoryStreams<
    Parameters<typeof userCardsDecider.decide>[0],
    UserCardsEvent,
    ReturnType<typeof userCardsDecider.initialState>
  >;
  readonly wallets: MemoryStreams<WalletCommand, WalletEvent, WalletState>;
  readonly payments: MemoryStreams<PaymentCommand, PaymentEvent, PaymentState>;
  readonly merchants: readonly MerchantEntry[];
  private readonly idPrefix: string;
  private counter = 0;
  clockMs = 0;
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

  /** `extraMerchants`: how many merchants to generate besides the payments domain's own. */
  constructor(seed: number, extraMerchants: number) {
    this.random = prng(seed);
    this.idPrefix = createHash('sha256').update(`traffic:${seed}`).digest('hex').slice(0, 8);
    const ids = () => this.nextId();
    const extra = Array.from({ length: extraMerchants }, (_, i): MerchantEntry => ({
      merchantId: `m-${String(i + 1).padStart(4, '0')}`,
      name: `商户${i + 1}`,
      acceptsWallet: true,
      channels: ['online', 'qr', 'pos'],
      settlement: i % 2 === 0 ? 'wallet' : 'acquirer',
    }));
    this.merchants = [...MERCHANTS.filter((m) => m.acceptsWallet), ...extra];
    this.identity = new MemoryStreams('identity', userDecider, asIs<UserEvent>(), ids);
    this.cards = new MemoryStreams('cards', userCardsDecider, asIs<UserCardsEvent>(), ids);
    this.wallets = new MemoryStreams('wallet', createWalletDecider(DEFAULT_WALLET_POLICY), walletCodec, ids);
    this.payments = new MemoryStreams('payments', createPaymentDecider(directoryOf([...MERCHANTS, ...extra], BILLERS)), paymentCodec, ids);
  }

  /** A UUID from the seed and a counter (the store keys events by uuid). */
  nextId(): string {
    const n = (this.counter++).toString(16).padStart(20, '0');
    return `${this.idPrefix}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(10, 20)}00`;
  }

  now(): string {
    return new Date(this.clockMs).toISOString();
  }

  /** A step of a flow a little later than the previous one (services answer within a second). */
  step(): string {
    this.clockMs += 50 + Math.floor(this.random() * 400);
    return this.now();
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** An amount in whole yuan plus fen, skewed towards small payments. */
  amount(maxYuan: number): bigint {
    const yuan = BigInt(1 + Math.floor(this.random() ** 3 * maxYuan));
    return yuan * YUAN + BigInt(Math.floor(this.random() * 100));
  }

  balanceOf(walletId: string): bigint {
    const state = this.wallets.state(`wallet-${walletId}`);
    return state.status === 'unopened' ? 0n : state.totalMinor;
  }
}
