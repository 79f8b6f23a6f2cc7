/**
 * `ledger:check`: reads the wallet's whole history and checks the ledger's invariants.
 *
 * 1. Double entry: the sum over every account of every posting is zero, each transaction balances,
 *    and a transaction id never carries two different sets of postings.
 * 2. Each wallet's balance projected from the postings (account `wallet:<id>`) equals the total
 *    its own stream folds to.
 * 3. No hold is left open more than `expiryGraceMs` past its expiry (the durable timer would have
 *    expired it).
 * 4. Every wallet stream folds without breaking an invariant (`evolve` asserts them).
 *
 * Memory grows with the number of wallets (one folded state each), not with the number of events.
 */
import { START, type EventStore } from '@ledger/event-store';
import { DEFAULT_WALLET_POLICY, openHolds, postingAmountMinor, transactionOf, type WalletState } from '@ledger/wallet-domain';
import { WalletLedger } from './wallet-ledger';
import { walletCodec } from './wallet-codec';

export interface LedgerCheckOptions {
  /** The instant holds are judged against (ISO-8601); defaults to now. */
  now?: string;
  /** How long past its expiry an open hold is tolerated (the timer polls); default 60 s. */
  expiryGraceMs?: number;
  pageSize?: number;
}

export interface LedgerCheckReport {
  ok: boolean;
  events: number;
  wallets: number;
  transactions: number;
  accounts: number;
  /** Sum over all accounts, decimal string of fen: must be "0". */
  sumMinor: string;
  unbalancedTransactions: Array<{ transactionId: string; stream: string; reason: string }>;
  balanceMismatches: Array<{ walletId: string; projectedMinor: string; streamMinor: string }>;
  holdsOpenPastExpiry: Array<{ walletId: string; holdId: string; amountMinor: string; expiresAt: string }>;
  brokenStreams: Array<{ stream: string; revision: string; reason: string }>;
}

export async function checkLedger(store: EventStore, options: LedgerCheckOptions = {}): Promise<LedgerCheckReport> {
  const nowMs = Date.parse(options.now ?? new Date().toISOString());
  const graceMs = options.expiryGraceMs ?? 60_000;
  // Only `evolve` is used, which never consults the policy.
  const evolve = new WalletLedger({ store, policy: DEFAULT_WALLET_POLICY }).decider.evolve;
  const states = new Map<string, WalletState>();
  const broken = new Set<string>();
  const byAccount = new Map<string, bigint>();
  const seenTransactions = new Map<string, string>();
  const report: LedgerCheckReport = {
    ok: true,
    events: 0,
    wallets: 0,
    transactions: 0,
    accounts: 0,
    sumMinor: '0',
    unbalancedTransactions: [],
    balanceMismatches: [],
    holdsOpenPastExpiry: [],
    brokenStreams: [],
  };
  let sumMinor = 0n;

  // Bounded by the history itself: every page advances the cursor, and the loop ends at its end.
  for (let cursor = START; ;) {
    const page = await store.readCategory('wallet', { from: cursor, limit: options.pageSize ?? 1000 });
    for (const record of page.events) {
      report.events += 1;
      if (broken.has(record.stream)) continue;
      try {
        const event = walletCodec.decode(record);
        const transaction = transactionOf(event);
        states.set(record.stream, evolve(states.get(record.stream) ?? { status: 'unopened' }, event));
        if (!transaction) continue;
        const canonical = JSON.stringify(transaction.postings.map((entry) => [entry.account, entry.amountMinor]));
        const previous = seenTransactions.get(transaction.transactionId);
        if (previous !== undefined) {
          // Delivered twice is harmless (counted once); the same id with other postings is not.
          if (previous !== canonical)
            report.unbalancedTransactions.push({
              transactionId: transaction.transactionId,
              stream: record.stream,
              reason: 'transaction id reused with different postings',
            });
          continue;
        }
        seenTransactions.set(transaction.transactionId, canonical);
        let transactionSum = 0n;
        for (const entry of transaction.postings) {
          const amount = postingAmountMinor(entry);
          transactionSum += amount;
          byAccount.set(entry.account, (byAccount.get(entry.account) ?? 0n) + amount);
        }
        sumMinor += transactionSum;
        if (transactionSum !== 0n)
          report.unbalancedTransactions.push({
            transactionId: transaction.transactionId,
            stream: record.stream,
            reason: `postings sum to ${transactionSum}`,
          });
      } catch (error) {
        broken.add(record.stream);
        report.brokenStreams.push({
          stream: record.stream,
          revision: record.revision.toString(),
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    cursor = page.next;
    if (page.isEnd) break;
  }

  for (const [stream, state] of states) {
    if (state.status === 'unopened') continue;
    report.wallets += 1;
    const projected = byAccount.get(`wallet:${state.walletId}`) ?? 0n;
    if (!broken.has(stream) && projected !== state.totalMinor) {
      report.balanceMismatches.push({
        walletId: state.walletId,
        projectedMinor: projected.toString(),
        streamMinor: state.totalMinor.toString(),
      });
    }
    for (const hold of openHolds(state)) {
      if (Date.parse(hold.expiresAt) + graceMs < nowMs) {
        report.holdsOpenPastExpiry.push({
          walletId: state.walletId,
          holdId: hold.holdId,
          amountMinor: hold.amountMinor.toString(),
          expiresAt: hold.expiresAt,
        });
      }
    }
  }
  report.transactions = seenTransactions.size;
  report.accounts = byAccount.size;
  report.sumMinor = sumMinor.toString();
  report.ok =
    sumMinor === 0n &&
    report.unbalancedTransactions.length === 0 &&
    report.balanceMismatches.length === 0 &&
    report.holdsOpenPastExpiry.length === 0 &&
    report.brokenStreams.length === 0;
  return report;
}

/** The report for people, one finding per line. */
export function formatReport(report: LedgerCheckReport): string {
  const lines = [
    `ledger:check ${report.ok ? 'OK' : 'FAILED'}: ${report.events} events, ${report.wallets} wallets, ${report.transactions} transactions over ${report.accounts} accounts`,
    `sum of all accounts: ${report.sumMinor} fen (must be 0)`,
    ...report.unbalancedTransactions.map((t) => `unbalanced transaction ${t.transactionId} in ${t.stream}: ${t.reason}`),
    ...report.balanceMismatches.map(
      (m) => `wallet ${m.walletId}: postings say ${m.projectedMinor} fen, its stream says ${m.streamMinor} fen`,
    ),
    ...report.holdsOpenPastExpiry.map(
      (h) => `hold ${h.holdId} of wallet ${h.walletId} (${h.amountMinor} fen) still open, expired at ${h.expiresAt}`,
    ),
    ...report.brokenStreams.map((b) => `stream ${b.stream} breaks at revision ${b.revision}: ${b.reason}`),
  ];
  return lines.join('\n');
}
