import { fold, isRejection } from '@ledger/util';
import { WALLET_ERROR } from './codes';
import { InvalidWalletCommand, type WalletCommand } from './commands';
import { createWalletDecider, MAX_AMOUNT_MINOR } from './decider';
import { WALLET_EVENT, transactionOf, type WalletEvent } from './events';
import { assertBalanced } from './ledger';
import { balancesOf, resultFor, type WalletState } from './state';
import {
  CARD,
  MERCHANT,
  T0,
  TEST_POLICY,
  W,
  cmd,
  decider,
  eventsOf,
  funded,
  given,
  history,
  opened,
  rejectingDecider,
} from './wallet.fixtures';

function rejectionOf(state: WalletState, command: WalletCommand, using = decider) {
  const result = using.decide(command, state);
  if (!isRejection(result)) throw new Error(`expected a rejection, got ${result.map((event) => event.type).join(', ')}`);
  return result;
}

function after(state: WalletState, command: WalletCommand, using = decider): WalletState {
  const result = using.decide(command, state);
  if (isRejection(result)) throw new Error(`rejected: ${result.code}`);
  return fold(using, result, state);
}

describe('OpenWallet', () => {
  it('opens the wallet once every prerequisite is met', () => {
    const events = eventsOf(decider.execute(cmd.open({ tier: 'verified' }), decider.initialState()));
    expect(events).toEqual([{ type: WALLET_EVENT.WalletOpened, data: { walletId: W, userId: 'u-1', tier: 'verified', openedAt: T0 } }]);
    const state = opened(fold(decider, events));
    expect(state.status).toBe('active');
    expect(balancesOf(state)).toEqual({ totalMinor: 0n, heldMinor: 0n, availableMinor: 0n });
  });

  it.each([
    [{ registered: false, paymentPasswordSet: true, cardBound: true }, ['registered']],
    [{ registered: true, paymentPasswordSet: false, cardBound: true }, ['paymentPasswordSet']],
    [{ registered: true, paymentPasswordSet: true, cardBound: false }, ['cardBound']],
    [{ registered: false, paymentPasswordSet: false, cardBound: false }, ['registered', 'paymentPasswordSet', 'cardBound']],
  ])('rejects WALLET_PREREQUISITES_MISSING listing what is missing (%j)', (prerequisites, missing) => {
    const rejection = rejectionOf(decider.initialState(), cmd.open({ prerequisites }));
    expect(rejection.code).toBe(WALLET_ERROR.WALLET_PREREQUISITES_MISSING);
    expect(rejection.details).toEqual({ missing });
  });

  it('rejects WALLET_ALREADY_OPEN for a second opening', () => {
    const rejection = rejectionOf(given([cmd.open()]), cmd.open());
    expect(rejection.code).toBe(WALLET_ERROR.WALLET_ALREADY_OPEN);
  });

  it.each<[string, WalletCommand]>([
    ['ReserveFunds', cmd.reserve()],
    ['CaptureHold', cmd.capture()],
    ['PayFromWallet', cmd.pay()],
    ['ReleaseHold', cmd.release()],
    ['ExpireHold', cmd.expire()],
    ['CreditWallet', cmd.credit()],
    ['FreezeWallet', cmd.freeze()],
    ['UnfreezeWallet', cmd.unfreeze()],
    ['ChangeWalletTier', { type: 'ChangeWalletTier', walletId: W, tier: 'premium', now: T0 }],
  ])('rejects %s on a wallet that was never opened with WALLET_NOT_OPEN', (_name, command) => {
    expect(rejectionOf(decider.initialState(), command).code).toBe(WALLET_ERROR.WALLET_NOT_OPEN);
  });

  it('throws for malformed input: an unknown tier, a bad instant, a wallet id that cannot name an account', () => {
    const state = decider.initialState();
    expect(() => decider.decide(cmd.open({ tier: 'gold' as never }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.open({ now: 'yesterday' }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.open({ walletId: 'w:1' }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.open({ userId: '' }), state)).toThrow(InvalidWalletCommand);
  });

  it('throws when a command reaches the stream of another wallet (a routing bug)', () => {
    expect(() => decider.decide(cmd.credit({ walletId: 'w-other' }), given([cmd.open()]))).toThrow(InvalidWalletCommand);
  });
});

describe('ReserveFunds', () => {
  it('holds the amount: available drops, total stays, no money moves', () => {
    const state = given(funded(1_000n));
    const events = eventsOf(decider.execute(cmd.reserve(), state));
    expect(events).toEqual([
      {
        type: WALLET_EVENT.FundsReserved,
        data: {
          walletId: W,
          holdId: 'h-1',
          amountMinor: '300',
          expiresAt: '2026-03-10T02:15:00.000Z',
          reference: 'pay-1',
          counterparty: MERCHANT,
          reservedAt: T0,
          debitDay: '2026-03-10',
          idempotencyKey: 'reserve:h-1',
          payloadFingerprint: expect.any(String),
        },
      },
    ]);
    expect(transactionOf(events[0]!)).toBeUndefined();
    expect(balancesOf(fold(decider, events, state))).toEqual({ totalMinor: 1_000n, heldMinor: 300n, availableMinor: 700n });
  });

  it('rejects INSUFFICIENT_FUNDS with the available amount, counting existing holds', () => {
    const state = given(funded(1_000n, cmd.reserve({ holdId: 'h-0', amountMinor: 600n })));
    const rejection = rejectionOf(state, cmd.reserve({ amountMinor: 401n }));
    expect(rejection.code).toBe(WALLET_ERROR.INSUFFICIENT_FUNDS);
    expect(rejection.details).toEqual({ availableMinor: '400', requestedMinor: '401' });
  });

  it('accepts a reservation of exactly the available amount', () => {
    const state = after(given(funded(1_000n, cmd.reserve({ holdId: 'h-0', amountMinor: 600n }))), cmd.reserve({ amountMinor: 400n }));
    expect(balancesOf(state)).toEqual({ totalMinor: 1_000n, heldMinor: 1_000n, availableMinor: 0n });
  });

  it.each([[0n], [-1n], [MAX_AMOUNT_MINOR + 1n]])('rejects INVALID_AMOUNT for %p', (amountMinor) => {
    expect(rejectionOf(given(funded(1_000n)), cmd.reserve({ amountMinor })).code).toBe(WALLET_ERROR.INVALID_AMOUNT);
  });

  it('rejects INVALID_AMOUNT for an amount that is not a bigint at run time', () => {
    expect(rejectionOf(given(funded(1_000n)), cmd.reserve({ amountMinor: 100 as unknown as bigint })).code).toBe(
      WALLET_ERROR.INVALID_AMOUNT,
    );
  });

  it('rejects WALLET_FROZEN on a frozen wallet', () => {
    const rejection = rejectionOf(given(funded(1_000n, cmd.freeze())), cmd.reserve());
    expect(rejection.code).toBe(WALLET_ERROR.WALLET_FROZEN);
    expect(rejection.details).toEqual({ frozenBy: 'support', frozenAt: T0 });
  });

  it('rejects LIMIT_EXCEEDED (per_payment) above the tier limit and accepts exactly the limit', () => {
    const state = given(funded(5_000n));
    const rejection = rejectionOf(state, cmd.reserve({ amountMinor: 1_001n }));
    expect(rejection.code).toBe(WALLET_ERROR.LIMIT_EXCEEDED);
    expect(rejection.details).toEqual({
      limit: 'per_payment',
      tier: 'basic',
      limitMinor: '1000',
      remainingMinor: '1000',
      requestedMinor: '1001',
    });
    expect(eventsOf(decider.execute(cmd.reserve({ amountMinor: 1_000n }), state))).toHaveLength(1);
  });

  it('rejects LIMIT_EXCEEDED (daily) with what remains today, and accepts exactly the remainder', () => {
    const state = given(funded(5_000n, cmd.reserve({ holdId: 'a', amountMinor: 1_000n }), cmd.reserve({ holdId: 'b', amountMinor: 700n })));
    const rejection = rejectionOf(state, cmd.reserve({ amountMinor: 301n }));
    expect(rejection.code).toBe(WALLET_ERROR.LIMIT_EXCEEDED);
    expect(rejection.details).toEqual({
      limit: 'daily',
      tier: 'basic',
      day: '2026-03-10',
      limitMinor: '2000',
      remainingMinor: '300',
      requestedMinor: '301',
    });
    expect(eventsOf(decider.execute(cmd.reserve({ amountMinor: 300n }), state))).toHaveLength(1);
  });

  it('counts captured amounts against the daily limit', () => {
    const state = given(
      funded(
        5_000n,
        cmd.reserve({ holdId: 'a', amountMinor: 1_000n }),
        cmd.capture({ holdId: 'a', amountMinor: 1_000n }),
        cmd.reserve({ holdId: 'b', amountMinor: 1_000n }),
      ),
    );
    expect(rejectionOf(state, cmd.reserve({ amountMinor: 1n })).details).toMatchObject({ limit: 'daily', remainingMinor: '0' });
  });

  describe('daily limit and the Asia/Shanghai day (midnight is 16:00Z)', () => {
    const spendToday = (now: string) =>
      funded(
        5_000n,
        cmd.reserve({ holdId: 'a', amountMinor: 1_000n, now, expiresAt: '2026-03-11T00:00:00.000Z' }),
        cmd.reserve({ holdId: 'b', amountMinor: 1_000n, now, expiresAt: '2026-03-11T00:00:00.000Z' }),
      );

    it('still counts 15:59:59.999Z as the same Shanghai day', () => {
      const state = given(spendToday('2026-03-10T10:00:00.000Z'));
      const rejection = rejectionOf(
        state,
        cmd.reserve({ amountMinor: 1n, now: '2026-03-10T15:59:59.999Z', expiresAt: '2026-03-11T00:00:00.000Z' }),
      );
      expect(rejection.details).toMatchObject({ limit: 'daily', day: '2026-03-10' });
    });

    it('starts a fresh allowance at 16:00:00.000Z (Shanghai midnight)', () => {
      const state = given(spendToday('2026-03-10T10:00:00.000Z'));
      const events = eventsOf(
        decider.execute(
          cmd.reserve({ amountMinor: 1_000n, now: '2026-03-10T16:00:00.000Z', expiresAt: '2026-03-11T00:00:00.000Z' }),
          state,
        ),
      );
      expect(events[0]).toMatchObject({ data: { debitDay: '2026-03-11' } });
    });

    it('treats 23:30Z as the next Shanghai day, the same as 01:00Z of the next UTC day', () => {
      const state = given(spendToday('2026-03-10T23:30:00.000Z'));
      expect(
        rejectionOf(state, cmd.reserve({ amountMinor: 1n, now: '2026-03-11T01:00:00.000Z', expiresAt: '2026-03-12T00:00:00.000Z' }))
          .details,
      ).toMatchObject({ limit: 'daily', day: '2026-03-11' });
    });

    it('counts a reservation whose clock reads an earlier day than the latest one against the latest day', () => {
      const state = given(spendToday('2026-03-10T16:00:01.000Z'));
      const rejection = rejectionOf(
        state,
        cmd.reserve({ amountMinor: 1n, now: '2026-03-10T15:59:59.000Z', expiresAt: '2026-03-11T00:00:00.000Z' }),
      );
      expect(rejection.details).toMatchObject({ limit: 'daily', day: '2026-03-11' });
    });

    it('does not give yesterday’s released allowance to today', () => {
      const state = given([
        ...spendToday('2026-03-10T10:00:00.000Z'),
        cmd.reserve({ holdId: 'c', amountMinor: 1_000n, now: '2026-03-10T16:30:00.000Z', expiresAt: '2026-03-11T00:00:00.000Z' }),
        cmd.release({ holdId: 'a', now: '2026-03-10T16:40:00.000Z' }),
      ]);
      expect(opened(state).dailyDebit).toEqual({ day: '2026-03-11', usedMinor: 1_000n });
    });
  });

  it.each([
    ['released', cmd.release({ holdId: 'a' })],
    ['expired', cmd.expire({ holdId: 'a', now: '2026-03-10T02:15:00.000Z' })],
  ])('gives the daily allowance back when a hold is %s', (_how, settle) => {
    const state = given(
      funded(5_000n, cmd.reserve({ holdId: 'a', amountMinor: 1_000n }), cmd.reserve({ holdId: 'b', amountMinor: 1_000n }), settle),
    );
    expect(opened(state).dailyDebit).toEqual({ day: '2026-03-10', usedMinor: 1_000n });
    expect(eventsOf(decider.execute(cmd.reserve({ amountMinor: 1_000n }), state))).toHaveLength(1);
  });

  it.each([[T0], ['2026-03-10T01:59:59.999Z']])(
    'rejects HOLD_EXPIRY_PASSED for a hold that would expire at %s, not after now',
    (expiresAt) => {
      const rejection = rejectionOf(given(funded(1_000n)), cmd.reserve({ expiresAt }));
      expect(rejection.code).toBe(WALLET_ERROR.HOLD_EXPIRY_PASSED);
      expect(rejection.details).toEqual({ expiresAt, now: T0 });
    },
  );

  it('throws for malformed input: unknown counterparty, the wallet itself as counterparty, empty hold id, bad expiry', () => {
    const state = given(funded(1_000n));
    expect(() => decider.decide(cmd.reserve({ expiresAt: '2026-03-10' }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.reserve({ counterparty: 'shop:1' as never }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.reserve({ counterparty: `wallet:${W}` }), state)).toThrow(InvalidWalletCommand);
    expect(() => decider.decide(cmd.reserve({ holdId: '' }), state)).toThrow(InvalidWalletCommand);
  });

  describe('idempotency (key reserve:<holdId>)', () => {
    const first = cmd.reserve();
    const state = given(funded(1_000n, first));

    it('answers a repeat with the same payload with no new events and the original result', () => {
      const later = { ...first, now: '2026-03-10T03:00:00.000Z' };
      expect(decider.decide(later, state)).toEqual([]);
      const decision = decider.execute(later, state);
      expect(decision).toEqual({ kind: 'replayed', idempotencyKey: 'reserve:h-1', originalEvents: [resultFor(state, 'reserve:h-1')] });
      expect(resultFor(state, 'reserve:h-1')).toMatchObject({
        type: WALLET_EVENT.FundsReserved,
        data: { holdId: 'h-1', amountMinor: '300' },
      });
    });

    it('replays even after the hold was captured and the wallet frozen', () => {
      const settled = given(funded(1_000n, first, cmd.capture(), cmd.freeze()));
      expect(decider.execute(first, settled)).toMatchObject({ kind: 'replayed' });
    });

    it('treats the same instant written differently as the same payload', () => {
      expect(decider.decide({ ...first, expiresAt: '2026-03-10T10:15:00+08:00' }, state)).toEqual([]);
    });

    it.each<[string, Partial<typeof first>]>([
      ['amount', { amountMinor: 301n }],
      ['counterparty', { counterparty: 'merchant:m-2' }],
      ['reference', { reference: 'pay-2' }],
      ['expiry', { expiresAt: '2026-03-10T02:16:00.000Z' }],
    ])('rejects IDEMPOTENCY_KEY_REUSED for a different %s', (_field, change) => {
      const rejection = rejectionOf(state, { ...first, ...change });
      expect(rejection.code).toBe(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED);
      expect(rejection.details).toEqual({ idempotencyKey: 'reserve:h-1' });
    });
  });
});

describe('CaptureHold', () => {
  const reserved = given(funded(1_000n, cmd.reserve({ amountMinor: 300n })));

  it('captures exactly the reserved amount: the money leaves the wallet for the counterparty', () => {
    const events = eventsOf(decider.execute(cmd.capture({ amountMinor: 300n }), reserved));
    expect(events).toEqual([
      {
        type: WALLET_EVENT.HoldCaptured,
        data: {
          walletId: W,
          holdId: 'h-1',
          amountMinor: '300',
          releasedMinor: '0',
          counterparty: MERCHANT,
          capturedAt: T0,
          transactionId: `${W}:capture:h-1`,
          postings: [
            { account: `wallet:${W}`, amountMinor: '-300' },
            { account: MERCHANT, amountMinor: '300' },
          ],
          idempotencyKey: 'capture:h-1',
          payloadFingerprint: expect.any(String),
        },
      },
    ]);
    expect(() => assertBalanced(transactionOf(events[0]!)!.postings)).not.toThrow();
    const state = opened(fold(decider, events, reserved));
    expect(balancesOf(state)).toEqual({ totalMinor: 700n, heldMinor: 0n, availableMinor: 700n });
    expect(state.holds.get('h-1')?.status).toBe('captured');
  });

  it('captures part of a hold and releases the remainder in the same event', () => {
    const events = eventsOf(decider.execute(cmd.capture({ amountMinor: 120n }), reserved));
    expect(events[0]).toMatchObject({ data: { amountMinor: '120', releasedMinor: '180' } });
    const state = opened(fold(decider, events, reserved));
    expect(balancesOf(state)).toEqual({ totalMinor: 880n, heldMinor: 0n, availableMinor: 880n });
    expect(state.dailyDebit).toEqual({ day: '2026-03-10', usedMinor: 120n });
  });

  it('rejects CAPTURE_EXCEEDS_HOLD above the reserved amount', () => {
    const rejection = rejectionOf(reserved, cmd.capture({ amountMinor: 301n }));
    expect(rejection.code).toBe(WALLET_ERROR.CAPTURE_EXCEEDS_HOLD);
    expect(rejection.details).toEqual({ holdId: 'h-1', reservedMinor: '300', requestedMinor: '301' });
  });

  it.each([[0n], [-5n]])('rejects INVALID_AMOUNT for %p', (amountMinor) => {
    expect(rejectionOf(reserved, cmd.capture({ amountMinor })).code).toBe(WALLET_ERROR.INVALID_AMOUNT);
  });

  it('rejects HOLD_NOT_FOUND for an unknown hold', () => {
    const rejection = rejectionOf(reserved, cmd.capture({ holdId: 'h-404' }));
    expect(rejection.code).toBe(WALLET_ERROR.HOLD_NOT_FOUND);
    expect(rejection.details).toEqual({ holdId: 'h-404' });
  });

  it.each<[string, WalletCommand]>([
    ['released', cmd.release()],
    ['expired', cmd.expire()],
  ])('rejects HOLD_ALREADY_SETTLED for a hold that was %s', (settledAs, settle) => {
    const rejection = rejectionOf(after(reserved, settle), cmd.capture());
    expect(rejection.code).toBe(WALLET_ERROR.HOLD_ALREADY_SETTLED);
    expect(rejection.details).toEqual({ holdId: 'h-1', settledAs });
  });

  it('answers a repeated capture with no events and the original result; another amount is IDEMPOTENCY_KEY_REUSED', () => {
    const captured = after(reserved, cmd.capture({ amountMinor: 100n }));
    expect(decider.decide(cmd.capture({ amountMinor: 100n, now: '2026-03-10T05:00:00.000Z' }), captured)).toEqual([]);
    expect(decider.execute(cmd.capture({ amountMinor: 100n }), captured)).toEqual({
      kind: 'replayed',
      idempotencyKey: 'capture:h-1',
      originalEvents: [resultFor(captured, 'capture:h-1')],
    });
    expect(rejectionOf(captured, cmd.capture({ amountMinor: 300n })).code).toBe(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED);
  });

  it('completes on a frozen wallet: the hold was made before the freeze', () => {
    const state = after(after(reserved, cmd.freeze()), cmd.capture());
    expect(balancesOf(state)).toEqual({ totalMinor: 700n, heldMinor: 0n, availableMinor: 700n });
  });
});

describe('PayFromWallet', () => {
  const funds = given(funded(1_000n));

  it('records the reservation and its capture in one decision: the same two events a reserve then capture leave', () => {
    const events = eventsOf(decider.execute(cmd.pay(), funds));
    expect(events).toEqual(history(funded(1_000n, cmd.reserve(), cmd.capture())).slice(-2));
    expect(events.map((event) => event.type)).toEqual([WALLET_EVENT.FundsReserved, WALLET_EVENT.HoldCaptured]);
    const state = opened(fold(decider, events, funds));
    expect(balancesOf(state)).toEqual({ totalMinor: 700n, heldMinor: 0n, availableMinor: 700n });
    expect(state.holds.get('h-1')?.status).toBe('captured');
    expect(state.dailyDebit).toEqual({ day: '2026-03-10', usedMinor: 300n });
  });

  it('answers a repeat with both original events and moves nothing more; another amount is IDEMPOTENCY_KEY_REUSED', () => {
    const paid = after(funds, cmd.pay());
    expect(decider.decide(cmd.pay({ now: '2026-03-10T02:05:00.000Z' }), paid)).toEqual([]);
    const repeat = decider.execute(cmd.pay(), paid);
    expect(repeat).toEqual({
      kind: 'replayed',
      idempotencyKey: 'capture:h-1',
      originalEvents: [resultFor(paid, 'reserve:h-1'), resultFor(paid, 'capture:h-1')],
    });
    // The capture alone, asked again by the hold id, is the same capture.
    expect(decider.decide(cmd.capture(), paid)).toEqual([]);
    expect(rejectionOf(paid, cmd.pay({ amountMinor: 301n })).code).toBe(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED);
  });

  it('captures a hold reserved before under the same id', () => {
    const reserved = given(funded(1_000n, cmd.reserve()));
    expect(eventsOf(decider.execute(cmd.pay(), reserved)).map((event) => event.type)).toEqual([WALLET_EVENT.HoldCaptured]);
  });

  it.each<[string, WalletCommand[], WalletCommand]>([
    [WALLET_ERROR.INSUFFICIENT_FUNDS, funded(200n), cmd.pay()],
    [WALLET_ERROR.WALLET_FROZEN, funded(1_000n, cmd.freeze()), cmd.pay()],
    [WALLET_ERROR.LIMIT_EXCEEDED, funded(1_000n), cmd.pay({ amountMinor: 1_001n })],
    [WALLET_ERROR.HOLD_ALREADY_SETTLED, funded(1_000n, cmd.reserve(), cmd.release()), cmd.pay()],
  ])('refuses %s as a reservation or a capture would', (code, commands, command) => {
    expect(rejectionOf(given(commands), command).code).toBe(code);
  });

  it('refuses HOLD_EXPIRY_PASSED for a first attempt that arrives after the expiry it carries', () => {
    expect(rejectionOf(funds, cmd.pay({ now: '2026-03-10T02:15:00.000Z' })).code).toBe(WALLET_ERROR.HOLD_EXPIRY_PASSED);
  });
});

describe('ReleaseHold', () => {
  const reserved = given(funded(1_000n, cmd.reserve({ amountMinor: 300n })));

  it('gives the whole hold back and posts nothing', () => {
    const events = eventsOf(decider.execute(cmd.release(), reserved));
    expect(events).toEqual([
      {
        type: WALLET_EVENT.HoldReleased,
        data: {
          walletId: W,
          holdId: 'h-1',
          amountMinor: '300',
          releasedAt: T0,
          idempotencyKey: 'release:h-1',
          payloadFingerprint: expect.any(String),
        },
      },
    ]);
    expect(transactionOf(events[0]!)).toBeUndefined();
    expect(balancesOf(fold(decider, events, reserved))).toEqual({ totalMinor: 1_000n, heldMinor: 0n, availableMinor: 1_000n });
  });

  it('rejects HOLD_NOT_FOUND for an unknown hold', () => {
    expect(rejectionOf(reserved, cmd.release({ holdId: 'nope' })).code).toBe(WALLET_ERROR.HOLD_NOT_FOUND);
  });

  it.each<[string, WalletCommand]>([
    ['captured', cmd.capture()],
    ['expired', cmd.expire()],
  ])('rejects HOLD_ALREADY_SETTLED for a hold that was %s', (settledAs, settle) => {
    expect(rejectionOf(after(reserved, settle), cmd.release()).details).toEqual({ holdId: 'h-1', settledAs });
  });

  it('answers a repeat with no events and the original result', () => {
    const released = after(reserved, cmd.release());
    expect(decider.decide(cmd.release({ now: '2026-03-10T09:00:00.000Z' }), released)).toEqual([]);
    expect(decider.execute(cmd.release(), released)).toMatchObject({
      kind: 'replayed',
      originalEvents: [{ type: WALLET_EVENT.HoldReleased }],
    });
  });

  it('completes on a frozen wallet, returning the money to the available balance', () => {
    expect(balancesOf(after(after(reserved, cmd.freeze()), cmd.release()))).toEqual({
      totalMinor: 1_000n,
      heldMinor: 0n,
      availableMinor: 1_000n,
    });
  });
});

describe('ExpireHold', () => {
  const reserved = given(funded(1_000n, cmd.reserve({ amountMinor: 300n })));

  it('rejects HOLD_NOT_EXPIRED a millisecond before expiresAt', () => {
    const rejection = rejectionOf(reserved, cmd.expire({ now: '2026-03-10T02:14:59.999Z' }));
    expect(rejection.code).toBe(WALLET_ERROR.HOLD_NOT_EXPIRED);
    expect(rejection.details).toEqual({ holdId: 'h-1', expiresAt: '2026-03-10T02:15:00.000Z' });
  });

  it('expires the hold exactly at expiresAt', () => {
    const events = eventsOf(decider.execute(cmd.expire({ now: '2026-03-10T02:15:00.000Z' }), reserved));
    expect(events).toEqual([
      {
        type: WALLET_EVENT.HoldExpired,
        data: {
          walletId: W,
          holdId: 'h-1',
          amountMinor: '300',
          expiredAt: '2026-03-10T02:15:00.000Z',
          idempotencyKey: 'expire:h-1',
          payloadFingerprint: expect.any(String),
        },
      },
    ]);
    expect(balancesOf(fold(decider, events, reserved))).toEqual({ totalMinor: 1_000n, heldMinor: 0n, availableMinor: 1_000n });
  });

  it('rejects HOLD_NOT_FOUND and HOLD_ALREADY_SETTLED', () => {
    expect(rejectionOf(reserved, cmd.expire({ holdId: 'nope' })).code).toBe(WALLET_ERROR.HOLD_NOT_FOUND);
    expect(rejectionOf(after(reserved, cmd.release()), cmd.expire()).details).toEqual({ holdId: 'h-1', settledAs: 'released' });
    expect(rejectionOf(after(reserved, cmd.capture()), cmd.expire()).details).toEqual({ holdId: 'h-1', settledAs: 'captured' });
  });

  it('answers a timer that fires twice with no new events', () => {
    const expired = after(reserved, cmd.expire());
    expect(decider.decide(cmd.expire({ now: '2026-03-10T02:20:00.000Z' }), expired)).toEqual([]);
  });

  it('completes on a frozen wallet', () => {
    expect(balancesOf(after(after(reserved, cmd.freeze()), cmd.expire())).availableMinor).toBe(1_000n);
  });
});

describe('CreditWallet', () => {
  const open = given([cmd.open()]);

  it('credits the wallet with a balanced transaction from the counterparty', () => {
    const events = eventsOf(decider.execute(cmd.credit({ amountMinor: 1_000n }), open));
    expect(events).toEqual([
      {
        type: WALLET_EVENT.WalletCredited,
        data: {
          walletId: W,
          creditId: 'c-1',
          amountMinor: '1000',
          reference: 'topup-1',
          counterparty: CARD,
          creditedAt: T0,
          transactionId: `${W}:credit:c-1`,
          postings: [
            { account: CARD, amountMinor: '-1000' },
            { account: `wallet:${W}`, amountMinor: '1000' },
          ],
          idempotencyKey: 'credit:c-1',
          payloadFingerprint: expect.any(String),
        },
      },
    ]);
    expect(balancesOf(fold(decider, events, open))).toEqual({ totalMinor: 1_000n, heldMinor: 0n, availableMinor: 1_000n });
  });

  it('accepts a credit up to exactly the balance cap and rejects BALANCE_CAP_EXCEEDED one fen above', () => {
    const state = given(funded(4_000n));
    const rejection = rejectionOf(state, cmd.credit({ amountMinor: 1_001n }));
    expect(rejection.code).toBe(WALLET_ERROR.BALANCE_CAP_EXCEEDED);
    expect(rejection.details).toEqual({ tier: 'basic', balanceCapMinor: '5000', roomMinor: '1000', requestedMinor: '1001' });
    expect(balancesOf(after(state, cmd.credit({ amountMinor: 1_000n }))).totalMinor).toBe(5_000n);
  });

  it('counts held money towards the balance cap (it is still in the wallet)', () => {
    const state = given(funded(4_000n, cmd.reserve({ amountMinor: 1_000n })));
    expect(rejectionOf(state, cmd.credit({ amountMinor: 1_001n })).code).toBe(WALLET_ERROR.BALANCE_CAP_EXCEEDED);
  });

  it.each([[0n], [-100n], [MAX_AMOUNT_MINOR + 1n]])('rejects INVALID_AMOUNT for %p', (amountMinor) => {
    expect(rejectionOf(open, cmd.credit({ amountMinor })).code).toBe(WALLET_ERROR.INVALID_AMOUNT);
  });

  it('answers a repeat with no events and the original result; a different payload is IDEMPOTENCY_KEY_REUSED', () => {
    const credited = after(open, cmd.credit());
    expect(decider.decide(cmd.credit({ now: '2026-03-11T00:00:00.000Z' }), credited)).toEqual([]);
    expect(decider.execute(cmd.credit(), credited)).toEqual({
      kind: 'replayed',
      idempotencyKey: 'credit:c-1',
      originalEvents: [resultFor(credited, 'credit:c-1')],
    });
    expect(rejectionOf(credited, cmd.credit({ amountMinor: 999n })).code).toBe(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED);
    expect(rejectionOf(credited, cmd.credit({ counterparty: 'clearing:provider:alipay' })).code).toBe(WALLET_ERROR.IDEMPOTENCY_KEY_REUSED);
    expect(balancesOf(credited).totalMinor).toBe(1_000n);
  });

  it('keeps credit and hold keys apart: a credit id equal to a hold id is a new key', () => {
    const state = given(funded(1_000n, cmd.reserve({ holdId: 'x-1' })));
    expect(eventsOf(decider.execute(cmd.credit({ creditId: 'x-1' }), state))).toHaveLength(1);
  });

  it('throws for a malformed counterparty', () => {
    expect(() => decider.decide(cmd.credit({ counterparty: 'clearing:provider:paypal' as never }), open)).toThrow(InvalidWalletCommand);
  });
});

describe('FreezeWallet / UnfreezeWallet', () => {
  const frozenHistory = funded(1_000n, cmd.reserve({ holdId: 'before' }), cmd.freeze({ reason: 'lost phone', source: 'support' }));

  it('freezes with reason and source, keeping balance and history intact', () => {
    const before = given(funded(1_000n, cmd.reserve({ holdId: 'before' })));
    const events = eventsOf(decider.execute(cmd.freeze(), before));
    expect(events).toEqual([
      { type: WALLET_EVENT.WalletFrozen, data: { walletId: W, reason: 'lost phone', source: 'support', frozenAt: T0 } },
    ]);
    const frozen = opened(fold(decider, events, before));
    expect(frozen).toMatchObject({ status: 'frozen', freeze: { reason: 'lost phone', source: 'support', frozenAt: T0 } });
    expect(balancesOf(frozen)).toEqual(balancesOf(before));
    expect(frozen.holds).toEqual(opened(before).holds);
    expect(frozen.outcomes).toEqual(opened(before).outcomes);
  });

  it('freezing a frozen wallet and unfreezing an active one change nothing', () => {
    expect(decider.decide(cmd.freeze({ source: 'identity' }), given(frozenHistory))).toEqual([]);
    expect(decider.decide(cmd.unfreeze(), given(funded(1_000n)))).toEqual([]);
  });

  it('accepts credits while frozen under the accept policy', () => {
    expect(balancesOf(after(given(frozenHistory), cmd.credit({ creditId: 'c-2', amountMinor: 500n }))).totalMinor).toBe(1_500n);
  });

  it('rejects credits with WALLET_FROZEN under the reject policy', () => {
    const state = given(frozenHistory, rejectingDecider);
    const rejection = rejectionOf(state, cmd.credit({ creditId: 'c-2' }), rejectingDecider);
    expect(rejection.code).toBe(WALLET_ERROR.WALLET_FROZEN);
    expect(rejection.details).toEqual({ frozenBy: 'support', frozenAt: T0 });
  });

  it('unfreezes after re-verification, and reservations work again with everything intact', () => {
    const frozen = given(frozenHistory);
    const events = eventsOf(decider.execute(cmd.unfreeze(), frozen));
    expect(events).toEqual([
      { type: WALLET_EVENT.WalletUnfrozen, data: { walletId: W, reason: 're-verified', source: 'identity', unfrozenAt: T0 } },
    ]);
    const active = opened(fold(decider, events, frozen));
    expect(active.status).toBe('active');
    expect(active).not.toHaveProperty('freeze');
    expect(balancesOf(active)).toEqual({ totalMinor: 1_000n, heldMinor: 300n, availableMinor: 700n });
    expect(eventsOf(decider.execute(cmd.reserve({ holdId: 'after' }), active))).toHaveLength(1);
  });
});

describe('ChangeWalletTier', () => {
  it('applies the new tier’s limits to later commands; the same tier changes nothing', () => {
    const state = given(funded(5_000n));
    expect(rejectionOf(state, cmd.reserve({ amountMinor: 2_000n })).code).toBe(WALLET_ERROR.LIMIT_EXCEEDED);
    const change: WalletCommand = { type: 'ChangeWalletTier', walletId: W, tier: 'verified', now: T0 };
    const events = eventsOf(decider.execute(change, state));
    expect(events).toEqual([
      { type: WALLET_EVENT.WalletTierChanged, data: { walletId: W, fromTier: 'basic', toTier: 'verified', changedAt: T0 } },
    ]);
    const upgraded = fold(decider, events, state);
    expect(eventsOf(decider.execute(cmd.reserve({ amountMinor: 2_000n }), upgraded))).toHaveLength(1);
    expect(decider.decide(change, upgraded)).toEqual([]);
  });
});

describe('history as data', () => {
  it('round-trips through JSON and rebuilds the same state', () => {
    const events = history(
      funded(
        2_000n,
        cmd.reserve(),
        cmd.capture({ amountMinor: 100n }),
        cmd.reserve({ holdId: 'h-2' }),
        cmd.freeze(),
        cmd.release({ holdId: 'h-2' }),
        cmd.unfreeze(),
      ),
    );
    const json = JSON.parse(JSON.stringify(events)) as WalletEvent[];
    expect(fold(decider, json)).toEqual(fold(decider, events));
  });

  it('a different policy never changes how history replays', () => {
    const events = history(funded(2_000n, cmd.reserve()));
    const strict = createWalletDecider({
      ...TEST_POLICY,
      tiers: { ...TEST_POLICY.tiers, basic: { perPaymentLimitMinor: 1n, dailyDebitLimitMinor: 1n, balanceCapMinor: 1n } },
    });
    expect(fold(strict, events)).toEqual(fold(decider, events));
  });
});
