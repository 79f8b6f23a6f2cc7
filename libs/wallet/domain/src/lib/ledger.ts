/**
 * Double-entry bookkeeping for the wallet ledger (docs/design.md §4), as pure types and functions.
 *
 * Sign convention: a posting's amount is what the account *gains*. A user wallet's balance is the
 * sum of its postings (positive = money the bank owes the user). Money arriving from the outside
 * world therefore leaves a clearing account negative: after a 100 fen card top-up,
 * `clearing:card:ICBC` holds -100 and `wallet:w1` holds +100. Every transaction sums to zero, so the
 * sum over all accounts is always zero.
 *
 * Amounts in postings are signed decimal strings of fen ("-100"), because postings travel inside
 * events, which are JSON. Use `posting()` to build one from a bigint and `postingAmountMinor()` to
 * read one back; never write the string by hand.
 */
import { parseMinor } from '@ledger/util';

export type ProviderName = 'alipay' | 'wechat';
export const PROVIDERS: readonly ProviderName[] = ['alipay', 'wechat'];

/** Every account kind the ledger knows, as template-literal types so a typo does not compile. */
export type AccountId =
  | `wallet:${string}`
  | `merchant:${string}`
  | `biller:${string}`
  | `clearing:card:${string}`
  | `clearing:provider:${ProviderName}`
  | `cash:branch:${string}`
  | 'clearing:transfer'
  | 'clearing:refund';

/** One segment of an account id (a wallet id, merchant id, issuer, branch id): no colons, no spaces. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const ACCOUNT_PATTERNS: readonly RegExp[] = [
  /^wallet:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /^merchant:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /^biller:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /^clearing:card:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /^clearing:provider:(alipay|wechat)$/,
  /^cash:branch:[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  /^clearing:transfer$/,
  /^clearing:refund$/,
];

export class InvalidAccountId extends Error {
  constructor(readonly value: unknown) {
    super(`not a ledger account id: ${JSON.stringify(value)}`);
    this.name = 'InvalidAccountId';
  }
}

function segment(value: string, what: string): string {
  if (!SEGMENT.test(value)) throw new InvalidAccountId(`${what}:${value}`);
  return value;
}

/** Builds account ids; each builder validates its segment, so a built id always parses. */
export const accountId = {
  wallet: (walletId: string): AccountId => `wallet:${segment(walletId, 'wallet')}`,
  merchant: (merchantId: string): AccountId => `merchant:${segment(merchantId, 'merchant')}`,
  biller: (billerId: string): AccountId => `biller:${segment(billerId, 'biller')}`,
  cardClearing: (issuer: string): AccountId => `clearing:card:${segment(issuer, 'clearing:card')}`,
  providerClearing: (provider: ProviderName): AccountId => {
    if (!PROVIDERS.includes(provider)) throw new InvalidAccountId(`clearing:provider:${String(provider)}`);
    return `clearing:provider:${provider}`;
  },
  branchCash: (branchId: string): AccountId => `cash:branch:${segment(branchId, 'cash:branch')}`,
  /** Money in flight between two wallets (debited from the payer, not yet credited to the payee). */
  transferClearing: (): AccountId => 'clearing:transfer',
  /** Refunds owed to wallets by merchants, settled with the merchant separately. */
  refundClearing: (): AccountId => 'clearing:refund',
} as const;

export function isAccountId(value: unknown): value is AccountId {
  return typeof value === 'string' && ACCOUNT_PATTERNS.some((pattern) => pattern.test(value));
}

/** Validates an account id that arrived from outside (a command). Throws `InvalidAccountId`. */
export function parseAccountId(value: unknown): AccountId {
  if (!isAccountId(value)) throw new InvalidAccountId(value);
  return value;
}

/** One leg of a transaction, in its JSON form. */
export interface Posting {
  readonly account: AccountId;
  /** Signed decimal string of fen: what the account gains (negative: what it gives). */
  readonly amountMinor: string;
}

/** A balanced set of postings: one money movement. */
export interface LedgerTransaction {
  /** Deterministic id, so a replayed or duplicated event never counts twice in a projection. */
  readonly transactionId: string;
  readonly postings: readonly Posting[];
}

