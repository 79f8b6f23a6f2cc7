/** Test support for the wallet specs: a small policy, command builders and given/when helpers. */
import { fold } from '@ledger/util';
import { givenWhenThen } from '@ledger/util/testing';
import type {
  CaptureHold,
  CreditWallet,
  ExpireHold,
  FreezeWallet,
  OpenWallet,
  PayFromWallet,
  ReleaseHold,
  ReserveFunds,
  UnfreezeWallet,
  WalletCommand,
} from './commands';
import { createWalletDecider, type WalletDecider, type WalletDecision } from './decider';
import type { WalletEvent } from './events';
import type { WalletPolicy } from './policy';
import type { OpenedWallet, WalletState } from './state';

/** Small limits so boundaries are easy to reach. */
export const TEST_POLICY: WalletPolicy = {
  tiers: {
    basic: { perPaymentLimitMinor: 1_000n, dailyDebitLimitMinor: 2_000n, balanceCapMinor: 5_000n },
    verified: { perPaymentLimitMinor: 5_000n, dailyDebitLimitMinor: 10_000n, balanceCapMinor: 50_000n },
    premium: { perPaymentLimitMinor: 50_000n, dailyDebitLimitMinor: 100_000n, balanceCapMinor: 500_000n },
  },
  creditsWhileFrozen: 'accept',
};

export const decider = createWalletDecider(TEST_POLICY);
export const rejectingDecider = createWalletDecider({ ...TEST_POLICY, creditsWhileFrozen: 'reject' });

export const W = 'w-1';
/** 2026-03-10 10:00 in Shanghai. */
export const T0 = '2026-03-10T02:00:00.000Z';
export const MERCHANT = 'merchant:m-1' as const;
export const CARD = 'clearing:card:ICBC' as const;

export const cmd = {
  open: (overrides: Partial<OpenWallet> = {}): OpenWallet => ({
    type: 'OpenWallet',
    walletId: W,
    userId: 'u-1',
    tier: 'basic',
    prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true },
    now: T0,
    ...overrides,
  }),
  reserve: (overrides: Partial<ReserveFunds> = {}): ReserveFunds => ({
    type: 'ReserveFunds',
    walletId: W,
    holdId: 'h-1',
    amountMinor: 300n,
    expiresAt: '2026-03-10T02:15:00.000Z',
    reference: 'pay-1',
    counterparty: MERCHANT,
    now: T0,
    ...overrides,
  }),
  /** The reservation's fields, paid at once. */
  pay: (overrides: Partial<PayFromWallet> = {}): PayFromWallet => ({ ...cmd.reserve(), type: 'PayFromWallet', ...overrides }),
  capture: (overrides: Partial<CaptureHold> = {}): CaptureHold => ({
    type: 'CaptureHold',
    walletId: W,
    holdId: 'h-1',
    amountMinor: 300n,
    now: T0,
    ...overrides,
  }),
  release: (overrides: Partial<ReleaseHold> = {}): ReleaseHold => ({
    type: 'ReleaseHold',
    walletId: W,
    holdId: 'h-1',
    now: T0,
    ...overrides,
  }),
  expire: (overrides: Partial<ExpireHold> = {}): ExpireHold => ({
    type: 'ExpireHold',
    walletId: W,
    holdId: 'h-1',
    now: '2026-03-10T02:15:00.000Z',
    ...overrides,
  }),
  credit: (overrides: Partial<CreditWallet> = {}): CreditWallet => ({
    type: 'CreditWallet',
    walletId: W,
    creditId: 'c-1',
    amountMinor: 1_000n,
    reference: 'topup-1',
    counterparty: CARD,
    now: T0,
    ...overrides,
  }),
  freeze: (overrides: Partial<FreezeWallet> = {}): FreezeWallet => ({
    type: 'FreezeWallet',
    walletId: W,
    reason: 'lost phone',
    source: 'support',
    now: T0,
    ...overrides,
  }),
  unfreeze: (overrides: Partial<UnfreezeWallet> = {}): UnfreezeWallet => ({
    type: 'UnfreezeWallet',
    walletId: W,
    reason: 're-verified',
    source: 'identity',
    now: T0,
    ...overrides,
  }),
};

/** Runs commands that must all be accepted (the project's given/when/then, `@ledger/util/testing`); returns the events they produced, in order. */
export function history(commands: readonly WalletCommand[], using: WalletDecider = decider): WalletEvent[] {
  return givenWhenThen(using).givenAccepted(...commands);
}

/** The state after the given commands. */
export function given(commands: readonly WalletCommand[], using: WalletDecider = decider): WalletState {
  return fold(using, history(commands, using));
}

export function opened(state: WalletState): OpenedWallet {
  if (state.status === 'unopened') throw new Error('expected an opened wallet');
  return state;
}

export function eventsOf(decision: WalletDecision): WalletEvent[] {
  if (decision.kind !== 'accepted')
    throw new Error(`expected accepted, got ${JSON.stringify(decision, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return decision.events;
}

/** Commands that open the wallet and credit it with `funds` fen (none for 0), followed by `more`. */
export function funded(funds: bigint, ...more: WalletCommand[]): WalletCommand[] {
  const credit: WalletCommand[] = funds > 0n ? [cmd.credit({ creditId: 'c-fund', amountMinor: funds })] : [];
  return [cmd.open(), ...credit, ...more];
}
