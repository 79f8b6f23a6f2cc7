/**
 * What every wallet decision checks before it decides: the shape of the command's fields, its
 * amount, the idempotency of money commands (key + payload fingerprint), and the wallet and hold
 * it addresses. The decisions themselves are in decider.ts and hold-decisions.ts.
 */
import { assertNever, canonicalInstant, reject, type Decider, type DomainRejection, type Instant } from '@ledger/util';
import { WALLET_ERROR, type WalletErrorCode } from './codes';
import {
  InvalidWalletCommand,
  type CaptureHold,
  type ChangeWalletTier,
  type CreditWallet,
  type ExpireHold,
  type OpenWallet,
  type ReleaseHold,
  type ReserveFunds,
  type WalletCommand,
  type WalletCommandType,
} from './commands';
import type { WalletEvent } from './events';
import { isAccountId, type AccountId } from './ledger';
import { WALLET_TIERS, shanghaiDay, type WalletPolicy, type WalletTier } from './policy';
import type { Hold, OpenedWallet, WalletState } from './state';

export type WalletRejection = DomainRejection<WalletErrorCode>;

/**
 * What `execute` decided: new events (possibly none, for a freeze of a frozen wallet), a replay of
 * an idempotency key with its original event, or a rejection.
 */
export type WalletDecision =
  | { readonly kind: 'accepted'; readonly events: WalletEvent[] }
  | { readonly kind: 'replayed'; readonly idempotencyKey: string; readonly originalEvents: WalletEvent[] }
  | WalletRejection;

export interface WalletDecider extends Decider<WalletCommand, WalletEvent, WalletState, WalletRejection> {
  readonly policy: WalletPolicy;
  execute(command: WalletCommand, state: WalletState): WalletDecision;
}

/** The largest amount an event can carry (parseMinor accepts at most 18 digits). */
export const MAX_AMOUNT_MINOR = 999_999_999_999_999_999n;

const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 512;

type MoneyCommand = ReserveFunds | CaptureHold | ReleaseHold | ExpireHold | CreditWallet;

/** The idempotency key of a money command, or undefined for commands that need none. */
export function idempotencyKeyOf(command: WalletCommand): string | undefined {
  switch (command.type) {
    case 'ReserveFunds':
      return `reserve:${command.holdId}`;
    // A PayFromWallet's repeat is answered with its capture (the event that carries the transaction).
    case 'CaptureHold':
    case 'PayFromWallet':
      return `capture:${command.holdId}`;
    case 'ReleaseHold':
      return `release:${command.holdId}`;
    case 'ExpireHold':
      return `expire:${command.holdId}`;
    case 'CreditWallet':
      return `credit:${command.creditId}`;
    case 'OpenWallet':
    case 'FreezeWallet':
    case 'UnfreezeWallet':
    case 'ChangeWalletTier':
      return undefined;
    default:
      return assertNever(command, 'wallet command');
  }
}

/** Canonical payload of a money command: its fields in a fixed order, without `now`. */
export function payloadFingerprintOf(command: MoneyCommand): string {
  switch (command.type) {
    case 'ReserveFunds':
      return JSON.stringify([
        command.type,
        command.holdId,
        command.amountMinor.toString(),
        normalizeInstant(command, 'expiresAt', command.expiresAt),
        command.reference,
        command.counterparty,
      ]);
    case 'CaptureHold':
      return JSON.stringify([command.type, command.holdId, command.amountMinor.toString()]);
    case 'ReleaseHold':
    case 'ExpireHold':
      return JSON.stringify([command.type, command.holdId]);
    case 'CreditWallet':
      return JSON.stringify([command.type, command.creditId, command.amountMinor.toString(), command.reference, command.counterparty]);
    default:
      return assertNever(command, 'money command');
  }
}

export function invalid(command: WalletCommandType, reason: string): never {
  throw new InvalidWalletCommand(command, reason);
}