export class UnbalancedTransaction extends Error {
  constructor(
    readonly transactionId: string | undefined,
    reason: string,
  ) {
    super(`ledger transaction ${transactionId ?? '(unnamed)'} is not valid double-entry: ${reason}`);
    this.name = 'UnbalancedTransaction';
  }
}

/** Parses a signed amount ("-100", "100"); the magnitude follows `parseMinor` (canonical, ≤ 18 digits). */
export function parseSignedMinor(value: unknown): bigint {
  if (typeof value === 'string' && value.startsWith('-')) {
    const magnitude = parseMinor(value.slice(1));
    // "-0" is not canonical: zero has one spelling.
    if (magnitude === 0n) return parseMinor(value);
    return -magnitude;
  }
  return parseMinor(value);
}

export function posting(account: AccountId, amountMinor: bigint): Posting {
  return { account, amountMinor: amountMinor.toString() };
}

export function postingAmountMinor(entry: Posting): bigint {
  return parseSignedMinor(entry.amountMinor);
}

/**
 * The two postings of a simple transfer of `amountMinor` from one account to another.
 * Throws for a non-positive amount or from === to, which would be a bug in the caller.
 */
export function transferPostings(from: AccountId, to: AccountId, amountMinor: bigint): Posting[] {
  if (amountMinor <= 0n) throw new UnbalancedTransaction(undefined, `transfer amount must be positive, got ${amountMinor}`);
  if (from === to) throw new UnbalancedTransaction(undefined, `transfer from ${from} to itself`);
  return [posting(from, -amountMinor), posting(to, amountMinor)];
}

/**
 * Throws `UnbalancedTransaction` unless the postings are valid double-entry: at least two legs,
 * every leg a known account with a non-zero canonical amount, and the legs summing to zero.
 */
export function assertBalanced(postings: readonly Posting[], transactionId?: string): void {
  if (postings.length < 2) throw new UnbalancedTransaction(transactionId, `needs at least two postings, got ${postings.length}`);
  let sum = 0n;
  for (const entry of postings) {
    if (!isAccountId(entry.account)) throw new UnbalancedTransaction(transactionId, `unknown account ${JSON.stringify(entry.account)}`);
    let amount: bigint;
    try {
      amount = postingAmountMinor(entry);
    } catch {
      throw new UnbalancedTransaction(transactionId, `bad amount ${JSON.stringify(entry.amountMinor)} on ${entry.account}`);
    }
    if (amount === 0n) throw new UnbalancedTransaction(transactionId, `zero posting on ${entry.account}`);
    sum += amount;
  }
  if (sum !== 0n) throw new UnbalancedTransaction(transactionId, `postings sum to ${sum}, not 0`);
}

export interface TrialBalance {
  /** Balance of every account that has at least one posting. */
  readonly byAccount: ReadonlyMap<AccountId, bigint>;
  /** Sum over all accounts: zero whenever every transaction balanced. */
  readonly totalMinor: bigint;
  readonly transactionCount: number;
}

/**
 * Sums postings per account. Each transaction is checked with `assertBalanced`, and a transaction id
 * seen twice is counted once (events are delivered at least once), but only if both copies are
 * identical; a reused id with different postings throws.
 */
export function trialBalance(transactions: Iterable<LedgerTransaction>): TrialBalance {
  const byAccount = new Map<AccountId, bigint>();
  const seen = new Map<string, string>();
  let totalMinor = 0n;
  for (const transaction of transactions) {
    const canonical = JSON.stringify(transaction.postings.map((entry) => [entry.account, entry.amountMinor]));
    const previous = seen.get(transaction.transactionId);
    if (previous !== undefined) {
      if (previous !== canonical)
        throw new UnbalancedTransaction(transaction.transactionId, 'transaction id reused with different postings');
      continue;
    }
    assertBalanced(transaction.postings, transaction.transactionId);
    seen.set(transaction.transactionId, canonical);
    for (const entry of transaction.postings) {
      const amount = postingAmountMinor(entry);
      byAccount.set(entry.account, (byAccount.get(entry.account) ?? 0n) + amount);
      totalMinor += amount;
    }
  }
  return { byAccount, totalMinor, transactionCount: seen.size };
}
