import { fold } from '@ledger/util';
import { WALLET_EVENT, type WalletEvent } from './events';
import { WalletInvariantViolated, assertWalletInvariants, evolveWallet, initialWalletState, openHolds, type WalletState } from './state';
import { T0, W, cmd, decider, funded, given, history, opened } from './wallet.fixtures';

/** evolve is given events that decide() would never produce: it must refuse them loudly. */
describe('evolve guards the invariants', () => {
  const opening = history([cmd.open()]);
  const reservedState = given(funded(1_000n, cmd.reserve({ amountMinor: 300n })));
  const captureOf = (amountMinor: string, releasedMinor: string): WalletEvent => ({
    type: WALLET_EVENT.HoldCaptured,
    data: {
      walletId: W,
      holdId: 'h-1',
      amountMinor,
      releasedMinor,
      counterparty: 'merchant:m-1',
      capturedAt: T0,
      transactionId: 't',
      postings: [],
      idempotencyKey: 'capture:h-1',
      payloadFingerprint: '[]',
    },
  });
  const credit = (amountMinor: string, idempotencyKey = 'credit:x'): WalletEvent => ({
    type: WALLET_EVENT.WalletCredited,
    data: {
      walletId: W,
      creditId: 'x',
      amountMinor,
      reference: '',
      counterparty: 'clearing:card:ICBC',
      creditedAt: T0,
      transactionId: 't',
      postings: [],
      idempotencyKey,
      payloadFingerprint: '[]',
    },
  });

  it.each<[string, WalletState, WalletEvent]>([
    ['an event before the wallet was opened', initialWalletState(), credit('1')],
    ['a second opening', fold(decider, opening), opening[0]!],
    [
      'an event for another wallet',
      fold(decider, opening),
      { ...credit('1'), data: { ...(credit('1').data as object), walletId: 'w-2' } } as WalletEvent,
    ],
    ['a capture that does not add up to the hold', reservedState, captureOf('300', '1')],
    ['a capture of an unknown hold', fold(decider, opening), captureOf('1', '0')],
    [
      'a release of a settled hold',
      given(funded(1_000n, cmd.reserve(), cmd.release())),
      {
        type: WALLET_EVENT.HoldReleased,
        data: { walletId: W, holdId: 'h-1', amountMinor: '300', releasedAt: T0, idempotencyKey: 'release:h-1b', payloadFingerprint: '[]' },
      },
    ],
    [
      'a release of a different amount',
      reservedState,
      {
        type: WALLET_EVENT.HoldReleased,
        data: { walletId: W, holdId: 'h-1', amountMinor: '299', releasedAt: T0, idempotencyKey: 'release:h-1', payloadFingerprint: '[]' },
      },
    ],
    ['a reservation above the balance', fold(decider, opening), history(funded(1_000n, cmd.reserve()))[2]!],
    ['an idempotency key used twice', given(funded(1_000n)), credit('5', 'credit:c-fund')],
    [
      'an unfreeze of an active wallet',
      fold(decider, opening),
      { type: WALLET_EVENT.WalletUnfrozen, data: { walletId: W, reason: '', source: 'support', unfrozenAt: T0 } },
    ],
  ])('throws WalletInvariantViolated for %s', (_what, state, event) => {
    expect(() => evolveWallet(state, event)).toThrow(WalletInvariantViolated);
  });

  it('throws for a corrupted amount in an event', () => {
    expect(() => evolveWallet(fold(decider, opening), credit('1.50'))).toThrow();
    expect(() => evolveWallet(fold(decider, opening), credit('-5'))).toThrow();
  });

  it('detects a state whose held amount is not the sum of its open holds', () => {
    const state = opened(reservedState);
    expect(() => assertWalletInvariants(state)).not.toThrow();
    expect(() => assertWalletInvariants({ ...state, heldMinor: 200n })).toThrow(WalletInvariantViolated);
    expect(() => assertWalletInvariants({ ...state, totalMinor: 100n, creditedMinor: 100n })).toThrow(WalletInvariantViolated);
    expect(() => assertWalletInvariants({ ...state, totalMinor: 999n })).toThrow(WalletInvariantViolated);
    expect(openHolds(state).map((hold) => hold.holdId)).toEqual(['h-1']);
  });
});
