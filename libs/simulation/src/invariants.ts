/**
 * What must hold once a schedule has quiesced, checked from the stores alone (the event store and the
 * partners' books), never from what the components believe:
 *
 * 1. Every wallet stream folds through the wallet's own `evolve`, which asserts its invariants after
 *    each event: no balance, held amount or available amount ever went negative.
 * 2. The ledger sums to zero: every posted transaction is balanced (`trialBalance`), none is posted
 *    twice (one event per transaction id), and each wallet's postings add up to its balance.
 * 3. Nothing moves twice: a hold is reserved, captured and settled at most once; a credit id is
 *    credited at most once.
 * 4. Every started payment has exactly one outcome, and nothing but post-outcome bookkeeping after it.
 * 5. The outcome matches the money: a completed payment moved exactly its amount (captured its hold,
 *    credited its wallet or recipient, paid out, paid the bill, charged the card), a failed one moved
 *    nothing, or gave back what it took (a charged card refunded); `clearing:transfer` nets to zero;
 *    no hold or credit exists for a payment that was never started.
 */
import type { RecordedEvent } from '@ledger/event-store';
import {
  BILLERS,
  DEFAULT_COUNTER_APPROVAL,
  MERCHANTS,
  createPaymentDecider,
  creditIdFor,
  directoryOf,
  holdIdFor,
  paymentIdOfWalletEntry,
  type PaymentEvent,
  type PaymentState,
} from '@ledger/payments-domain';
import { createPaymentCodec } from '@ledger/payments-service/testing';
import {
  WALLET_EVENT,
  createWalletDecider,
  trialBalance,
  type LedgerTransaction,
  type Posting,
  type WalletEvent,
  type WalletPolicy,
  type WalletState,
} from '@ledger/wallet-domain';
import type { MemoryEventStore } from './memory-event-store';
import type { PartnerBooks } from './outside';

const AFTER_OUTCOME: ReadonlySet<string> = new Set(['RefundClaimed', 'RefundClaimReleased', 'LateProviderCallbackReported']);

interface WalletFacts {
  state: WalletState;
  postedMinor: bigint;
}

/** A hold's or credit's life in the wallet, as recorded. */
interface MoneyFacts {
  reserved: number;
  captured: Array<{ amountMinor: bigint; counterparty: string }>;
  settled: number;
  credited: Array<{ walletId: string; amountMinor: bigint; counterparty: string }>;
}

export interface PaymentFacts {
  state: PaymentState;
  outcomes: number;
  events: string[];
}

