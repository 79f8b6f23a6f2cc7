/**
 * Wallet state and `evolve`. State is rebuilt from events only; `evolve` never consults the policy,
 * so replaying history always yields the same state whatever the current configuration.
 * After every event the invariants are checked; a violation throws `WalletInvariantViolated`,
 * because it can only come from a bug or a corrupted stream, never from a user's request.
 */
import { assertNever, parseMinor } from '@ledger/util';
import type { FreezeSource } from './commands';
import { WALLET_EVENT, type WalletEvent } from './events';
import type { AccountId } from './ledger';
import { PersistentMap } from './persistent-map';
import type { WalletTier } from './policy';

export type HoldSettlement = 'captured' | 'released' | 'expired';

export interface Hold {
  readonly holdId: string;
  /** What was reserved. */
  readonly amountMinor: bigint;
  readonly expiresAt: string;
  readonly reference: string;
  readonly counterparty: AccountId;
  readonly debitDay: string;
  /** `open` until captured, released or expired; settled holds are kept to answer HOLD_ALREADY_SETTLED. */
  readonly status: 'open' | HoldSettlement;
}

/** Usage of the daily debit limit, for the latest Asia/Shanghai day that saw a reservation. */
export interface DailyDebit {
  readonly day: string;
  readonly usedMinor: bigint;
}

/** What an idempotency key produced, to answer a repeat of the same command. */
export interface RecordedOutcome {
  readonly payloadFingerprint: string;
  readonly event: WalletEvent;
}

export interface Freeze {
  readonly reason: string;
  readonly source: FreezeSource;
  readonly frozenAt: string;
}

export interface UnopenedWallet {
  readonly status: 'unopened';
}

interface OpenedWalletFields {
  readonly walletId: string;
  readonly userId: string;
  readonly tier: WalletTier;
  readonly openedAt: string;
  /** Money in the wallet, held or not. */
  readonly totalMinor: bigint;
  /** Part of the total reserved by open holds. */
  readonly heldMinor: bigint;
  /** Everything ever credited; totalMinor = creditedMinor − capturedMinor. */
  readonly creditedMinor: bigint;
  /** Everything ever captured. */
  readonly capturedMinor: bigint;
  /** Every hold ever reserved, by id, with its status. */
  readonly holds: PersistentMap<string, Hold>;
  /** The open holds only (a small map): heldMinor is their sum. */
  readonly openHolds: ReadonlyMap<string, Hold>;
  readonly dailyDebit: DailyDebit | undefined;
  /** Idempotency key → fingerprint and original event. Kept for the life of the stream. */
  readonly outcomes: PersistentMap<string, RecordedOutcome>;
}

export interface ActiveWallet extends OpenedWalletFields {
  readonly status: 'active';
}

export interface FrozenWallet extends OpenedWalletFields {
  readonly status: 'frozen';
  readonly freeze: Freeze;
}

export type OpenedWallet = ActiveWallet | FrozenWallet;
export type WalletState = UnopenedWallet | OpenedWallet;

export function initialWalletState(): WalletState {
  return { status: 'unopened' };
}

export function availableMinor(state: OpenedWallet): bigint {
  return state.totalMinor - state.heldMinor;
}

export interface WalletBalances {
  readonly totalMinor: bigint;
  readonly heldMinor: bigint;
  readonly availableMinor: bigint;
}

export function balancesOf(state: WalletState): WalletBalances {
  if (state.status === 'unopened') return { totalMinor: 0n, heldMinor: 0n, availableMinor: 0n };
  return { totalMinor: state.totalMinor, heldMinor: state.heldMinor, availableMinor: availableMinor(state) };
}

export function openHolds(state: WalletState): Hold[] {
  if (state.status === 'unopened') return [];
  return [...state.openHolds.values()];
}

/**
 * The original outcome of an idempotency key (see `idempotencyKeyOf`): the event the first
 * accepted command produced, or undefined if the key was never accepted.
 */
export function resultFor(state: WalletState, idempotencyKey: string): WalletEvent | undefined {
  if (state.status === 'unopened') return undefined;
  return state.outcomes.get(idempotencyKey)?.event;
}

export class WalletInvariantViolated extends Error {
  constructor(
    reason: string,
    readonly event?: WalletEvent,
  ) {
    super(`wallet invariant violated: ${reason}${event ? ` (after ${event.type})` : ''}`);
    this.name = 'WalletInvariantViolated';
  }
}

