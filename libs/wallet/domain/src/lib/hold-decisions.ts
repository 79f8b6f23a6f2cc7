/**
 * The hold lifecycle of a wallet: reserve funds, then capture, release or expire the hold, and
 * PayFromWallet, which reserves and captures in one command. `createWalletDecider` dispatches to
 * these; the checks they share are in decider-checks.ts.
 *
 * Order of checks for a reservation: input shape (throws), INVALID_AMOUNT, WALLET_NOT_OPEN,
 * idempotency (a replay wins over everything after it, so a retry after a freeze still gets its
 * original answer), HOLD_EXPIRY_PASSED, WALLET_FROZEN, LIMIT_EXCEEDED per payment, LIMIT_EXCEEDED daily, INSUFFICIENT_FUNDS.
 */
import { reject } from '@ledger/util';
import { WALLET_ERROR } from './codes';
import type { CaptureHold, ExpireHold, PayFromWallet, ReleaseHold, ReserveFunds } from './commands';
import {
  accepted,
  checkAmount,
  checkIdempotency,
  checkSpendingLimits,
  frozenRejection,
  isRejected,
  normalizeInstant,
  openHoldFor,
  payloadFingerprintOf,
  requireCounterparty,
  requireId,
  requireOpenedFor,
  requireText,
  type WalletDecision,
} from './decider-checks';
import { WALLET_EVENT } from './events';
import { accountId, transferPostings } from './ledger';
import type { WalletPolicy } from './policy';
import { availableMinor, evolveWallet, type WalletState } from './state';

/** The decisions on holds under `policy` (its tier limits bound a reservation), one per command. */
export function createHoldDecisions(policy: WalletPolicy) {
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

  return { reserveFunds, captureHold, payFromWallet, releaseHold, expireHold };
}
