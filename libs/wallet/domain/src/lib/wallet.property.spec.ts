import fc from 'fast-check';
import { fold, isRejection } from '@ledger/util';
import type { WalletCommand } from './commands';
import { idempotencyKeyOf, type WalletDecider } from './decider';
import { WALLET_EVENT, transactionOf, type WalletEvent } from './events';
import { accountId, assertBalanced, postingAmountMinor, trialBalance, type AccountId } from './ledger';
import { WALLET_TIERS, type WalletTier } from './policy';
import { assertWalletInvariants, availableMinor, openHolds, type WalletState } from './state';
import { W, cmd, decider, rejectingDecider } from './wallet.fixtures';

/** Random command sequences against one wallet, with colliding ids so replays and conflicts happen. */
type Step =
  | { readonly kind: 'reserve'; readonly hold: number; readonly amountMinor: bigint; readonly ttlMs: number; readonly counterparty: number }
  | { readonly kind: 'capture'; readonly hold: number; readonly amountMinor: bigint; readonly mode: 'full' | 'part' | 'over' | 'random' }
  | { readonly kind: 'pay'; readonly hold: number; readonly amountMinor: bigint; readonly ttlMs: number; readonly counterparty: number }
  | { readonly kind: 'release'; readonly hold: number }
  | { readonly kind: 'expire'; readonly hold: number }
  | { readonly kind: 'credit'; readonly credit: number; readonly amountMinor: bigint; readonly counterparty: number }
  | { readonly kind: 'freeze' }
  | { readonly kind: 'unfreeze' }
  | { readonly kind: 'tier'; readonly tier: WalletTier }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'resend'; readonly index: number };

const COUNTERPARTIES: readonly AccountId[] = [
  accountId.merchant('m-1'),
  accountId.biller('b-1'),
  accountId.cardClearing('ICBC'),
  accountId.providerClearing('alipay'),
  accountId.providerClearing('wechat'),
  accountId.branchCash('br-1'),
  accountId.transferClearing(),
  accountId.refundClearing(),
];

const amount = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt(1n, 500n) },
  { weight: 1, arbitrary: fc.constantFrom(1n, 999n, 1_000n, 1_001n, 2_000n, 5_000n) },
);
const hold = fc.integer({ min: 0, max: 15 });
const counterparty = fc.integer({ min: 0, max: COUNTERPARTIES.length - 1 });
const HOUR = 3_600_000;

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      hold,
      amountMinor: amount,
      ttlMs: fc.integer({ min: 1, max: HOUR }),
      counterparty,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('capture' as const),
      hold,
      amountMinor: amount,
      mode: fc.constantFrom('full' as const, 'part' as const, 'over' as const, 'random' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      hold,
      amountMinor: amount,
      ttlMs: fc.integer({ min: 1, max: HOUR }),
      counterparty,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), hold }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), hold }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('credit' as const),
      credit: fc.integer({ min: 0, max: 9 }),
      amountMinor: amount,
      counterparty,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('freeze' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unfreeze' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tier' as const), tier: fc.constantFrom(...WALLET_TIERS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10 * HOUR }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), index: fc.nat() }) },
);

interface Run {
  readonly state: WalletState;
  readonly events: WalletEvent[];
  /** Money commands that were accepted. */
  readonly accepted: WalletCommand[];
  /** The first event recorded under each idempotency key. */
  readonly firstByKey: ReadonlyMap<string, WalletEvent>;
}

/** What a repeat of an accepted money command answers: the first events of its keys (both of a PayFromWallet). */
function originalEventsOf(command: WalletCommand, firstByKey: ReadonlyMap<string, WalletEvent>): WalletEvent[] | undefined {
  const keys = command.type === 'PayFromWallet' ? [`reserve:${command.holdId}`, `capture:${command.holdId}`] : [idempotencyKeyOf(command)];
  const events = keys.map((key) => (key === undefined ? undefined : firstByKey.get(key)));
  return events.every((event) => event !== undefined) ? events : undefined;
}

