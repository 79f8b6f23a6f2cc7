/**
 * The partner simulator's card issuer: a stand-in for ICBC's card system and core banking, served
 * over HTTP by the simulator app (`ISSUER_API`) to the cards service (verify, check) and the payments
 * service (charge, pay out). In-memory and
 * deterministic: the only asynchrony is the injected `sleep`, so tests pass a fake one and never wait.
 *
 * Switches (each returns `this`, so they chain):
 * - `slow(ms)`: every call first sleeps `ms`.
 * - `failNext(n, 'timeout' | 'unavailable', { operation?, afterApplying? })`: the next n calls (of
 *   that operation, or of any) throw `SimulatedFailure` (over HTTP: no answer, or a 503). A timeout first sleeps `timeoutMs`.
 *   `afterApplying` (charge/payout): the money moves, then the answer is lost, the case that makes
 *   payments reconcile or retry with the same reference.
 * - `declineNext(n, reason, { operation? })`: the next n charges/payouts are declined.
 * - `setCardStatus(tokenOrNumber, status)`: the bank blocks or renews a card later (CheckCard then
 *   suspends or reinstates it).
 * - `answerTwice(n)`: the next n charges/payouts notify `onAnswer` listeners twice (a duplicate
 *   notification from the bank).
 *
 * Charges and payouts are idempotent by `reference`: a repeat with the same card and amount gets
 * the original approval without moving money again; the same reference with another card or amount
 * is declined `duplicate_reference`. Declines are not remembered, so a retry is decided again.
 * The call log keeps last four digits and tokens only, never a full number.
 */
import { normalizeMobilePhone } from '@ledger/contracts';
import type { IssuerCardStatusAnswer, IssuerMoneyAnswer, IssuerVerificationAnswer, IssuerVerificationBody } from '@ledger/partners-http';
import { TEST_CARDS, loadTestCard, type TestCard } from '@ledger/util/testing';
import { SimulatedFailure, type FailureKind } from '../simulated-failure';

type IssuerCardStatus = IssuerCardStatusAnswer['status'];
export type CardDeclineReason =
  'insufficient_funds' | 'card_expired' | 'card_blocked' | 'unknown_card' | 'duplicate_reference' | 'limit_exceeded' | 'issuer_declined';
export type CardIssuerOperation = 'verifyCard' | 'checkCard' | 'charge' | 'payout';
type CardMoneyResult = IssuerMoneyAnswer;

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export type MoneyOperation = 'charge' | 'payout';

export interface IssuerAnswer {
  readonly operation: MoneyOperation;
  readonly cardToken: string;
  readonly amountMinor: bigint;
  readonly reference: string;
  readonly result: CardMoneyResult;
}

export interface IssuerCall {
  readonly operation: CardIssuerOperation;
  /** Last four digits (verifyCard) or the token (the others). */
  readonly card: string;
  readonly reference?: string;
}

export interface SimulatedCardIssuerOptions {
  /** The bank's cards; defaults to every ICBC card of TEST_CARDS. Non-ICBC cards are ignored. */
  readonly cards?: readonly TestCard[];
  /** Load-test cards 0 … n−1 (`loadTestCard`) on top of `cards`, for benchmarks. Default 0. */
  readonly loadTestCards?: number;
  readonly sleep?: Sleep;
  /** How long a `timeout` failure waits before it throws. */
  readonly timeoutMs?: number;
}

interface PendingFailure {
  remaining: number;
  readonly failure: FailureKind;
  readonly operation: CardIssuerOperation | undefined;
  readonly afterApplying: boolean;
}

interface PendingDecline {
  remaining: number;
  readonly reason: CardDeclineReason;
  readonly operation: MoneyOperation | undefined;
}

interface CardAccount {
  readonly card: TestCard;
  status: IssuerCardStatus;
  balanceMinor: bigint;
}

/** Every switch takes a count; this bounds them so a typo cannot queue a million failures. */
const MAX_COUNT = 1_000;
const MAX_LOG = 10_000;

export class CardIssuerSimulator {
  private readonly byNumber = new Map<string, CardAccount>();
  private readonly byToken = new Map<string, CardAccount>();
  private readonly sleep: Sleep;
  private readonly timeoutMs: number;
  private latencyMs = 0;
  private failures: PendingFailure[] = [];
  private declines: PendingDecline[] = [];
  private duplicateAnswers = 0;
  private readonly listeners = new Set<(answer: IssuerAnswer) => void>();
  private readonly settled = new Map<string, IssuerAnswer>();
  private referenceCounter = 0;
  private readonly log: IssuerCall[] = [];

