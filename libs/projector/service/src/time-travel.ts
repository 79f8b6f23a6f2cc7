/**
 * Time travel: a wallet's balance and statement as of any instant, folded straight from its stream
 * with the wallet's own `evolve` (so it can never disagree with the aggregate).
 *
 * "As of" uses each event's `occurredAt` (the command's instant). The fold stops at the first event
 * after the instant: a stream is decided in order, so its prefix is the wallet as it was then.
 */
import type { EventStore } from '@ledger/event-store';
import {
  balancesOf,
  createWalletDecider,
  DEFAULT_WALLET_POLICY,
  emptyStatementRun,
  isWalletEventType,
  statementEntryOf,
  WALLET_EVENT,
  type HoldShown,
  type StatementEntry,
  type WalletEvent,
  type WalletState,
} from '@ledger/wallet-domain';

/** One entry of the statement (the wallet domain's `statementEntryOf`) with its instant. */
export interface StatementLine extends StatementEntry {
  at: string;
}

export interface WalletAsOf {
  walletId: string;
  asOf: string;
  /** Events folded (the stream's prefix up to the instant). */
  events: number;
  status: WalletState['status'];
  totalMinor: bigint;
  heldMinor: bigint;
  availableMinor: bigint;
  statement: StatementLine[];
}

const decider = createWalletDecider(DEFAULT_WALLET_POLICY);
/** Wallet streams stay far below this; a bound keeps one request's memory finite. */
const MAX_EVENTS = 1_000_000;

export async function walletAsOf(store: EventStore, walletId: string, asOf: Date): Promise<WalletAsOf> {
  const limitMs = asOf.getTime();
  if (!Number.isFinite(limitMs)) throw new RangeError('asOf is not an instant');
  let state = decider.initialState();
  const statement: StatementLine[] = [];
  const run = emptyStatementRun();
  const holds = new Map<string, HoldShown>();
  let events = 0;
  let from = 0n;
  for (;;) {
    const page = await store.readStream(`wallet-${walletId}`, { from, limit: 1000 });
    let stop = false;
    for (const record of page) {
      if (Date.parse(record.metadata.occurredAt) > limitMs || events >= MAX_EVENTS) {
        stop = true;
        break;
      }
      if (!isWalletEventType(record.type)) continue;
      const event = { type: record.type, data: record.data } as unknown as WalletEvent;
      state = decider.evolve(state, event);
      events += 1;
      if (event.type === WALLET_EVENT.FundsReserved) holds.set(event.data.holdId, event.data);
      const entry = statementEntryOf(run, event, (holdId) => holds.get(holdId));
      if (entry !== undefined) statement.push({ ...entry, at: record.metadata.occurredAt });
    }
    if (stop || page.length < 1000) break;
    from = page[page.length - 1]!.revision + 1n;
  }
  const balances = balancesOf(state);
  return {
    walletId,
    asOf: asOf.toISOString(),
    events,
    status: state.status,
    totalMinor: balances.totalMinor,
    heldMinor: balances.heldMinor,
    availableMinor: balances.availableMinor,
    statement,
  };
}
