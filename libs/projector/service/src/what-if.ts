/**
 * What-if: replay the wallets' history with a changed rule and list the payments whose outcome or
 * amount would change, with totals.
 *
 * How: every wallet stream (schema `wallet`, category `wallet`) is read in order once. Each event is
 * turned back into the command that produced it (FundsReserved → ReserveFunds with the same hold,
 * reference, counterparty and `now`, …) and decided again by the real wallet decider,
 * `createWalletDecider(changedPolicy).execute`, against a hypothetical state folded from the
 * hypothetical events; the actual state is folded from the recorded ones. A reservation the changed
 * rule refuses drops its hold: its capture or release is then skipped, so later reservations see
 * the hypothetical balance and daily usage, as they would have.
 *
 * Rules: lower (or higher) daily debit limits per tier, and a fee in basis points on merchant
 * payments (counterparty `merchant:<id>`), charged to the payer on top of the amount (rounded up to
 * the fen), which the limits and the balance then see too.
 *
 * Limits of the method: payments refused before reaching the wallet (wrong password, a reservation
 * refused in the real history, which leaves no wallet event) are not in the wallet streams, so a
 * more generous rule cannot turn them into successes here; the payments service's other steps
 * (acquirer answers) are taken as they happened.
 */
import { START, type Cursor, type EventStore } from '@ledger/event-store';
import {
  createWalletDecider,
  DEFAULT_WALLET_POLICY,
  isWalletEventType,
  WALLET_EVENT,
  WALLET_TIERS,
  type AccountId,
  type WalletCommand,
  type WalletDecider,
  type WalletEvent,
  type WalletPolicy,
  type WalletState,
  type WalletTier,
} from '@ledger/wallet-domain';

export interface WhatIfRule {
  /** New daily debit limit per tier, in fen (tiers not named keep theirs). */
  dailyDebitLimitMinor?: Partial<Record<WalletTier, bigint>>;
  /** Fee on merchant payments in basis points (1/100 of a percent), paid by the payer. */
  merchantFeeBps?: number;
}

export type Outcome = 'captured' | 'released' | 'expired' | 'open' | `rejected:${string}`;

export interface WhatIfChange {
  paymentId: string;
  walletId: string;
  holdId: string;
  reservedAt: string;
  counterparty: string;
  actualOutcome: Outcome;
  /** What left the wallet (0 unless captured). */
  actualMinor: bigint;
  whatIfOutcome: Outcome;
  whatIfMinor: bigint;
}

export interface WhatIfReport {
  rule: WhatIfRule;
  wallets: number;
  events: number;
  /** Reservations (payment attempts that reached the wallet) examined. */
  reservations: number;
  changes: WhatIfChange[];
  totals: {
    changed: number;
    /** Payments captured in reality that the rule would refuse. */
    wouldBeRefused: number;
    /** Money those refused payments moved in reality. */
    refusedMinor: bigint;
    /** Payments still captured but for another amount. */
    amountChangedCount: number;
    /** Σ (what-if − actual) over captured payments (the fees, for a fee rule). */
    amountDeltaMinor: bigint;
    actualCapturedMinor: bigint;
    whatIfCapturedMinor: bigint;
  };
}

/** The policy with the rule applied (per-payment limits lowered to a lower daily limit, as the policy requires). */
export function policyWith(rule: WhatIfRule, base: WalletPolicy = DEFAULT_WALLET_POLICY): WalletPolicy {
  const tiers = { ...base.tiers };
  for (const tier of WALLET_TIERS) {
    const daily = rule.dailyDebitLimitMinor?.[tier];
    if (daily === undefined) continue;
    const limits = tiers[tier];
    tiers[tier] = {
      ...limits,
      dailyDebitLimitMinor: daily,
      perPaymentLimitMinor: limits.perPaymentLimitMinor < daily ? limits.perPaymentLimitMinor : daily,
    };
  }
  return { ...base, tiers };
}

export function feeFor(amountMinor: bigint, counterparty: string, rule: WhatIfRule): bigint {
  const bps = BigInt(rule.merchantFeeBps ?? 0);
  if (bps === 0n || !counterparty.startsWith('merchant:')) return 0n;
  return (amountMinor * bps + 9_999n) / 10_000n;
}

interface Track {
  paymentId: string;
  walletId: string;
  holdId: string;
  reservedAt: string;
  counterparty: string;
  actualOutcome: Outcome;
  actualMinor: bigint;
  whatIfOutcome: Outcome;
  whatIfMinor: bigint;
}