  constructor(options: SimulatedCardIssuerOptions = {}) {
    this.sleep = options.sleep ?? realSleep;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    const loadCards = Array.from({ length: options.loadTestCards ?? 0 }, (_, index) => loadTestCard(index));
    for (const card of [...(options.cards ?? Object.values(TEST_CARDS)), ...loadCards]) {
      if (card.issuer !== 'ICBC') continue;
      const account: CardAccount = { card, status: card.status, balanceMinor: card.balanceMinor };
      this.byNumber.set(normalizeCardNumber(card.number), account);
      this.byToken.set(card.cardToken, account);
    }
  }

  // ---------------------------------------------------------------- switches

  slow(ms: number): this {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('slow(ms): ms must be a non-negative number');
    this.latencyMs = ms;
    return this;
  }

  failNext(count: number, failure: FailureKind, options: { operation?: CardIssuerOperation; afterApplying?: boolean } = {}): this {
    if (options.afterApplying === true && (failure !== 'timeout' || (options.operation !== 'charge' && options.operation !== 'payout'))) {
      throw new RangeError('afterApplying needs a timeout of charge or payout');
    }
    this.failures.push({
      remaining: checkedCount(count),
      failure,
      operation: options.operation,
      afterApplying: options.afterApplying === true,
    });
    return this;
  }

  declineNext(count: number, reason: CardDeclineReason = 'issuer_declined', options: { operation?: MoneyOperation } = {}): this {
    this.declines.push({ remaining: checkedCount(count), reason, operation: options.operation });
    return this;
  }

  setCardStatus(tokenOrNumber: string, status: IssuerCardStatus): this {
    const account = this.byToken.get(tokenOrNumber) ?? this.byNumber.get(normalizeCardNumber(tokenOrNumber));
    if (account === undefined) throw new RangeError('setCardStatus: no such simulated card');
    account.status = status;
    return this;
  }

  answerTwice(count = 1): this {
    this.duplicateAnswers += checkedCount(count);
    return this;
  }

  /** Clears every switch (latency, failures, declines, duplicate answers). Card state stays. */
  reset(): this {
    this.latencyMs = 0;
    this.failures = [];
    this.declines = [];
    this.duplicateAnswers = 0;
    return this;
  }

