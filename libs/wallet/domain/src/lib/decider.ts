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
 * Order of checks for a reservation: input shape (throws), INVALID_AMOUNT, WALLET_NOT_OPEN,
 * idempotency (a replay wins over everything after it, so a retry after a freeze still gets its
 * original answer), HOLD_EXPIRY_PASSED, WALLET_FROZEN, LIMIT_EXCEEDED per payment, LIMIT_EXCEEDED daily, INSUFFICIENT_FUNDS.
 */
import { assertNever, reject } from '@ledger/util';
import { WALLET_ERROR } from './codes';
import type {
  CaptureHold,
  ChangeWalletTier,
  CreditWallet,
  ExpireHold,
  FreezeWallet,
  OpenWallet,
  PayFromWallet,
  ReleaseHold,
  ReserveFunds,
  UnfreezeWallet,
  WalletCommand,
  WalletPrerequisites,
} from './commands';
import {
  accepted,
  checkAmount,
  checkIdempotency,
  checkSpendingLimits,
  frozenRejection,
  invalid,
  isRejected,
  normalizeInstant,
  openHoldFor,
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
import { accountId, isAccountId, transferPostings } from './ledger';
import { assertValidPolicy, type WalletPolicy } from './policy';
import { availableMinor, evolveWallet, initialWalletState, type WalletState } from './state';

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

  function reserveFunds(command: ReserveFunds, state: WalletState): WalletDecision {
    requireId(command, 'holdId', command.holdId);
    requireText(command, 'reference', command.reference);
    const counterparty = requireCounterparty(command);
    const reservedAt = normalizeInstant(command, 'now', command.now);
    const expiresAt = normalizeInstant(command, 'expiresAt', command.expiresAt);
    const badAmount = checkAmount(command.amountMinor);
    if (badAmount) return badAmount;
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    const repeat = checkIdempotency(wallet, command);
    if (repeat) return repeat;
    // Checked only for a new reservation (a retry of an accepted one may arrive after its hold
    // expired). A rejection, not a throw: a command can sit in a queue until its expiry has passed.
    if (Date.parse(expiresAt) <= Date.parse(reservedAt)) {
      return reject(WALLET_ERROR.HOLD_EXPIRY_PASSED, `the hold would expire at ${expiresAt}, not after now (${reservedAt})`, {
        expiresAt,
        now: reservedAt,
      });
    }
    const frozen = frozenRejection(wallet);
    if (frozen) return frozen;

    const amountMinor = command.amountMinor;
    const limits = checkSpendingLimits(policy, wallet, amountMinor, reservedAt);
    if (isRejected(limits)) return limits;
    const { debitDay } = limits;
    const available = availableMinor(wallet);
    if (available < amountMinor) {
      return reject(WALLET_ERROR.INSUFFICIENT_FUNDS, `available balance ${available} fen is below ${amountMinor} fen`, {
        availableMinor: available.toString(),
        requestedMinor: amountMinor.toString(),
      });
    }
    return accepted([
      {
        type: WALLET_EVENT.FundsReserved,
        data: {
          walletId: wallet.walletId,
          holdId: command.holdId,
          amountMinor: amountMinor.toString(),
          expiresAt,
          reference: command.reference,
          counterparty,
          reservedAt,
          debitDay,
          idempotencyKey: `reserve:${command.holdId}`,
          payloadFingerprint: payloadFingerprintOf(command),
        },
      },
    ]);
  }

  // Captures, releases and expiries are allowed on a frozen wallet. Their holds were reserved before
  // the freeze, so the money is already committed to a payment in flight: refusing to capture would
  // leave that payment half-done (the merchant may have delivered), and refusing to release or expire
  // would lock the user's own money away. A freeze stops new debits, which all start with a
  // reservation; the payments service decides whether an in-flight payment is captured or released.
  function captureHold(command: CaptureHold, state: WalletState): WalletDecision {
    requireId(command, 'holdId', command.holdId);
    const capturedAt = normalizeInstant(command, 'now', command.now);
    const badAmount = checkAmount(command.amountMinor);
    if (badAmount) return badAmount;
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    const repeat = checkIdempotency(wallet, command);
    if (repeat) return repeat;
    const hold = openHoldFor(wallet, command.holdId);
    if (isRejected(hold)) return hold;
    if (command.amountMinor > hold.amountMinor) {
      return reject(
        WALLET_ERROR.CAPTURE_EXCEEDS_HOLD,
        `hold ${hold.holdId} reserved ${hold.amountMinor} fen, less than ${command.amountMinor}`,
        {
          holdId: hold.holdId,
          reservedMinor: hold.amountMinor.toString(),
          requestedMinor: command.amountMinor.toString(),
        },
      );
    }
    const transactionId = `${wallet.walletId}:capture:${hold.holdId}`;
    return accepted([
      {
        type: WALLET_EVENT.HoldCaptured,
        data: {
          walletId: wallet.walletId,
          holdId: hold.holdId,
          amountMinor: command.amountMinor.toString(),
          releasedMinor: (hold.amountMinor - command.amountMinor).toString(),
          counterparty: hold.counterparty,
          capturedAt,
          transactionId,
          postings: transferPostings(accountId.wallet(wallet.walletId), hold.counterparty, command.amountMinor),
          idempotencyKey: `capture:${hold.holdId}`,
          payloadFingerprint: payloadFingerprintOf(command),
        },
      },
    ]);
  }

  // The reservation and the capture, each decided by its own rules on the state the one before
  // leaves: a repeat replays both, and a hold reserved earlier under the same id is captured.
  function payFromWallet(command: PayFromWallet, state: WalletState): WalletDecision {
    const { walletId, now, holdId, amountMinor } = command;
    const reserved = reserveFunds(
      {
        type: 'ReserveFunds',
        walletId,
        now,
        holdId,
        amountMinor,
        expiresAt: command.expiresAt,
        reference: command.reference,
        counterparty: command.counterparty,
      },
      state,
    );
    if (reserved.kind === 'rejection') return reserved;
    const held = reserved.kind === 'accepted' ? reserved.events.reduce(evolveWallet, state) : state;
    const captured = captureHold({ type: 'CaptureHold', walletId, now, holdId, amountMinor }, held);
    if (captured.kind === 'rejection') return captured;
    if (reserved.kind === 'replayed' && captured.kind === 'replayed')
      return {
        kind: 'replayed',
        idempotencyKey: captured.idempotencyKey,
        originalEvents: [...reserved.originalEvents, ...captured.originalEvents],
      };
    return accepted([...(reserved.kind === 'accepted' ? reserved.events : []), ...(captured.kind === 'accepted' ? captured.events : [])]);
  }

  function releaseHold(command: ReleaseHold, state: WalletState): WalletDecision {
    requireId(command, 'holdId', command.holdId);
    const releasedAt = normalizeInstant(command, 'now', command.now);
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    const repeat = checkIdempotency(wallet, command);
    if (repeat) return repeat;
    const hold = openHoldFor(wallet, command.holdId);
    if (isRejected(hold)) return hold;
    return accepted([
      {
        type: WALLET_EVENT.HoldReleased,
        data: {
          walletId: wallet.walletId,
          holdId: hold.holdId,
          amountMinor: hold.amountMinor.toString(),
          releasedAt,
          idempotencyKey: `release:${hold.holdId}`,
          payloadFingerprint: payloadFingerprintOf(command),
        },
      },
    ]);
  }

  // A hold stays open until its HoldExpired event: the durable expiry timer is the only authority on
  // expiry, and a capture racing the timer is settled by the stream's optimistic concurrency
  // (whichever event is appended first wins; the other command then sees HOLD_ALREADY_SETTLED).
  function expireHold(command: ExpireHold, state: WalletState): WalletDecision {
    requireId(command, 'holdId', command.holdId);
    const expiredAt = normalizeInstant(command, 'now', command.now);
    const wallet = requireOpenedFor(command, state);
    if (isRejected(wallet)) return wallet;
    const repeat = checkIdempotency(wallet, command);
    if (repeat) return repeat;
    const hold = openHoldFor(wallet, command.holdId);
    if (isRejected(hold)) return hold;
    if (Date.parse(expiredAt) < Date.parse(hold.expiresAt)) {
      return reject(WALLET_ERROR.HOLD_NOT_EXPIRED, `hold ${hold.holdId} expires at ${hold.expiresAt}`, {
        holdId: hold.holdId,
        expiresAt: hold.expiresAt,
      });
    }
    return accepted([
      {
        type: WALLET_EVENT.HoldExpired,
        data: {
          walletId: wallet.walletId,
          holdId: hold.holdId,
          amountMinor: hold.amountMinor.toString(),
          expiredAt,
          idempotencyKey: `expire:${hold.holdId}`,
          payloadFingerprint: payloadFingerprintOf(command),
        },
      },
    ]);
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