interface WalletRun {
  actual: WalletState;
  whatIf: WalletState;
  /** Holds the changed rule refused: their settlements are skipped. */
  dropped: Set<string>;
}

const PAGE = 5000;

export async function whatIf(
  store: EventStore,
  rule: WhatIfRule,
  options: { base?: WalletPolicy; until?: Date } = {},
): Promise<WhatIfReport> {
  const actualDecider = createWalletDecider(options.base ?? DEFAULT_WALLET_POLICY);
  const changed: WalletDecider = createWalletDecider(policyWith(rule, options.base));
  const runs = new Map<string, WalletRun>();
  const tracks = new Map<string, Track>();
  const changes: WhatIfChange[] = [];
  let events = 0;
  let reservations = 0;
  const untilMs = options.until?.getTime();

  const finish = (track: Track) => {
    if (track.actualOutcome !== track.whatIfOutcome || track.actualMinor !== track.whatIfMinor) changes.push({ ...track });
  };
  const decide = (run: WalletRun, command: WalletCommand): string | undefined => {
    const decision = changed.execute(command, run.whatIf);
    if (decision.kind === 'rejection') return decision.code;
    if (decision.kind === 'accepted') for (const event of decision.events) run.whatIf = changed.evolve(run.whatIf, event);
    return undefined;
  };

  let cursor: Cursor = START;
  for (;;) {
    const page = await store.readCategory('wallet', { from: cursor, limit: PAGE });
    for (const record of page.events) {
      if (!isWalletEventType(record.type)) continue;
      if (untilMs !== undefined && Date.parse(record.metadata.occurredAt) > untilMs) continue;
      events += 1;
      const event = { type: record.type, data: record.data } as unknown as WalletEvent;
      const walletId = event.data.walletId;
      let run = runs.get(walletId);
      if (!run) {
        run = { actual: actualDecider.initialState(), whatIf: changed.initialState(), dropped: new Set() };
        runs.set(walletId, run);
      }
      const now = record.metadata.occurredAt;
      const key = (holdId: string) => `${walletId}\u0000${holdId}`;
      switch (event.type) {
        case WALLET_EVENT.WalletOpened:
          decide(run, {
            type: 'OpenWallet',
            walletId,
            userId: event.data.userId,
            tier: event.data.tier,
            prerequisites: { registered: true, paymentPasswordSet: true, cardBound: true },
            now: event.data.openedAt,
          });
          break;
        case WALLET_EVENT.FundsReserved: {
          reservations += 1;
          const { holdId, counterparty } = event.data;
          const amount = BigInt(event.data.amountMinor);
          const rejected = decide(run, {
            type: 'ReserveFunds',
            walletId,
            holdId,
            amountMinor: amount + feeFor(amount, counterparty, rule),
            expiresAt: event.data.expiresAt,
            reference: event.data.reference,
            counterparty,
            now: event.data.reservedAt,
          });
          if (rejected) run.dropped.add(holdId);
          tracks.set(key(holdId), {
            paymentId: event.data.reference,
            walletId,
            holdId,
            reservedAt: event.data.reservedAt,
            counterparty,
            actualOutcome: 'open',
            actualMinor: 0n,
            whatIfOutcome: rejected ? `rejected:${rejected}` : 'open',
            whatIfMinor: 0n,
          });
          break;
        }
        case WALLET_EVENT.HoldCaptured:
        case WALLET_EVENT.HoldReleased:
        case WALLET_EVENT.HoldExpired: {
          const { holdId } = event.data;
          const track = tracks.get(key(holdId));
          const captured = event.type === WALLET_EVENT.HoldCaptured;
          const amount = captured ? BigInt(event.data.amountMinor) : 0n;
          if (!run.dropped.has(holdId)) {
            const command: WalletCommand = captured
              ? { type: 'CaptureHold', walletId, holdId, amountMinor: amount + feeFor(amount, event.data.counterparty, rule), now }
              : { type: event.type === WALLET_EVENT.HoldReleased ? 'ReleaseHold' : 'ExpireHold', walletId, holdId, now };
            const rejected = decide(run, command);
            if (track) {
              track.whatIfOutcome = rejected
                ? `rejected:${rejected}`
                : captured
                  ? 'captured'
                  : event.type === WALLET_EVENT.HoldReleased
                    ? 'released'
                    : 'expired';
              track.whatIfMinor = rejected || !captured ? 0n : amount + feeFor(amount, event.data.counterparty, rule);
            }
          }
          if (track) {
            track.actualOutcome = captured ? 'captured' : event.type === WALLET_EVENT.HoldReleased ? 'released' : 'expired';
            track.actualMinor = amount;
            finish(track);
            tracks.delete(key(holdId));
          }
          break;
        }
        case WALLET_EVENT.WalletCredited:
          decide(run, {
            type: 'CreditWallet',
            walletId,
            creditId: event.data.creditId,
            amountMinor: BigInt(event.data.amountMinor),
            reference: event.data.reference,
            counterparty: event.data.counterparty as AccountId,
            now: event.data.creditedAt,
          });
          break;
        case WALLET_EVENT.WalletFrozen:
          decide(run, { type: 'FreezeWallet', walletId, reason: event.data.reason, source: event.data.source, now: event.data.frozenAt });
          break;
        case WALLET_EVENT.WalletUnfrozen:
          decide(run, {
            type: 'UnfreezeWallet',
            walletId,
            reason: event.data.reason,
            source: event.data.source,
            now: event.data.unfrozenAt,
          });
          break;
        case WALLET_EVENT.WalletTierChanged:
          decide(run, { type: 'ChangeWalletTier', walletId, tier: event.data.toTier, now: event.data.changedAt });
          break;
        default:
          break;
      }
      run.actual = actualDecider.evolve(run.actual, event);
    }
    if (page.events.length > 0) cursor = page.next;
    if (page.isEnd) break;
  }
  for (const track of tracks.values()) finish(track);
  changes.sort((a, b) =>
    a.reservedAt < b.reservedAt ? -1 : a.reservedAt > b.reservedAt ? 1 : a.paymentId < b.paymentId ? -1 : a.paymentId > b.paymentId ? 1 : 0,
  );

  const totals: WhatIfReport['totals'] = {
    changed: changes.length,
    wouldBeRefused: 0,
    refusedMinor: 0n,
    amountChangedCount: 0,
    amountDeltaMinor: 0n,
    actualCapturedMinor: 0n,
    whatIfCapturedMinor: 0n,
  };
  for (const change of changes) {
    totals.actualCapturedMinor += change.actualMinor;
    totals.whatIfCapturedMinor += change.whatIfMinor;
    if (change.actualOutcome === 'captured' && change.whatIfOutcome.startsWith('rejected:')) {
      totals.wouldBeRefused += 1;
      totals.refusedMinor += change.actualMinor;
    }
    if (change.actualOutcome === 'captured' && change.whatIfOutcome === 'captured') {
      totals.amountChangedCount += 1;
      totals.amountDeltaMinor += change.whatIfMinor - change.actualMinor;
    }
  }
  return { rule, wallets: runs.size, events, reservations, changes, totals };
}

