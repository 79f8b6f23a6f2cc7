/**
 * The wallet decider: `createWalletDecider(policy)` gives `decide`, `evolve`, `initialState`, plus
 * `execute`, which tells a fresh decision from an idempotent replay.
 *
 * Idempotency: every money command has a key (`idempotencyKeyOf`) and a payload fingerprint (its
 * fields without `now`, as a canonical JSON array). A repeat with the same key and fingerprint is a
 * replay: `decide` returns `[]` and `execute` returns the original event (also `resultFor(state, key)`).
 * The same key with another payload is IDEMPOTENCY_KEY_REUSED. Only accepted commands are remembered:
 * a rejection leaves no event, so a retried rejected command is decided again against current state
 * (the transport's command-result store answers exact message retries).
 *
 * The hold lifecycle (reserve, capture, pay, release, expire) is decided in hold-decisions.ts.
 */
import { assertNever, reject } from '@ledger/util';
import { WALLET_ERROR } from './codes';
import type {
  ChangeWalletTier,
  CreditWallet,
  FreezeWallet,
  OpenWallet,
  UnfreezeWallet,
  WalletCommand,
  WalletPrerequisites,
} from './commands';
import {
  accepted,
  checkAmount,
  checkIdempotency,
  frozenRejection,
  invalid,
  isRejected,
  normalizeInstant,
  payloadFingerprintOf,
  requireCounterparty,
  requireId,
  requireOpenedFor,
  requireText,
  requireTier,
  type WalletDecider,
  type WalletDecision,
} from './decider-checks';
import { WALLET_EVENT } from './events';
import { createHoldDecisions } from './hold-decisions';
import { accountId, isAccountId, transferPostings } from './ledger';
import { assertValidPolicy, type WalletPolicy } from './policy';
import { evolveWallet, initialWalletState, type WalletState } from './state';

export {
  MAX_AMOUNT_MINOR,
  idempotencyKeyOf,
  payloadFingerprintOf,
  type WalletDecider,
  type WalletDecision,
  type WalletRejection,
} from './decider-checks';