  /** The bank's asynchronous notification of each charge/payout result. Returns an unsubscribe. */
  onAnswer(listener: (answer: IssuerAnswer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- inspection

  get calls(): readonly IssuerCall[] {
    return this.log;
  }

  balanceOf(cardToken: string): bigint | undefined {
    return this.byToken.get(cardToken)?.balanceMinor;
  }

  /** What an approved charge or payout with this reference moved (once, however often it was asked). */
  moved(operation: MoneyOperation, reference: string): bigint | undefined {
    return this.settled.get(`${operation}:${reference}`)?.amountMinor;
  }

  statusOf(cardToken: string): IssuerCardStatus | undefined {
    return this.byToken.get(cardToken)?.status;
  }

  // ---------------------------------------------------------------- the port

  async verifyCard(request: IssuerVerificationBody): Promise<IssuerVerificationAnswer> {
    const number = normalizeCardNumber(request.cardNumber);
    await this.begin('verifyCard', { operation: 'verifyCard', card: number.slice(-4) });
    const account = this.byNumber.get(number);
    if (account === undefined) return { outcome: 'unknown_card' };
    if (account.status === 'blocked') return { outcome: 'blocked' };
    if (account.status === 'expired') return { outcome: 'expired' };
    if (request.holderName.trim() !== account.card.holderName) return { outcome: 'holder_mismatch' };
    if (normalizePhone(request.reservedPhone) !== normalizePhone(account.card.reservedPhone)) return { outcome: 'phone_mismatch' };
    return { outcome: 'valid', cardToken: account.card.cardToken, cardType: account.card.cardType, expiresOn: account.card.expiresOn };
  }

  async checkCard(cardToken: string): Promise<IssuerCardStatusAnswer> {
    await this.begin('checkCard', { operation: 'checkCard', card: cardToken });
    return { status: this.byToken.get(cardToken)?.status ?? 'blocked' };
  }

  charge(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.moveMoney('charge', cardToken, amountMinor, reference);
  }

  payout(cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    return this.moveMoney('payout', cardToken, amountMinor, reference);
  }

  // ---------------------------------------------------------------- internals

  private async moveMoney(operation: MoneyOperation, cardToken: string, amountMinor: bigint, reference: string): Promise<CardMoneyResult> {
    if (typeof amountMinor !== 'bigint' || amountMinor <= 0n) throw new RangeError(`${operation}: amountMinor must be a positive bigint`);
    if (reference.trim() === '') throw new RangeError(`${operation}: reference is required`);
    const lostAnswer = await this.begin(operation, { operation, card: cardToken, reference });
    const result = this.apply(operation, cardToken, amountMinor, reference);
    if (lostAnswer) {
      await this.sleep(this.timeoutMs);
      throw new SimulatedFailure('timeout', operation);
    }
    return result;
  }

  private apply(operation: MoneyOperation, cardToken: string, amountMinor: bigint, reference: string): CardMoneyResult {
    const key = `${operation}:${reference}`;
    const earlier = this.settled.get(key);
    if (earlier !== undefined) {
      // The reference is the idempotency key: a repeat never moves money twice.
      if (earlier.cardToken === cardToken && earlier.amountMinor === amountMinor) return this.answer(earlier);
      return this.answer({ operation, cardToken, amountMinor, reference, result: { outcome: 'declined', reason: 'duplicate_reference' } });
    }
    const forced = this.take(this.declines, (decline) => decline.operation === undefined || decline.operation === operation);
    const account = this.byToken.get(cardToken);
    const declined = forced?.reason ?? declineReason(operation, account, amountMinor);
    if (declined !== undefined)
      return this.answer({ operation, cardToken, amountMinor, reference, result: { outcome: 'declined', reason: declined } });
    if (account === undefined) throw new Error('unreachable: unknown card was not declined');
    account.balanceMinor += operation === 'charge' ? -amountMinor : amountMinor;
    this.referenceCounter += 1;
    const approved: IssuerAnswer = {
      operation,
      cardToken,
      amountMinor,
      reference,
      result: { outcome: 'approved', issuerReference: `isr_${String(this.referenceCounter).padStart(6, '0')}` },
    };
    this.settled.set(key, approved);
    return this.answer(approved);
  }

  /** Notifies listeners (twice while `answerTwice` is armed) and returns the result. */
  private answer(answer: IssuerAnswer): CardMoneyResult {
    let deliveries = 1;
    if (this.duplicateAnswers > 0) {
      this.duplicateAnswers -= 1;
      deliveries = 2;
    }
    for (let delivery = 0; delivery < deliveries; delivery += 1) for (const listener of this.listeners) listener(answer);
    return answer.result;
  }

  /** Logs the call, waits the latency, and throws an armed failure. Returns true for "apply, then lose the answer". */
  private async begin(operation: CardIssuerOperation, call: IssuerCall): Promise<boolean> {
    if (this.log.length >= MAX_LOG) this.log.shift();
    this.log.push(call);
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    const failure = this.take(this.failures, (pending) => pending.operation === undefined || pending.operation === operation);
    if (failure === undefined) return false;
    if (failure.afterApplying) return true;
    if (failure.failure === 'timeout') await this.sleep(this.timeoutMs);
    throw new SimulatedFailure(failure.failure, operation);
  }

  /** Consumes one use of the first pending switch that matches. */
  private take<T extends { remaining: number }>(queue: T[], matches: (item: T) => boolean): T | undefined {
    const index = queue.findIndex(matches);
    if (index < 0) return undefined;
    const item = queue[index];
    if (item === undefined) return undefined;
    item.remaining -= 1;
    if (item.remaining <= 0) queue.splice(index, 1);
    return item;
  }
}

function declineReason(operation: MoneyOperation, account: CardAccount | undefined, amountMinor: bigint): CardDeclineReason | undefined {
  if (account === undefined) return 'unknown_card';
  if (account.status === 'expired') return 'card_expired';
  if (account.status === 'blocked') return 'card_blocked';
  if (operation === 'charge' && account.balanceMinor < amountMinor) return 'insufficient_funds';
  return undefined;
}

/** Without the spaces a person types between groups of digits. */
function normalizeCardNumber(number: string): string {
  return number.replace(/ /g, '');
}

/** The canonical number; the raw text for one that is not a mobile number (it then matches nothing else). */
function normalizePhone(phone: string): string {
  return normalizeMobilePhone(phone) ?? phone;
}

function checkedCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT)
    throw new RangeError(`count must be a whole number from 1 to ${MAX_COUNT}`);
  return count;
}