/** Parses `--daily-limit basic=100000,premium=500000` (fen) and `--fee-bps 60`. */
export function parseRule(args: readonly string[]): WhatIfRule {
  const rule: WhatIfRule = {};
  const limitIndex = args.indexOf('--daily-limit');
  if (limitIndex >= 0) {
    const spec = args[limitIndex + 1] ?? '';
    const limits: Partial<Record<WalletTier, bigint>> = {};
    for (const part of spec.split(',')) {
      const [tier, amount] = part.split('=');
      if (!WALLET_TIERS.includes(tier as WalletTier) || !amount || !/^\d+$/.test(amount) || BigInt(amount) <= 0n)
        throw new Error(`--daily-limit: expected tier=fen[,tier=fen], got ${JSON.stringify(spec)}`);
      limits[tier as WalletTier] = BigInt(amount);
    }
    rule.dailyDebitLimitMinor = limits;
  }
  const feeIndex = args.indexOf('--fee-bps');
  if (feeIndex >= 0) {
    const bps = Number(args[feeIndex + 1]);
    if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
      throw new Error(`--fee-bps: expected an integer 0..10000, got ${JSON.stringify(args[feeIndex + 1])}`);
    rule.merchantFeeBps = bps;
  }
  if (!rule.dailyDebitLimitMinor && rule.merchantFeeBps === undefined)
    throw new Error('give a rule: --daily-limit tier=fen[,…] and/or --fee-bps <n>');
  return rule;
}
