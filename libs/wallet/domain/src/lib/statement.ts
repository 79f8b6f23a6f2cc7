/**
 * A wallet's statement, entry by entry: what each wallet event changes of the balance and of the
 * held amount, with the balances after it. Pure, so the analysts' statement read model, the
 * time-travel fold and the property test (the statement sums to the balance at every point) all
 * number and sum entries the same way, the way `evolve` moves the balances.
 *
 * Holds are entries too (a user sees money set aside before it leaves); they change the held amount,
 * never the balance. A capture is one debit entry: the balance drops by what was taken and the held
 * amount by the whole hold (the rest of a partial capture returns to the available balance with it).
 */
import { parseMinor } from '@ledger/util';
import { WALLET_EVENT, type WalletEvent } from './events';

export type StatementEntryKind = 'credit' | 'debit' | 'hold' | 'release' | 'expiry';

/** Where a wallet's statement stands after its entries so far. */
export interface StatementRun {
  balanceMinor: bigint;
  heldMinor: bigint;
  entries: number;
}

export const emptyStatementRun = (): StatementRun => ({ balanceMinor: 0n, heldMinor: 0n, entries: 0 });

/** What the statement shows of a hold on its later entries (a release or expiry does not repeat it). */
export interface HoldShown {
  reference: string;
  counterparty: string;
}

export interface StatementEntry {
  /** 1, 2, … in the wallet's stream order. */
  seq: number;
  kind: StatementEntryKind;
  /** The change of the balance: positive for a credit, negative for a debit, 0 for the entries of a hold. */
  amountMinor: bigint;
  /** The change of the held amount: positive for a hold, negative when it is captured, released or expires. */
  heldMinor: bigint;
  balanceAfterMinor: bigint;
  availableAfterMinor: bigint;
  /** The ledger account on the other side (`merchant:M1`, `clearing:transfer`, …); empty when a hold's is unknown. */
  counterparty: string;
  reference: string | undefined;
  /** The ledger transaction of a credit or debit (holds post nothing). */
  transactionId: string | undefined;
  holdId: string | undefined;
  creditId: string | undefined;
}

/**
 * The entry `event` adds to the statement, advancing `run`; undefined for an event that moves no
 * money (opening, freezing, a tier change). `holdOf` gives what a release or expiry shows of its hold.
 */
export function statementEntryOf(
  run: StatementRun,
  event: WalletEvent,
  holdOf: (holdId: string) => HoldShown | undefined,
): StatementEntry | undefined {
  const entry = (
    kind: StatementEntryKind,
    amountMinor: bigint,
    heldMinor: bigint,
    shown: Partial<HoldShown>,
    ids: { transactionId?: string; holdId?: string; creditId?: string },
  ): StatementEntry => {
    run.balanceMinor += amountMinor;
    run.heldMinor += heldMinor;
    run.entries += 1;
    return {
      seq: run.entries,
      kind,
      amountMinor,
      heldMinor,
      balanceAfterMinor: run.balanceMinor,
      availableAfterMinor: run.balanceMinor - run.heldMinor,
      counterparty: shown.counterparty ?? '',
      reference: shown.reference,
      transactionId: ids.transactionId,
      holdId: ids.holdId,
      creditId: ids.creditId,
    };
  };
  switch (event.type) {
    case WALLET_EVENT.FundsReserved:
      return entry('hold', 0n, parseMinor(event.data.amountMinor), event.data, { holdId: event.data.holdId });
    case WALLET_EVENT.HoldCaptured: {
      const capturedMinor = parseMinor(event.data.amountMinor);
      const heldMinor = capturedMinor + parseMinor(event.data.releasedMinor);
      const shown = { reference: holdOf(event.data.holdId)?.reference, counterparty: event.data.counterparty };
      return entry('debit', -capturedMinor, -heldMinor, shown, { transactionId: event.data.transactionId, holdId: event.data.holdId });
    }
    case WALLET_EVENT.HoldReleased:
    case WALLET_EVENT.HoldExpired:
      return entry(
        event.type === WALLET_EVENT.HoldReleased ? 'release' : 'expiry',
        0n,
        -parseMinor(event.data.amountMinor),
        holdOf(event.data.holdId) ?? {},
        { holdId: event.data.holdId },
      );
    case WALLET_EVENT.WalletCredited:
      return entry('credit', parseMinor(event.data.amountMinor), 0n, event.data, {
        transactionId: event.data.transactionId,
        creditId: event.data.creditId,
      });
    case WALLET_EVENT.WalletOpened:
    case WALLET_EVENT.WalletFrozen:
    case WALLET_EVENT.WalletUnfrozen:
    case WALLET_EVENT.WalletTierChanged:
      return undefined;
  }
}