/** Settlements mostly address a hold that exists (any state), sometimes one that never did. */
function holdIdFor(index: number, state: WalletState): string {
  const known = state.status === 'unopened' ? [] : [...state.holds.keys()];
  if (index >= 14 || known.length === 0) return `h-unknown-${index}`;
  return known[index % known.length]!;
}

/** Capture amounts relative to the hold when it exists, so full, partial and excessive captures all happen. */
function captureAmount(item: Extract<Step, { kind: 'capture' }>, state: WalletState): bigint {
  const reserved = state.status === 'unopened' ? undefined : state.holds.get(holdIdFor(item.hold, state))?.amountMinor;
  if (reserved === undefined || item.mode === 'random') return item.amountMinor;
  if (item.mode === 'full') return reserved;
  if (item.mode === 'over') return reserved + 1n;
  return 1n + (item.amountMinor % reserved);
}

function commandFor(item: Step, nowMs: number, sent: readonly WalletCommand[], state: WalletState): WalletCommand | undefined {
  const now = new Date(nowMs).toISOString();
  switch (item.kind) {
    case 'reserve':
      return cmd.reserve({
        holdId: `h-${item.hold}`,
        amountMinor: item.amountMinor,
        now,
        expiresAt: new Date(nowMs + item.ttlMs).toISOString(),
        counterparty: COUNTERPARTIES[item.counterparty]!,
        reference: `ref-${item.hold}`,
      });
    case 'capture':
      return cmd.capture({ holdId: holdIdFor(item.hold, state), amountMinor: captureAmount(item, state), now });
    case 'pay':
      return cmd.pay({
        holdId: `h-${item.hold}`,
        amountMinor: item.amountMinor,
        now,
        expiresAt: new Date(nowMs + item.ttlMs).toISOString(),
        counterparty: COUNTERPARTIES[item.counterparty]!,
        reference: `ref-${item.hold}`,
      });
    case 'release':
      return cmd.release({ holdId: holdIdFor(item.hold, state), now });
    case 'expire':
      return cmd.expire({ holdId: holdIdFor(item.hold, state), now });
    case 'credit':
      return cmd.credit({
        creditId: `c-${item.credit}`,
        amountMinor: item.amountMinor,
        now,
        counterparty: COUNTERPARTIES[item.counterparty]!,
        reference: `ref-${item.credit}`,
      });
    case 'freeze':
      return cmd.freeze({ now });
    case 'unfreeze':
      return cmd.unfreeze({ now });
    case 'tier':
      return { type: 'ChangeWalletTier', walletId: W, tier: item.tier, now };
    case 'advance':
      return undefined;
    case 'resend': {
      // A retry of an earlier command, arriving now.
      const earlier = sent.length === 0 ? undefined : sent[item.index % sent.length];
      return earlier === undefined ? undefined : { ...earlier, now };
    }
  }
}

function checkState(state: WalletState): void {
  assertWalletInvariants(state);
  if (state.status === 'unopened') throw new Error('the wallet should be open');
  expect(state.totalMinor).toBeGreaterThanOrEqual(0n);
  expect(availableMinor(state)).toBeGreaterThanOrEqual(0n);
  expect(availableMinor(state)).toBeLessThanOrEqual(state.totalMinor);
  expect(state.heldMinor).toBe(openHolds(state).reduce((sum, h) => sum + h.amountMinor, 0n));
}