export function requireId(command: WalletCommand, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH)
    invalid(command.type, `${field} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  return value;
}

export function requireText(command: WalletCommand, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH)
    invalid(command.type, `${field} must be a string of at most ${MAX_TEXT_LENGTH} characters`);
  return value;
}

export function normalizeInstant(command: WalletCommand, field: string, value: unknown): Instant {
  const canonical = canonicalInstant(value);
  if (canonical === undefined) invalid(command.type, `${field} must be an ISO-8601 instant, got ${JSON.stringify(value)}`);
  return canonical;
}

export function requireCounterparty(command: ReserveFunds | CreditWallet): AccountId {
  if (!isAccountId(command.counterparty))
    invalid(command.type, `counterparty ${JSON.stringify(command.counterparty)} is not a ledger account id`);
  if (command.counterparty === `wallet:${command.walletId}`) invalid(command.type, 'counterparty is the wallet itself');
  return command.counterparty;
}

export function requireTier(command: OpenWallet | ChangeWalletTier): WalletTier {
  if (!WALLET_TIERS.includes(command.tier)) invalid(command.type, `unknown tier ${JSON.stringify(command.tier)}`);
  return command.tier;
}

/** An amount from outside: a positive bigint no larger than MAX_AMOUNT_MINOR, else INVALID_AMOUNT. */
export function checkAmount(amountMinor: unknown): WalletRejection | undefined {
  if (typeof amountMinor !== 'bigint' || amountMinor <= 0n || amountMinor > MAX_AMOUNT_MINOR) {
    return reject(WALLET_ERROR.INVALID_AMOUNT, 'the amount must be a positive whole number of fen', {
      amountMinor: typeof amountMinor === 'bigint' ? amountMinor.toString() : String(amountMinor),
    });
  }
  return undefined;
}

export const accepted = (events: WalletEvent[]): WalletDecision => ({ kind: 'accepted', events });

export function requireOpenedFor(command: WalletCommand, state: WalletState): OpenedWallet | WalletRejection {
  if (state.status === 'unopened')
    return reject(WALLET_ERROR.WALLET_NOT_OPEN, `wallet ${command.walletId} is not open`, { walletId: command.walletId });
  // The adapter loads the stream named after command.walletId; a mismatch is a routing bug.
  if (state.walletId !== command.walletId)
    invalid(command.type, `addressed to wallet ${command.walletId} but decided on ${state.walletId}`);
  return state;
}

/** Replay or IDEMPOTENCY_KEY_REUSED when the key was seen before; undefined for a new key. */
export function checkIdempotency(state: OpenedWallet, command: MoneyCommand): WalletDecision | undefined {
  const idempotencyKey = idempotencyKeyOf(command);
  if (idempotencyKey === undefined) return undefined;
  const previous = state.outcomes.get(idempotencyKey);
  if (previous === undefined) return undefined;
  if (previous.payloadFingerprint === payloadFingerprintOf(command))
    return { kind: 'replayed', idempotencyKey, originalEvents: [previous.event] };
  return reject(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED, `idempotency key ${idempotencyKey} was used before with a different payload`, {
    idempotencyKey,
  });
}

export function isRejected(value: unknown): value is WalletRejection {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rejection';
}

export function frozenRejection(state: OpenedWallet): WalletRejection | undefined {
  if (state.status !== 'frozen') return undefined;
  return reject(WALLET_ERROR.WALLET_FROZEN, `wallet ${state.walletId} is frozen`, {
    frozenBy: state.freeze.source,
    frozenAt: state.freeze.frozenAt,
  });
}

/** The hold a settlement command addresses, or HOLD_NOT_FOUND / HOLD_ALREADY_SETTLED. */
export function openHoldFor(state: OpenedWallet, holdId: string): Hold | WalletRejection {
  const hold = state.holds.get(holdId);
  if (hold === undefined) return reject(WALLET_ERROR.HOLD_NOT_FOUND, `wallet ${state.walletId} has no hold ${holdId}`, { holdId });
  if (hold.status !== 'open')
    return reject(WALLET_ERROR.HOLD_ALREADY_SETTLED, `hold ${holdId} was already ${hold.status}`, { holdId, settledAs: hold.status });
  return hold;
}

/**
 * The tier's spending limits for a new debit of `amountMinor` reserved at `reservedAt`: the
 * Shanghai day it counts against, or LIMIT_EXCEEDED (per payment, then daily).
 */
export function checkSpendingLimits(
  policy: WalletPolicy,
  wallet: OpenedWallet,
  amountMinor: bigint,
  reservedAt: Instant,
): { debitDay: string } | WalletRejection {
  const limits = policy.tiers[wallet.tier];
  if (amountMinor > limits.perPaymentLimitMinor) {
    return reject(WALLET_ERROR.LIMIT_EXCEEDED, `the ${wallet.tier} tier allows at most ${limits.perPaymentLimitMinor} fen per payment`, {
      limit: 'per_payment',
      tier: wallet.tier,
      limitMinor: limits.perPaymentLimitMinor.toString(),
      remainingMinor: limits.perPaymentLimitMinor.toString(),
      requestedMinor: amountMinor.toString(),
    });
  }
  // The reservation counts against the Shanghai day of `now`, or against the latest day already
  // counted if the clock reads earlier (clock skew between instances around midnight): usage can
  // then only be overcounted for a moment, never undercounted.
  const commandDay = shanghaiDay(reservedAt);
  const latest = wallet.dailyDebit;
  const debitDay = latest !== undefined && latest.day > commandDay ? latest.day : commandDay;
  const usedMinor = latest !== undefined && latest.day === debitDay ? latest.usedMinor : 0n;
  if (usedMinor + amountMinor > limits.dailyDebitLimitMinor) {
    const remainingMinor = limits.dailyDebitLimitMinor > usedMinor ? limits.dailyDebitLimitMinor - usedMinor : 0n;
    return reject(
      WALLET_ERROR.LIMIT_EXCEEDED,
      `the ${wallet.tier} tier allows ${limits.dailyDebitLimitMinor} fen per day; ${remainingMinor} fen remain today`,
      {
        limit: 'daily',
        tier: wallet.tier,
        day: debitDay,
        limitMinor: limits.dailyDebitLimitMinor.toString(),
        remainingMinor: remainingMinor.toString(),
        requestedMinor: amountMinor.toString(),
      },
    );
  }
  return { debitDay };
}
