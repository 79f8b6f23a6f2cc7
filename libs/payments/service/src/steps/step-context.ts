import { cardsContract, walletContract, type CommandContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import type { DeciderHandler } from '@ledger/event-store';
import { isUnanswered, sendWithResends, type KafkaCommandClient } from '@ledger/messaging';
import {
  PAYMENT_ERROR,
  holdIdFor,
  type ActivePaymentState,
  type Biller,
  type CardMoneyGateway,
  type Failure,
  type MerchantAcquirer,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
  type PaymentStep,
  type Posting,
  type ProtectedPhone,
  type ProtectedValue,
  type ReservationResult,
} from '@ledger/payments-domain';
import { nowInstant, retryWithBackoff, type Clock, type RetryPolicy } from '@ledger/util';

/** Secrets that live only in memory for the duration of one request (never in the store). */
export interface PaymentSecrets {
  paymentPassword?: string;
  /** The user's dynamic code (TOTP or a recovery code), encrypted for identity; forwarded with the password check. */
  secondFactorCode?: string;
  /**
   * Whether the risk assessment of this request found the device new to the user's payments;
   * undefined when this request was not assessed (the payment existed already).
   */
  newDevice?: boolean;
}

export interface DriverOptions {
  handler: DeciderHandler<PaymentCommand, PaymentEvent, PaymentState>;
  client: KafkaCommandClient;
  acquirer: MerchantAcquirer;
  cards: CardMoneyGateway;
  biller: Biller;
  clock: Clock;
  /** How long a reservation holds the funds (from the payment's start); the wallet expires it after. */
  holdTtlMs: number;
  /** Timeout of one downstream command. */
  commandTimeoutMs: number;
  /** Attempts of one step within one drive before it is given up (may-abort steps) or left for the step timer. */
  stepAttempts: number;
  /** A payment waiting for its password is failed PAYMENT_INTERRUPTED only after this long (a client retry may bring it). */
  passwordGraceMs: number;
  /** The recipient's number sealed for identity's FindUserByPhone. */
  phoneForIdentity: (phone: ProtectedPhone) => string;
  /** A bill's reference in clear, for the biller's call only. */
  billReferenceForBiller: (reference: ProtectedValue) => string;
  log: (message: string) => void;
}

/** What a step comes to: a result to record through the decider, or nothing yet (the step is tried again later, by the payment's timer). */
export type StepOutcome = { record: PaymentCommand } | { later: string };

/** The payment as the step finds it. */
export interface StepInput {
  state: ActivePaymentState;
  secrets: PaymentSecrets;
  /** When the step started (ISO 8601): the time its results are recorded at unless they say otherwise. */
  now: string;
}

/** One step of the process manager: its own file under `steps/`, listed in `STEP_EXECUTORS`. */
export type StepExecutor = (context: StepContext, input: StepInput) => Promise<StepOutcome>;

/** The answer of a downstream command that was refused (or never answered). */
export type Refused = Extract<CommandResult, { status: 'rejected' }>;

export const failureOf = (result: Refused): Failure =>
  result.details === undefined
    ? { code: result.code, message: result.message }
    : { code: result.code, message: result.message, details: result.details };

export function moneyOf(result: Extract<CommandResult, { status: 'accepted' }>): { transactionId: string; postings: Posting[] } {
  return { transactionId: String(result.data?.transactionId), postings: (result.data?.postings ?? []) as Posting[] };
}

/** A step the payment's kind never reaches: the decider's `nextStep` and this table disagree. */
export function wrongKind(state: ActivePaymentState, step: PaymentStep): Error {
  return new Error(`${state.request.paymentId}: ${step} in a ${state.request.kind} payment`);
}

/** A partner call that signals "try again" by throwing `unavailable`: its answer, or undefined when it never answered. */
async function answerOrUnavailable<T>(
  call: () => Promise<T>,
  unavailable: abstract new (...args: never[]) => Error,
): Promise<{ answer: T } | undefined> {
  try {
    return { answer: await call() };
  } catch (error) {
    if (error instanceof unavailable) return undefined;
    throw error;
  }
}

/**
 * What the steps share: the options, the retry policy of one step, and the downstream calls more
 * than one step makes (the wallet's hold, reserve and capture; the card's token).
 */
export class StepContext {
  /** One step's calls: `stepAttempts` tries, 200 ms then doubling, at most 2 s apart. */
  readonly retry: RetryPolicy;

  constructor(readonly options: DriverOptions) {
    this.retry = { attempts: options.stepAttempts, firstDelayMs: 200, maxDelayMs: 2_000 };
  }

  now(): string {
    return nowInstant(this.options.clock);
  }

  /** Asks a partner (acquirer, biller) that throws `unavailable` when it does not answer, again with backoff while it does not: its answer, or undefined. */
  askPartner<T>(call: () => Promise<T>, unavailable: abstract new (...args: never[]) => Error): Promise<{ answer: T } | undefined> {
    return retryWithBackoff(
      this.retry,
      () => answerOrUnavailable(call, unavailable),
      (answered) => answered === undefined,
    );
  }

  /** Sends a command, resending it with the same id while it is unanswered (bounded, with backoff). */
  call<C extends CommandContract>(
    contract: C,
    payload: PayloadOf<C>,
    key: string,
    commandId: string,
    actor = 'system:payments',
  ): Promise<CommandResult> {
    const correlationId = commandId.split(':')[0];
    return sendWithResends(
      this.options.client,
      contract,
      payload,
      { key, actor, commandId, correlationId, timeoutMs: this.options.commandTimeoutMs },
      this.retry,
    );
  }

  /** Asks the wallet to hold the payment's amount: the reservation's result as the decider records it. */
  async reserve(state: ActivePaymentState): Promise<ReservationResult> {
    const request = state.request;
    if (request.kind === 'topup' || request.kind === 'refund' || request.kind === 'provider_topup' || request.kind === 'counter')
      throw new Error(`${request.paymentId}: a ${request.kind} reserves nothing`);
    const id = request.paymentId;
    // Every bound card is an ICBC card (cards refuses others), so a withdrawal clears through clearing:card:ICBC.
    const counterparty =
      request.kind === 'merchant'
        ? `merchant:${request.merchantId}`
        : request.kind === 'bill'
          ? `biller:${request.billerId}`
          : request.kind === 'transfer'
            ? 'clearing:transfer'
            : 'clearing:card:ICBC';
    const hold = this.holdOf(state);
    const result = await this.call(
      walletContract.reserveFunds,
      { ...hold, counterparty },
      request.walletId,
      `${id}:reserve`,
      `user:${request.userId}`,
    );
    if (result.status === 'accepted') return { ok: true, expiresAt: hold.expiresAt };
    if (isUnanswered(result))
      return {
        ok: false,
        uncertain: true,
        failure: { code: PAYMENT_ERROR.WALLET_UNAVAILABLE, message: `wallet did not answer: ${result.message}` },
      };
    return { ok: false, failure: failureOf(result) };
  }

  /**
   * The hold a payment asks the wallet for, derived from the payment's start, so every retry sends
   * the same payload (the wallet's idempotency key is the hold id).
   */
  holdOf(state: ActivePaymentState): { walletId: string; holdId: string; amountMinor: string; expiresAt: string; reference: string } {
    const request = state.request;
    if (request.kind === 'refund') throw new Error(`${request.paymentId}: a refund holds nothing`);
    const expiresAt = new Date(Date.parse(state.initiatedAt) + this.options.holdTtlMs).toISOString();
    return {
      walletId: request.walletId,
      holdId: holdIdFor(request.paymentId),
      amountMinor: request.amountMinor.toString(),
      expiresAt,
      reference: `${request.kind} payment ${request.paymentId}`,
    };
  }

  /** Captures the payment's hold: the capture's result to record, or `later` while the wallet does not answer. */
  async capture(
    { walletId, paymentId, amountMinor }: { walletId: string; paymentId: string; amountMinor: bigint },
    now: string,
  ): Promise<StepOutcome> {
    const result = await this.call(
      walletContract.captureHold,
      { walletId, holdId: holdIdFor(paymentId), amountMinor: amountMinor.toString() },
      walletId,
      `${paymentId}:capture`,
    );
    if (result.status === 'accepted') return { record: { type: 'RecordCapture', result: { ok: true, ...moneyOf(result) }, now } };
    // Approved by the acquirer (or the recipient already credited): the capture must happen, so a silent wallet is retried later, never given up.
    if (isUnanswered(result)) return { later: `capture: ${result.code}` };
    if (result.code === 'HOLD_ALREADY_SETTLED' || result.code === 'HOLD_NOT_FOUND') {
      return {
        record: {
          type: 'RecordCapture',
          result: {
            ok: false,
            failure: { code: PAYMENT_ERROR.HOLD_EXPIRED, message: 'the hold was no longer open at capture', details: result.details },
          },
          now,
        },
      };
    }
    return { record: { type: 'RecordCapture', result: { ok: false, failure: failureOf(result) }, now } };
  }

  /** The issuer's token of a bound card, asked for right before it is used (never stored), or why there is none (definite, or cards did not answer). */
  async cardToken(
    cardId: string,
    userId: string,
    commandId: string,
  ): Promise<{ cardToken: string } | { failure: Failure; definite: boolean }> {
    const result = await this.call(cardsContract.checkCard, { cardId, userId }, userId, commandId);
    if (result.status === 'accepted') return { cardToken: String(result.data?.cardToken) };
    if (isUnanswered(result)) return { failure: { code: PAYMENT_ERROR.CARDS_UNAVAILABLE, message: result.message }, definite: false };
    return { failure: failureOf(result), definite: true };
  }
}