/** Throws `WalletInvariantViolated` if the state breaks any rule of the wallet. */
export function assertWalletInvariants(state: WalletState, event?: WalletEvent): void {
  if (state.status === 'unopened') return;
  const fail = (reason: string): never => {
    throw new WalletInvariantViolated(`wallet ${state.walletId}: ${reason}`, event);
  };
  if (state.totalMinor < 0n) fail(`total balance ${state.totalMinor} is negative`);
  if (state.heldMinor < 0n) fail(`held amount ${state.heldMinor} is negative`);
  if (state.heldMinor > state.totalMinor) fail(`held ${state.heldMinor} exceeds total ${state.totalMinor}`);
  // Only open holds are summed, so the check stays cheap however long the wallet's history is;
  // every hold's amount was checked positive when it was opened.
  let openSum = 0n;
  for (const hold of state.openHolds.values()) {
    if (hold.amountMinor <= 0n) fail(`hold ${hold.holdId} has non-positive amount`);
    if (hold.status !== 'open' || state.holds.get(hold.holdId) !== hold) fail(`open hold ${hold.holdId} is not open in the hold register`);
    openSum += hold.amountMinor;
  }
  if (openSum !== state.heldMinor) fail(`held ${state.heldMinor} differs from the sum of open holds ${openSum}`);
  if (state.totalMinor !== state.creditedMinor - state.capturedMinor) fail(`total ${state.totalMinor} differs from credits − captures`);
  if (state.dailyDebit !== undefined && state.dailyDebit.usedMinor < 0n) fail(`daily debit usage is negative`);
}

function broken(reason: string, event: WalletEvent): never {
  throw new WalletInvariantViolated(reason, event);
}

function requireOpened(state: WalletState, event: WalletEvent): OpenedWallet {
  if (state.status === 'unopened') return broken('event on a wallet that was never opened', event);
  if (state.walletId !== event.data.walletId)
    return broken(`event for wallet ${event.data.walletId} in the stream of ${state.walletId}`, event);
  return state;
}

function requireOpenHold(state: OpenedWallet, holdId: string, event: WalletEvent): Hold {
  const hold = state.holds.get(holdId);
  if (hold === undefined) return broken(`hold ${holdId} does not exist`, event);
  if (hold.status !== 'open') return broken(`hold ${holdId} is already ${hold.status}`, event);
  return hold;
}

/** The hold register and open-hold map after a hold is settled. */
function settle(state: OpenedWallet, hold: Hold, status: HoldSettlement): Pick<OpenedWallet, 'holds' | 'openHolds'> {
  const openHolds = new Map(state.openHolds);
  openHolds.delete(hold.holdId);
  return { holds: state.holds.set(hold.holdId, { ...hold, status }), openHolds };
}

function remember(
  state: OpenedWallet,
  event: WalletEvent & { data: { idempotencyKey: string; payloadFingerprint: string } },
): PersistentMap<string, RecordedOutcome> {
  if (state.outcomes.has(event.data.idempotencyKey)) return broken(`idempotency key ${event.data.idempotencyKey} used twice`, event);
  return state.outcomes.set(event.data.idempotencyKey, { payloadFingerprint: event.data.payloadFingerprint, event });
}

/** Gives back daily allowance when reserved money is not spent (release, expiry, partial capture). */
function returnAllowance(daily: DailyDebit | undefined, hold: Hold, amountMinor: bigint): DailyDebit | undefined {
  // Allowance of an earlier day no longer matters: only the latest day's usage is kept.
  if (daily === undefined || daily.day !== hold.debitDay || amountMinor === 0n) return daily;
  return { day: daily.day, usedMinor: daily.usedMinor - amountMinor };
}