function run(using: WalletDecider, steps: readonly Step[]): Run {
  let nowMs = Date.parse('2026-03-10T12:00:00.000Z');
  const now = new Date(nowMs).toISOString();
  const opening = using.decide(cmd.open({ now }), using.initialState());
  if (isRejection(opening)) throw new Error('open failed');
  const seed = using.decide(cmd.credit({ creditId: 'seed', amountMinor: 4_000n, now }), fold(using, opening));
  if (isRejection(seed)) throw new Error('seed credit failed');
  let state = fold(using, [...opening, ...seed]);
  const events: WalletEvent[] = [...opening, ...seed];
  const sent: WalletCommand[] = [];
  const accepted: WalletCommand[] = [];
  const firstByKey = new Map<string, WalletEvent>();
  for (const item of steps) {
    if (item.kind === 'advance') nowMs += item.ms;
    const command = commandFor(item, nowMs, sent, state);
    if (command === undefined) continue;
    sent.push(command);
    const decision = using.execute(command, state);
    const decided = using.decide(command, state);
    switch (decision.kind) {
      case 'rejection':
        expect(decided).toEqual(decision);
        break;
      case 'replayed':
        // A replay produces nothing new, and hands back what the key produced the first time.
        expect(decided).toEqual([]);
        expect(decision.originalEvents).toEqual(originalEventsOf(command, firstByKey));
        break;
      case 'accepted': {
        expect(decided).toEqual(decision.events);
        for (const event of decision.events) {
          const transaction = transactionOf(event);
          if (transaction !== undefined) assertBalanced(transaction.postings, transaction.transactionId);
        }
        state = fold(using, decision.events, state);
        events.push(...decision.events);
        for (const event of decision.events) {
          const key = (event.data as { idempotencyKey?: string }).idempotencyKey;
          if (key !== undefined && !firstByKey.has(key)) firstByKey.set(key, event);
        }
        if (idempotencyKeyOf(command) !== undefined && decision.events.length > 0) accepted.push(command);
        break;
      }
    }
    checkState(state);
  }
  return { state, events, accepted, firstByKey };
}

const scenario = fc.record({ using: fc.constantFrom(decider, rejectingDecider), steps: fc.array(step, { minLength: 1, maxLength: 80 }) });

describe('wallet properties over random command sequences', () => {
  it('keeps balances sane after every command: never negative, available ≤ total, held = sum of open holds', () => {
    fc.assert(
      fc.property(scenario, ({ using, steps }) => void run(using, steps)),
      { numRuns: 300 },
    );
  });

  it('replaying the emitted events (also through JSON) rebuilds exactly the same state', () => {
    fc.assert(
      fc.property(scenario, ({ using, steps }) => {
        const { state, events } = run(using, steps);
        expect(fold(using, events)).toEqual(state);
        expect(fold(using, JSON.parse(JSON.stringify(events)) as WalletEvent[])).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });

  it('balances the books: every transaction sums to zero, the wallet account equals the total, total = credits − captures', () => {
    fc.assert(
      fc.property(scenario, ({ using, steps }) => {
        const { state, events } = run(using, steps);
        if (state.status === 'unopened') throw new Error('unopened');
        const transactions = events.map(transactionOf).filter((transaction) => transaction !== undefined);
        const books = trialBalance(transactions);
        expect(books.totalMinor).toBe(0n);
        expect(books.byAccount.get(accountId.wallet(W)) ?? 0n).toBe(state.totalMinor);
        let credits = 0n;
        let captures = 0n;
        for (const event of events) {
          if (event.type === WALLET_EVENT.WalletCredited) credits += BigInt(event.data.amountMinor);
          if (event.type === WALLET_EVENT.HoldCaptured) captures += BigInt(event.data.amountMinor);
        }
        expect(state.totalMinor).toBe(credits - captures);
        for (const transaction of transactions) {
          const walletLeg = transaction.postings.find((entry) => entry.account === accountId.wallet(W));
          expect(walletLeg === undefined ? 0n : postingAmountMinor(walletLeg)).not.toBe(0n);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers every accepted money command, sent again later, with its original result and no new events', () => {
    fc.assert(
      fc.property(scenario, ({ using, steps }) => {
        const { state, accepted, firstByKey } = run(using, steps);
        for (const command of accepted) {
          const retry = { ...command, now: '2030-01-01T00:00:00.000Z' };
          expect(using.decide(retry, state)).toEqual([]);
          expect(using.execute(retry, state)).toEqual({
            kind: 'replayed',
            idempotencyKey: idempotencyKeyOf(command),
            originalEvents: originalEventsOf(command, firstByKey),
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