export function checkInvariants(
  store: MemoryEventStore,
  policy: WalletPolicy,
  books: PartnerBooks,
): { failures: string[]; payments: Map<string, PaymentFacts> } {
  const failures: string[] = [];
  const fail = (message: string) => failures.length < 50 && failures.push(message);
  const walletDecider = createWalletDecider(policy);
  const paymentDecider = createPaymentDecider(directoryOf(MERCHANTS, BILLERS), DEFAULT_COUNTER_APPROVAL);
  const paymentCodec = createPaymentCodec();

  const wallets = new Map<string, WalletFacts>();
  const transactions: LedgerTransaction[] = [];
  const transactionIds = new Map<string, number>();
  const holds = new Map<string, MoneyFacts>();
  const credits = new Map<string, MoneyFacts>();
  const factsOf = (book: Map<string, MoneyFacts>, key: string): MoneyFacts => {
    let facts = book.get(key);
    if (!facts) {
      facts = { reserved: 0, captured: [], settled: 0, credited: [] };
      book.set(key, facts);
    }
    return facts;
  };
  const payments = new Map<string, PaymentFacts>();

  for (const stream of store.streamNames()) {
    const records = store.readStreamNow(stream);
    if (stream.startsWith('wallet-')) {
      let state = walletDecider.initialState();
      let broken = false;
      for (const record of records) {
        const event = { type: record.type, data: record.data } as unknown as WalletEvent;
        // The money facts are noted even past a broken fold, so a second posting is reported as such too.
        noteWalletEvent(event, record);
        if (broken) continue;
        try {
          state = walletDecider.evolve(state, event);
        } catch (error) {
          fail(`${stream}: ${String(error)}`);
          broken = true;
        }
      }
      if (state.status !== 'unopened' && !broken) wallets.set(state.walletId, { state, postedMinor: 0n });
    } else if (stream.startsWith('payment-')) {
      let state: PaymentState = paymentDecider.initialState();
      let outcomes = 0;
      const events: string[] = [];
      try {
        for (const record of records) {
          const event: PaymentEvent = paymentCodec.decode(record);
          if (outcomes > 0 && !AFTER_OUTCOME.has(event.type)) fail(`${stream}: ${event.type} recorded after the outcome`);
          if (event.type === 'PaymentCompleted' || event.type === 'PaymentFailed') outcomes += 1;
          state = paymentDecider.evolve(state, event);
          events.push(event.type === 'PaymentFailed' ? `PaymentFailed(${event.data.failure.code})` : event.type);
        }
      } catch (error) {
        fail(`${stream}: ${String(error)}`);
      }
      payments.set(stream.slice('payment-'.length), { state, outcomes, events });
    }
  }

  function noteWalletEvent(event: WalletEvent, record: RecordedEvent): void {
    switch (event.type) {
      case WALLET_EVENT.FundsReserved:
        factsOf(holds, `${event.data.walletId}/${event.data.holdId}`).reserved += 1;
        break;
      case WALLET_EVENT.HoldCaptured: {
        const facts = factsOf(holds, `${event.data.walletId}/${event.data.holdId}`);
        facts.captured.push({ amountMinor: BigInt(event.data.amountMinor), counterparty: event.data.counterparty });
        facts.settled += 1;
        noteTransaction(event.data.transactionId, event.data.postings, record);
        break;
      }
      case WALLET_EVENT.HoldReleased:
      case WALLET_EVENT.HoldExpired:
        factsOf(holds, `${event.data.walletId}/${event.data.holdId}`).settled += 1;
        break;
      case WALLET_EVENT.WalletCredited:
        factsOf(credits, event.data.creditId).credited.push({
          walletId: event.data.walletId,
          amountMinor: BigInt(event.data.amountMinor),
          counterparty: event.data.counterparty,
        });
        noteTransaction(event.data.transactionId, event.data.postings, record);
        break;
      default:
        break;
    }
  }

  function noteTransaction(transactionId: string, postings: readonly Posting[], record: RecordedEvent): void {
    const seen = (transactionIds.get(transactionId) ?? 0) + 1;
    transactionIds.set(transactionId, seen);
    if (seen > 1) fail(`transaction ${transactionId} posted ${seen} times (${record.stream}@${record.revision})`);
    transactions.push({ transactionId, postings });
  }

  // 2. The ledger.
  try {
    const trial = trialBalance(transactions);
    if (trial.totalMinor !== 0n) fail(`the ledger sums to ${trial.totalMinor}, not 0`);
    const transfer = trial.byAccount.get('clearing:transfer') ?? 0n;
    if (transfer !== 0n)
      fail(`clearing:transfer holds ${transfer} after every transfer ended (money created or destroyed between two wallets)`);
    for (const [walletId, facts] of wallets) {
      facts.postedMinor = trial.byAccount.get(`wallet:${walletId}`) ?? 0n;
      const total = facts.state.status === 'unopened' ? 0n : facts.state.totalMinor;
      if (facts.postedMinor !== total) fail(`wallet ${walletId}: postings sum to ${facts.postedMinor}, its balance is ${total}`);
    }
  } catch (error) {
    fail(`the ledger: ${String(error)}`);
  }
  for (const [key, facts] of holds) {
    if (facts.reserved > 1) fail(`hold ${key} reserved ${facts.reserved} times`);
    if (facts.captured.length > 1) fail(`hold ${key} captured ${facts.captured.length} times`);
    if (facts.settled > 1) fail(`hold ${key} settled ${facts.settled} times`);
  }
  for (const [creditId, facts] of credits)
    if (facts.credited.length > 1) fail(`credit ${creditId} credited ${facts.credited.length} times`);

  // 4 and 5. Each payment.
  const walletEntryPayments = new Set<string>();
  for (const key of holds.keys()) {
    const paymentId = paymentIdOfWalletEntry({ holdId: key.slice(key.indexOf('/') + 1) });
    if (paymentId !== undefined) walletEntryPayments.add(paymentId);
  }
  for (const creditId of credits.keys()) {
    const paymentId = paymentIdOfWalletEntry({ creditId });
    if (paymentId !== undefined) walletEntryPayments.add(paymentId);
  }
  for (const paymentId of walletEntryPayments)
    if (payments.get(paymentId)?.state.status === undefined || payments.get(paymentId)?.state.status === 'none')
      fail(`payment ${paymentId}: money moved in the wallet for a payment that was never started`);

  for (const [paymentId, facts] of payments) {
    const { state } = facts;
    if (state.status === 'none') continue;
    if (facts.outcomes !== 1) {
      fail(`payment ${paymentId}: ${facts.outcomes} outcomes (status ${state.status}) [${facts.events.join(' → ')}]`);
      continue;
    }
    const request = state.request;
    const completed = state.status === 'completed';
    const where = `payment ${paymentId} (${request.kind}, ${state.status}${state.failed ? ` ${state.failed.failure.code}` : ''})`;
    const hold = request.kind === 'refund' ? undefined : holds.get(`${request.walletId}/${holdIdFor(paymentId)}`);
    const captured = hold?.captured ?? [];
    const creditOf = (kind: 'topup' | 'transfer' | 'refund') => credits.get(creditIdFor(kind, paymentId))?.credited ?? [];
    const expectCapture = () => {
      if (completed && (captured.length !== 1 || captured[0]!.amountMinor !== request.amountMinor))
        fail(`${where}: completed, but its hold was captured ${captured.length} times (${captured.map((c) => c.amountMinor).join(', ')})`);
      if (!completed && captured.length > 0)
        fail(`${where}: failed, but its hold was captured (${captured[0]!.amountMinor} to ${captured[0]!.counterparty})`);
    };
    const expectCredit = (kind: 'topup' | 'transfer' | 'refund') => {
      const credited = creditOf(kind);
      if (completed && (credited.length !== 1 || credited[0]!.amountMinor !== request.amountMinor))
        fail(`${where}: completed, but it was credited ${credited.length} times`);
      if (!completed && credited.length > 0)
        fail(`${where}: failed, but ${credited[0]!.amountMinor} was credited to wallet ${credited[0]!.walletId}`);
    };
    switch (request.kind) {
      case 'merchant':
        expectCapture();
        if (completed && state.settlement !== 'wallet' && books.authorizations.get(paymentId)?.approved !== true)
          fail(`${where}: completed without the acquirer's approval`);
        break;
      case 'transfer':
        expectCapture();
        expectCredit('transfer');
        break;
      case 'withdrawal': {
        expectCapture();
        const payout = books.payouts.get(`withdrawal-${paymentId}`);
        const paidOut = payout?.answer.outcome === 'approved';
        if (completed && !paidOut) fail(`${where}: completed without a payout to the card`);
        if (!completed && paidOut) fail(`${where}: failed, but the issuer paid ${payout!.amountMinor} out to the card`);
        break;
      }
      case 'bill': {
        expectCapture();
        const bill = books.bills.get(paymentId);
        const paid = bill?.answer.accepted === true;
        if (completed && !paid) fail(`${where}: completed without the biller's acceptance`);
        if (!completed && paid) fail(`${where}: failed, but the biller was paid ${bill!.amountMinor}`);
        break;
      }
      case 'topup': {
        expectCredit('topup');
        const charge = books.charges.get(`topup-${paymentId}`);
        const charged = charge?.answer.outcome === 'approved';
        const refunded = books.payouts.get(`topup-refund-${paymentId}`)?.answer.outcome === 'approved';
        if (completed && !charged) fail(`${where}: credited without charging the card`);
        if (!completed && charged && !refunded)
          fail(`${where}: failed, but the card was charged ${charge!.amountMinor} and never refunded`);
        if (refunded && !charged) fail(`${where}: refunded to the card without a charge`);
        break;
      }
      case 'provider_topup':
      case 'counter':
        expectCredit('topup');
        break;
      case 'refund':
        expectCredit('refund');
        break;
    }
  }
  for (const [paymentId, facts] of payments) {
    const state = facts.state;
    if (state.status === 'none' || state.request.kind !== 'merchant') continue;
    const claimed = Object.values(state.refunds ?? {}).reduce((sum, amount) => sum + amount, 0n);
    if (claimed > state.request.amountMinor)
      fail(`payment ${paymentId}: ${claimed} claimed by refunds, more than its ${state.request.amountMinor}`);
    // A claim left on the original belongs to a refund that completed.
    for (const refundId of Object.keys(state.refunds ?? {}))
      if (payments.get(refundId)?.state.status !== 'completed')
        fail(`payment ${paymentId}: refund ${refundId} holds a claim but did not complete`);
  }
  return { failures, payments };
}