function apply(state: WalletState, event: WalletEvent): WalletState {
  switch (event.type) {
    case WALLET_EVENT.WalletOpened: {
      if (state.status !== 'unopened') return broken('wallet opened twice', event);
      return {
        status: 'active',
        walletId: event.data.walletId,
        userId: event.data.userId,
        tier: event.data.tier,
        openedAt: event.data.openedAt,
        totalMinor: 0n,
        heldMinor: 0n,
        creditedMinor: 0n,
        capturedMinor: 0n,
        holds: PersistentMap.empty(),
        openHolds: new Map(),
        dailyDebit: undefined,
        outcomes: PersistentMap.empty(),
      };
    }
    case WALLET_EVENT.FundsReserved: {
      const wallet = requireOpened(state, event);
      const amountMinor = parseMinor(event.data.amountMinor);
      if (amountMinor === 0n) return broken(`hold ${event.data.holdId} of zero`, event);
      if (wallet.holds.has(event.data.holdId)) return broken(`hold ${event.data.holdId} reserved twice`, event);
      const hold: Hold = {
        holdId: event.data.holdId,
        amountMinor,
        expiresAt: event.data.expiresAt,
        reference: event.data.reference,
        counterparty: event.data.counterparty,
        debitDay: event.data.debitDay,
        status: 'open',
      };
      const daily = wallet.dailyDebit;
      // decide() never picks a day before the latest one; an older day (only possible in a
      // hand-written stream) is counted nowhere rather than resetting the current day's usage.
      const dailyDebit: DailyDebit | undefined =
        daily === undefined || event.data.debitDay > daily.day
          ? { day: event.data.debitDay, usedMinor: amountMinor }
          : event.data.debitDay === daily.day
            ? { day: daily.day, usedMinor: daily.usedMinor + amountMinor }
            : daily;
      return {
        ...wallet,
        heldMinor: wallet.heldMinor + amountMinor,
        holds: wallet.holds.set(hold.holdId, hold),
        openHolds: new Map(wallet.openHolds).set(hold.holdId, hold),
        dailyDebit,
        outcomes: remember(wallet, event),
      };
    }
    case WALLET_EVENT.HoldCaptured: {
      const wallet = requireOpened(state, event);
      const hold = requireOpenHold(wallet, event.data.holdId, event);
      const capturedMinor = parseMinor(event.data.amountMinor);
      const releasedMinor = parseMinor(event.data.releasedMinor);
      if (capturedMinor + releasedMinor !== hold.amountMinor)
        return broken(`capture of hold ${hold.holdId} does not add up to the reserved amount`, event);
      return {
        ...wallet,
        totalMinor: wallet.totalMinor - capturedMinor,
        heldMinor: wallet.heldMinor - hold.amountMinor,
        capturedMinor: wallet.capturedMinor + capturedMinor,
        ...settle(wallet, hold, 'captured'),
        dailyDebit: returnAllowance(wallet.dailyDebit, hold, releasedMinor),
        outcomes: remember(wallet, event),
      };
    }
    case WALLET_EVENT.HoldReleased:
    case WALLET_EVENT.HoldExpired: {
      const wallet = requireOpened(state, event);
      const hold = requireOpenHold(wallet, event.data.holdId, event);
      const amountMinor = parseMinor(event.data.amountMinor);
      if (amountMinor !== hold.amountMinor) return broken(`hold ${hold.holdId} settled with a different amount`, event);
      return {
        ...wallet,
        heldMinor: wallet.heldMinor - amountMinor,
        ...settle(wallet, hold, event.type === WALLET_EVENT.HoldReleased ? 'released' : 'expired'),
        dailyDebit: returnAllowance(wallet.dailyDebit, hold, amountMinor),
        outcomes: remember(wallet, event),
      };
    }
    case WALLET_EVENT.WalletCredited: {
      const wallet = requireOpened(state, event);
      const amountMinor = parseMinor(event.data.amountMinor);
      return {
        ...wallet,
        totalMinor: wallet.totalMinor + amountMinor,
        creditedMinor: wallet.creditedMinor + amountMinor,
        outcomes: remember(wallet, event),
      };
    }
    case WALLET_EVENT.WalletFrozen: {
      const wallet = requireOpened(state, event);
      const frozen: FrozenWallet = {
        ...wallet,
        status: 'frozen',
        freeze: { reason: event.data.reason, source: event.data.source, frozenAt: event.data.frozenAt },
      };
      return frozen;
    }
    case WALLET_EVENT.WalletUnfrozen: {
      const wallet = requireOpened(state, event);
      if (wallet.status !== 'frozen') return broken('unfrozen a wallet that is not frozen', event);
      const { freeze: _freeze, ...fields } = wallet;
      return { ...fields, status: 'active' };
    }
    case WALLET_EVENT.WalletTierChanged: {
      const wallet = requireOpened(state, event);
      return { ...wallet, tier: event.data.toTier };
    }
    default:
      return assertNever(event, 'wallet event');
  }
}

/** Applies one event and checks every invariant on the result (throws `WalletInvariantViolated`). */
export function evolveWallet(state: WalletState, event: WalletEvent): WalletState {
  const next = apply(state, event);
  assertWalletInvariants(next, event);
  return next;
}