export function createWalletDecider(policy: WalletPolicy): WalletDecider {
  assertValidPolicy(policy);
  const { reserveFunds, captureHold, payFromWallet, releaseHold, expireHold } = createHoldDecisions(policy);

  function openWallet(command: OpenWallet, state: WalletState): WalletDecision {
    requireId(command, 'walletId', command.walletId);
    requireId(command, 'userId', command.userId);
    if (!isAccountId(`wallet:${command.walletId}`))
      invalid(command.type, `walletId ${JSON.stringify(command.walletId)} cannot name a ledger account`);
    const tier = requireTier(command);
    const openedAt = normalizeInstant(command, 'now', command.now);
    if (state.status !== 'unopened')
      return reject(WALLET_ERROR.WALLET_ALREADY_OPEN, `wallet ${state.walletId} is already open`, { walletId: state.walletId });
    const prerequisites: WalletPrerequisites = command.prerequisites;
    const missing = (['registered', 'paymentPasswordSet', 'cardBound'] as const).filter((name) => prerequisites[name] !== true);
    if (missing.length > 0)
      return reject(WALLET_ERROR.WALLET_PREREQUISITES_MISSING, `cannot open the wallet before: ${missing.join(', ')}`, { missing });
    return accepted([{ type: WALLET_EVENT.WalletOpened, data: { walletId: command.walletId, userId: command.userId, tier, openedAt } }]);
  }

  function creditWallet(command: CreditWallet, state: WalletState): WalletDecision {
    requireId(command, 'creditId', command.creditId);
    requireText(command, 'reference', command.reference);
    const counterparty = requireCounterparty(command);
    const creditedAt = normalizeInstant(command, 'now', command.now);
    const badAmount = checkAmount(command.amountMinor);
    if (badAmount) return badAmount;
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    const repeat = checkIdempotency(wallet, command);
    if (repeat) return repeat;
    // Under `accept`, a frozen wallet keeps receiving money: nobody can take it out while frozen,
    // and bouncing a salary or refund would hurt the owner more than the attacker.
    if (policy.creditsWhileFrozen === 'reject') {
      const frozen = frozenRejection(wallet);
      if (frozen) return frozen;
    }
    const balanceCapMinor = policy.tiers[wallet.tier].balanceCapMinor;
    if (wallet.totalMinor + command.amountMinor > balanceCapMinor) {
      const roomMinor = balanceCapMinor > wallet.totalMinor ? balanceCapMinor - wallet.totalMinor : 0n;
      return reject(
        WALLET_ERROR.BALANCE_CAP_EXCEEDED,
        `the ${wallet.tier} tier caps the balance at ${balanceCapMinor} fen; room for ${roomMinor} fen`,
        {
          tier: wallet.tier,
          balanceCapMinor: balanceCapMinor.toString(),
          roomMinor: roomMinor.toString(),
          requestedMinor: command.amountMinor.toString(),
        },
      );
    }
    return accepted([
      {
        type: WALLET_EVENT.WalletCredited,
        data: {
          walletId: wallet.walletId,
          creditId: command.creditId,
          amountMinor: command.amountMinor.toString(),
          reference: command.reference,
          counterparty,
          creditedAt,
          transactionId: `${wallet.walletId}:credit:${command.creditId}`,
          postings: transferPostings(counterparty, accountId.wallet(wallet.walletId), command.amountMinor),
          idempotencyKey: `credit:${command.creditId}`,
          payloadFingerprint: payloadFingerprintOf(command),
        },
      },
    ]);
  }

  function freezeWallet(command: FreezeWallet, state: WalletState): WalletDecision {
    requireText(command, 'reason', command.reason);
    if (command.source !== 'identity' && command.source !== 'support')
      invalid(command.type, `unknown source ${JSON.stringify(command.source)}`);
    const frozenAt = normalizeInstant(command, 'now', command.now);
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    // Freezes arrive at least once (identity events, support retries): freezing twice changes nothing.
    if (wallet.status === 'frozen') return accepted([]);
    return accepted([
      { type: WALLET_EVENT.WalletFrozen, data: { walletId: wallet.walletId, reason: command.reason, source: command.source, frozenAt } },
    ]);
  }

  function unfreezeWallet(command: UnfreezeWallet, state: WalletState): WalletDecision {
    requireText(command, 'reason', command.reason);
    if (command.source !== 'identity' && command.source !== 'support')
      invalid(command.type, `unknown source ${JSON.stringify(command.source)}`);
    const unfrozenAt = normalizeInstant(command, 'now', command.now);
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    if (wallet.status !== 'frozen') return accepted([]);
    return accepted([
      {
        type: WALLET_EVENT.WalletUnfrozen,
        data: { walletId: wallet.walletId, reason: command.reason, source: command.source, unfrozenAt },
      },
    ]);
  }

  function changeWalletTier(command: ChangeWalletTier, state: WalletState): WalletDecision {
    const tier = requireTier(command);
    const changedAt = normalizeInstant(command, 'now', command.now);
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    if (wallet.tier === tier) return accepted([]);
    return accepted([
      { type: WALLET_EVENT.WalletTierChanged, data: { walletId: wallet.walletId, fromTier: wallet.tier, toTier: tier, changedAt } },
    ]);
  }

  function execute(command: WalletCommand, state: WalletState): WalletDecision {
    switch (command.type) {
      case 'OpenWallet':
        return openWallet(command, state);
      case 'ReserveFunds':
        return reserveFunds(command, state);
      case 'CaptureHold':
        return captureHold(command, state);
      case 'PayFromWallet':
        return payFromWallet(command, state);
      case 'ReleaseHold':
        return releaseHold(command, state);
      case 'ExpireHold':
        return expireHold(command, state);
      case 'CreditWallet':
        return creditWallet(command, state);
      case 'FreezeWallet':
        return freezeWallet(command, state);
      case 'UnfreezeWallet':
        return unfreezeWallet(command, state);
      case 'ChangeWalletTier':
        return changeWalletTier(command, state);
      default:
        return assertNever(command, 'wallet command');
    }
  }

  return {
    policy,
    initialState: initialWalletState,
    evolve: evolveWallet,
    execute,
    decide(command, state) {
      const decision = execute(command, state);
      switch (decision.kind) {
        case 'accepted':
          return decision.events;
        case 'replayed':
          return [];
        case 'rejection':
          return decision;
        default:
          return assertNever(decision, 'wallet decision');
      }
    },
  };
}
