/**
 * Executes the process manager: reads a payment's state, performs the step it names (a Kafka
 * command to identity or wallet, a call to the acquirer port), and records the step's definite
 * result through the decider. Every downstream command id is derived from the payment id and the
 * step (`<paymentId>:reserve`), so a step retried after a crash or by a second driver is answered
 * by the downstream service from its own history and has no second effect.
 */
import { TRANSPORT_ERROR, cardsContract, identityContract, walletContract, type CommandContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import type { DeciderHandler } from '@ledger/event-store';
import type { KafkaCommandClient } from '@ledger/messaging';
import {
  AcquirerUnavailable,
  BillerUnavailable,
  PAYMENT_ERROR,
  STEP_OUT_OF_ORDER,
  holdIdFor,
  nextStep,
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
  type StepResult,
} from '@ledger/payments-domain';
import type { Clock } from '@ledger/util';

export const streamOf = (paymentId: string): string => `payment-${paymentId}`;

/** Secrets that live only in memory for the duration of one request (never in the store). */
export interface PaymentSecrets {
  paymentPassword?: string;
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
  /** Decrypts a transfer's recipient phone, in memory, for the FindUserByPhone step only. */
  /** The recipient's number encrypted for identity's FindUserByPhone. */
  phoneForIdentity: (phone: ProtectedPhone) => string;
  /** A bill's reference in clear, for the biller's call only. */
  billReferenceForBiller: (reference: ProtectedValue) => string;
  log: (message: string) => void;
}

type StepOutcome = { record: PaymentCommand } | { later: string };

const TRANSIENT: ReadonlySet<string> = new Set([TRANSPORT_ERROR.TIMEOUT, TRANSPORT_ERROR.PROCESSING_FAILED]);
const failureOf = (result: Extract<CommandResult, { status: 'rejected' }>): Failure =>
  result.details === undefined ? { code: result.code, message: result.message } : { code: result.code, message: result.message, details: result.details };

export class PaymentDriver {
  /** One drive per payment at a time in this instance (other instances are settled by the stream's revision). */
  private readonly running = new Map<string, Promise<ActivePaymentState | undefined>>();
  private static readonly MAX_STEPS = 20;

  constructor(private readonly options: DriverOptions) {}

  isRunning(paymentId: string): boolean {
    return this.running.has(paymentId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  async stateOf(paymentId: string): Promise<PaymentState> {
    return (await this.options.handler.load(streamOf(paymentId))).state;
  }

  /** Drives the payment as far as it goes now; resolves with its state (terminal, or in flight when a step must wait). */
  drive(paymentId: string, secrets: PaymentSecrets = {}): Promise<ActivePaymentState | undefined> {
    const current = this.running.get(paymentId);
    if (current) return current;
    const run = this.run(paymentId, secrets).finally(() => this.running.delete(paymentId));
    this.running.set(paymentId, run);
    return run;
  }

  /** Waits for every drive in flight (graceful shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(paymentId: string, secrets: PaymentSecrets): Promise<ActivePaymentState | undefined> {
    const stream = streamOf(paymentId);
    for (let i = 0; i < PaymentDriver.MAX_STEPS; i++) {
      // This instance's own view (no read): a step it acts on is recorded through the decider, which
      // finds out if another instance moved the payment on meanwhile.
      const { state } = await this.options.handler.loadCached(stream);
      if (state.status === 'none') return undefined;
      const step = nextStep(state);
      // The outcome is recorded. (A step that crashes half-way is resumed by the payment's timer, which
      // follows the recorded events: see payment-timers.ts.)
      if (step === undefined) return state;
      const outcome = await this.execute(step, state, secrets);
      if ('later' in outcome) {
        if (step !== 'awaiting_provider' && step !== 'awaiting_approval') this.options.log(`payment ${paymentId}: ${step} postponed (${outcome.later})`);
        return state;
      }
      const now = this.options.clock.now().toISOString();
      const recorded = await this.options.handler.handle(stream, outcome.record, { commandId: `${paymentId}:${step}`, correlationId: paymentId, actor: 'system:payments', occurredAt: now });
      if (recorded.kind === 'rejected' && recorded.rejection.code !== STEP_OUT_OF_ORDER) throw new Error(`payment ${paymentId}: ${step} result refused: ${recorded.rejection.code}`);
    }
    throw new Error(`payment ${paymentId}: more than ${PaymentDriver.MAX_STEPS} steps`);
  }

  /** Sends a command, resending it with the same id while the answer is transient (bounded). */
  private async call<C extends CommandContract>(contract: C, payload: PayloadOf<C>, key: string, commandId: string, actor = 'system:payments'): Promise<CommandResult> {
    let last: CommandResult | undefined;
    for (let attempt = 1; attempt <= this.options.stepAttempts; attempt++) {
      last = await this.options.client.send(contract, payload, { key, actor, commandId, correlationId: commandId.split(':')[0], timeoutMs: this.options.commandTimeoutMs });
      if (last.status === 'accepted' || !TRANSIENT.has(last.code)) return last;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
    }
    return last as CommandResult;
  }

  private async execute(step: PaymentStep, state: ActivePaymentState, secrets: PaymentSecrets): Promise<StepOutcome> {
    const request = state.request;
    const id = request.paymentId;
    const now = this.options.clock.now().toISOString();
    switch (step) {
      case 'finding_recipient': {
        if (request.kind !== 'transfer') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const fail = (failure: Failure): StepOutcome => ({ record: { type: 'RecordRecipient', result: { ok: false, failure }, now } });
        // The plain number lives only in this call; the Kafka key is its keyed fingerprint, not the number.
        const found = await this.call(identityContract.findUserByPhone, { phone: this.options.phoneForIdentity(request.recipientPhone) }, request.recipientPhone.fingerprint, `${id}:find-recipient`);
        if (found.status === 'rejected') {
          if (TRANSIENT.has(found.code)) return fail({ code: PAYMENT_ERROR.IDENTITY_UNAVAILABLE, message: `identity did not answer: ${found.message}` });
          return fail({ code: PAYMENT_ERROR.RECIPIENT_NOT_FOUND, message: 'no wallet user has this phone number', details: { reason: found.code } });
        }
        const recipientUserId = String(found.data?.userId);
        const wallet = await this.call(walletContract.getWalletByUser, { userId: recipientUserId }, recipientUserId, `${id}:recipient-wallet`);
        if (wallet.status === 'rejected') {
          if (TRANSIENT.has(wallet.code)) return fail({ code: PAYMENT_ERROR.WALLET_UNAVAILABLE, message: `wallet did not answer: ${wallet.message}` });
          return fail({ code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE, message: 'the recipient has no open wallet', details: { reason: wallet.code } });
        }
        const recipientWalletId = String(wallet.data?.walletId);
        if (wallet.data?.status !== 'active') return fail({ code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE, message: 'the recipient wallet is frozen', details: { reason: 'WALLET_FROZEN' } });
        if (recipientWalletId === request.walletId) return fail({ code: PAYMENT_ERROR.SELF_TRANSFER, message: 'a transfer needs another wallet' });
        return { record: { type: 'RecordRecipient', result: { ok: true, recipientUserId, recipientWalletId }, now } };
      }
      case 'verifying_password': {
        if (request.kind === 'refund' || request.kind === 'topup' || request.kind === 'provider_topup' || request.kind === 'counter') throw new Error(`${id}: ${step} in a ${request.kind}`);
        if (secrets.paymentPassword === undefined) {
          const ageMs = Date.parse(now) - Date.parse(state.initiatedAt);
          if (ageMs < this.options.passwordGraceMs) return { later: 'waiting for the client to resend the password' };
          // The reservation may have been asked for before the restart: whatever hold it made is released.
          const failure = { code: PAYMENT_ERROR.PAYMENT_INTERRUPTED, message: 'the service restarted before the payment password was checked' };
          // A payment settled in the wallet asks the wallet for nothing before its password is recorded.
          if (state.settlement === 'wallet') return { record: { type: 'RecordPasswordCheck', result: { ok: false, failure }, now } };
          return { record: { type: 'RecordAuthorization', password: { ok: false, failure }, reservation: { ok: false, uncertain: true, failure }, now } };
        }
        const purpose = request.kind === 'transfer' ? 'transfer' : 'payment';
        const checkPassword = async (): Promise<StepResult<object>> => {
          const password = await this.call(identityContract.verifyPaymentPassword, { userId: request.userId, paymentPassword: secrets.paymentPassword as string, purpose }, request.userId, `${id}:password`);
          if (password.status === 'accepted') return { ok: true };
          return { ok: false, failure: TRANSIENT.has(password.code) ? { code: PAYMENT_ERROR.IDENTITY_UNAVAILABLE, message: `identity did not answer: ${password.message}` } : failureOf(password) };
        };
        // Settling in the wallet moves the money at once, so it waits for the password's recorded success.
        if (state.settlement === 'wallet') return { record: { type: 'RecordPasswordCheck', result: await checkPassword(), now } };
        // The password check and the reservation go out together (one round trip instead of two); the
        // decider releases the hold if the password fails.
        const [password, reservation] = await Promise.all([checkPassword(), this.reserve(state)]);
        return { record: { type: 'RecordAuthorization', password, reservation, now } };
      }
      case 'reserving': {
        // A payment whose password was recorded before the reservation was asked for in the same round trip.
        return { record: { type: 'RecordReservation', result: await this.reserve(state), now } };
      }
      case 'confirming': {
        if (request.kind !== 'merchant') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        for (let attempt = 1; attempt <= this.options.stepAttempts; attempt++) {
          try {
            const answer = await this.options.acquirer.authorize({ paymentId: id, merchantId: request.merchantId, channel: request.channel, amountMinor: request.amountMinor });
            if (!answer.approved) {
              const declined = { ok: false, failure: { code: PAYMENT_ERROR.MERCHANT_DECLINED, message: answer.reason } } as const;
              return { record: { type: 'RecordAcquirerAnswer', result: declined, now: this.options.clock.now().toISOString() } };
            }
            // Approved: capture at once and record both with one append. Asked again after a crash, the
            // acquirer gives the same answer for the payment id and the wallet the same capture.
            const approval: PaymentCommand = { type: 'RecordAcquirerAnswer', result: { ok: true, authorizationCode: answer.authorizationCode }, now: this.options.clock.now().toISOString() };
            const capture = await this.capture(request, this.options.clock.now().toISOString());
            if ('later' in capture) return { record: approval };
            return { record: { type: 'RecordSteps', steps: [approval, capture.record] } };
          } catch (error) {
            if (!(error instanceof AcquirerUnavailable)) throw error;
          }
        }
        return { record: { type: 'RecordAcquirerAnswer', result: { ok: false, failure: { code: PAYMENT_ERROR.ACQUIRER_UNAVAILABLE, message: 'the merchant acquirer did not answer' } }, now: this.options.clock.now().toISOString() } };
      }
      case 'settling': {
        if (request.kind !== 'merchant') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        // One wallet decision reserves and captures; retried with the same hold id, it is the same payment.
        const result = await this.call(walletContract.payFromWallet, { ...this.holdOf(state), counterparty: `merchant:${request.merchantId}` }, request.walletId, `${id}:settle`, `user:${request.userId}`);
        if (result.status === 'accepted') return { record: { type: 'RecordSettlement', result: { ok: true, ...moneyOf(result) }, now } };
        // No answer: the money may have moved. Asked again later, never given up (nothing is held that could be released).
        if (TRANSIENT.has(result.code)) return { later: `settle: ${result.code}` };
        return { record: { type: 'RecordSettlement', result: { ok: false, failure: failureOf(result) }, now } };
      }
      case 'crediting_recipient': {
        if (request.kind !== 'transfer' || !state.recipient) throw new Error(`${id}: ${step} without a recipient`);
        const result = await this.call(
          walletContract.creditWallet,
          { walletId: state.recipient.walletId, creditId: `transfer-${id}`, amountMinor: request.amountMinor.toString(), reference: `transfer ${id} from wallet ${request.walletId}`, counterparty: 'clearing:transfer' },
          state.recipient.walletId,
          `${id}:credit-recipient`,
        );
        if (result.status === 'accepted') return { record: { type: 'RecordRecipientCredit', result: { ok: true, ...moneyOf(result) }, now } };
        // The sender's money is held: an unknown outcome is asked again later (the credit id makes it safe), never given up.
        if (TRANSIENT.has(result.code)) return { later: `credit recipient: ${result.code}` };
        return { record: { type: 'RecordRecipientCredit', result: { ok: false, failure: { code: PAYMENT_ERROR.RECIPIENT_WALLET_UNAVAILABLE, message: result.message, details: { reason: result.code } } }, now } };
      }
      case 'capturing': {
        if (request.kind === 'topup' || request.kind === 'refund') throw new Error(`${id}: ${step} in a ${request.kind}`);
        return this.capture(request, now);
      }
      case 'releasing': {
        if (request.kind === 'topup' || request.kind === 'refund') throw new Error(`${id}: ${step} in a ${request.kind}`);
        const result = await this.call(walletContract.releaseHold, { walletId: request.walletId, holdId: holdIdFor(id) }, request.walletId, `${id}:release`);
        // Released now, never made (HOLD_NOT_FOUND, WALLET_NOT_OPEN) or already expired: in every case no money is held any more.
        if (result.status === 'accepted' || !TRANSIENT.has(result.code)) return { record: { type: 'RecordRelease', now, holdFound: result.status === 'accepted' || result.code !== 'HOLD_NOT_FOUND' } };
        return { later: `release: ${result.code}` };
      }
      case 'checking_card': {
        if (request.kind !== 'topup') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const result = await this.call(cardsContract.checkCard, { cardId: request.cardId, userId: request.userId }, request.userId, `${id}:check-card`);
        if (result.status === 'accepted') return { record: { type: 'RecordCardCheck', result: { ok: true, last4: String(result.data?.last4), issuer: String(result.data?.issuer ?? 'ICBC') }, now } };
        const failure = TRANSIENT.has(result.code) ? { code: PAYMENT_ERROR.CARDS_UNAVAILABLE, message: `cards did not answer: ${result.message}` } : failureOf(result);
        return { record: { type: 'RecordCardCheck', result: { ok: false, failure }, now } };
      }
      case 'charging': {
        if (request.kind !== 'topup') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        // The issuer's token is never stored: asked for right before the charge (SPEC 11: checked when used).
        const token = await this.cardToken(request.cardId, request.userId, `${id}:charge-card`);
        if ('failure' in token) return token.definite ? { record: { type: 'RecordCardCharge', result: { ok: false, failure: token.failure }, now } } : { later: token.failure.code };
        try {
          const answer = await this.options.cards.charge(token.cardToken, request.amountMinor, `topup-${id}`);
          if (answer.outcome === 'approved') return { record: { type: 'RecordCardCharge', result: { ok: true, issuerReference: answer.issuerReference }, now } };
          return { record: { type: 'RecordCardCharge', result: { ok: false, failure: { code: PAYMENT_ERROR.CARD_CHARGE_DECLINED, message: 'the card issuer declined the charge', details: { reason: answer.reason } } }, now } };
        } catch (error) {
          // No answer: the card may have been charged. The same reference is asked again later; it never charges twice.
          return { later: `charge: ${String(error)}` };
        }
      }
      case 'crediting': {
        if (request.kind !== 'topup' && request.kind !== 'provider_topup' && request.kind !== 'counter') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const counterparty =
          request.kind === 'topup' ? `clearing:card:${state.card?.issuer ?? 'ICBC'}` : request.kind === 'provider_topup' ? `clearing:provider:${request.provider}` : `cash:branch:${request.branchId}`;
        const reference =
          request.kind === 'topup' ? `top-up ${id} from card ${request.cardId}` : request.kind === 'provider_topup' ? `top-up ${id} via ${request.provider}` : `cash top-up ${id} at branch ${request.branchId} by teller ${request.tellerId}`;
        const result = await this.call(
          walletContract.creditWallet,
          { walletId: request.walletId, creditId: `topup-${id}`, amountMinor: request.amountMinor.toString(), reference, counterparty },
          request.walletId,
          `${id}:credit`,
        );
        if (result.status === 'accepted') return { record: { type: 'RecordWalletCredit', result: { ok: true, ...moneyOf(result) }, now } };
        if (TRANSIENT.has(result.code)) return { later: `credit: ${result.code}` };
        return { record: { type: 'RecordWalletCredit', result: { ok: false, failure: failureOf(result) }, now } };
      }
      case 'awaiting_provider': {
        if (request.kind !== 'provider_topup') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        // The deadline is in the payment's first event; its persisted timer (provider_deadline) comes back when it passes.
        if (Date.parse(now) <= Date.parse(request.deadline)) return { later: 'waiting for the provider callback' };
        return { record: { type: 'RecordProviderExpiry', now } };
      }
      case 'awaiting_approval': {
        // The deadline is in the payment's first event; its persisted timer (approval_deadline) comes back when it passes.
        if (state.approval === undefined) throw new Error(`${id}: ${step} without an approval requirement`);
        if (Date.parse(now) <= Date.parse(state.approval.deadline)) return { later: "waiting for a supervisor's decision" };
        return { record: { type: 'RecordApprovalExpiry', now } };
      }
      case 'refunding_card': {
        if (request.kind !== 'topup') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const token = await this.cardToken(request.cardId, request.userId, `${id}:refund-card`);
        if ('failure' in token) return { later: `refund: ${token.failure.code}` };
        try {
          const answer = await this.options.cards.payout(token.cardToken, request.amountMinor, `topup-refund-${id}`);
          if (answer.outcome === 'approved') return { record: { type: 'RecordCardRefund', issuerReference: answer.issuerReference, now } };
          return { later: `refund declined: ${answer.reason}` };
        } catch (error) {
          return { later: `refund: ${String(error)}` };
        }
      }
      case 'checking_bill': {
        if (request.kind !== 'bill') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const fail = (failure: Failure): StepOutcome => ({ record: { type: 'RecordBillCheck', result: { ok: false, failure }, now } });
        for (let attempt = 1; attempt <= this.options.stepAttempts; attempt++) {
          try {
            const bill = await this.options.biller.checkBill(request.billerId, this.options.billReferenceForBiller(request.billReference));
            if (!bill.found) return fail({ code: PAYMENT_ERROR.BILL_NOT_FOUND, message: `biller ${request.billerId} knows no bill ${request.billReference.masked}` });
            if (bill.amountDueMinor !== undefined && bill.amountDueMinor !== request.amountMinor) {
              return fail({ code: PAYMENT_ERROR.BILL_AMOUNT_MISMATCH, message: 'the bill must be paid exactly', details: { amountDueMinor: bill.amountDueMinor.toString() } });
            }
            return { record: { type: 'RecordBillCheck', result: { ok: true }, now } };
          } catch (error) {
            if (!(error instanceof BillerUnavailable)) throw error;
          }
        }
        return fail({ code: PAYMENT_ERROR.BILLER_UNAVAILABLE, message: 'the biller did not answer the bill check' });
      }
      case 'paying_bill': {
        if (request.kind !== 'bill') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        for (let attempt = 1; attempt <= this.options.stepAttempts; attempt++) {
          try {
            const answer = await this.options.biller.payBill({ paymentId: id, billerId: request.billerId, billReference: this.options.billReferenceForBiller(request.billReference), amountMinor: request.amountMinor });
            const result = answer.accepted ? ({ ok: true, receipt: answer.receipt } as const) : ({ ok: false, failure: { code: PAYMENT_ERROR.BILLER_DECLINED, message: answer.reason } } as const);
            return { record: { type: 'RecordBillPayment', result, now: this.options.clock.now().toISOString() } };
          } catch (error) {
            if (!(error instanceof BillerUnavailable)) throw error;
          }
        }
        return { record: { type: 'RecordBillPayment', result: { ok: false, failure: { code: PAYMENT_ERROR.BILLER_UNAVAILABLE, message: 'the biller did not answer' } }, now: this.options.clock.now().toISOString() } };
      }
      case 'paying_out': {
        if (request.kind !== 'withdrawal') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        const token = await this.cardToken(request.cardId, request.userId, `${id}:payout-card`);
        if ('failure' in token) return token.definite ? { record: { type: 'RecordPayout', result: { ok: false, failure: token.failure }, now } } : { later: token.failure.code };
        try {
          const answer = await this.options.cards.payout(token.cardToken, request.amountMinor, `withdrawal-${id}`);
          if (answer.outcome === 'approved') return { record: { type: 'RecordPayout', result: { ok: true, issuerReference: answer.issuerReference }, now } };
          return { record: { type: 'RecordPayout', result: { ok: false, failure: { code: PAYMENT_ERROR.CARD_PAYOUT_DECLINED, message: 'the card issuer declined the payout', details: { reason: answer.reason } } }, now } };
        } catch (error) {
          // No answer: the money may have left. The same reference is asked again later; it never pays twice.
          return { later: `payout: ${String(error)}` };
        }
      }
      case 'claiming_refund': {
        if (request.kind !== 'refund') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        // The claim is decided on the original payment's stream with its expected revision, so concurrent refunds never exceed it.
        const original = streamOf(request.originalPaymentId);
        const claim = await this.options.handler.handle(original, { type: 'ClaimRefund', refundId: id, amountMinor: request.amountMinor, now }, { commandId: `${id}:claim`, correlationId: id, actor: 'system:payments', occurredAt: now });
        if (claim.kind === 'rejected') {
          const { code, message, details } = claim.rejection;
          return { record: { type: 'RecordRefundClaim', result: { ok: false, failure: details === undefined ? { code, message } : { code, message, details } }, now } };
        }
        const { state: paid } = await this.options.handler.load(original);
        if (paid.status === 'none' || paid.request.kind !== 'merchant') throw new Error(`${id}: claimed a refund on a payment that is not a merchant payment`);
        return { record: { type: 'RecordRefundClaim', result: { ok: true, walletId: paid.request.walletId, userId: paid.request.userId, merchantId: paid.request.merchantId }, now } };
      }
      case 'crediting_refund': {
        if (request.kind !== 'refund' || !state.refundTarget) throw new Error(`${id}: ${step} without a target`);
        const target = state.refundTarget;
        // The merchant gives the money back: merchant −x, wallet +x.
        const result = await this.call(
          walletContract.creditWallet,
          { walletId: target.walletId, creditId: `refund-${id}`, amountMinor: request.amountMinor.toString(), reference: `refund ${id} of payment ${request.originalPaymentId}`, counterparty: `merchant:${target.merchantId}` },
          target.walletId,
          `${id}:credit-refund`,
        );
        if (result.status === 'accepted') return { record: { type: 'RecordRefundCredit', result: { ok: true, ...moneyOf(result) }, now } };
        if (TRANSIENT.has(result.code)) return { later: `refund credit: ${result.code}` };
        return { record: { type: 'RecordRefundCredit', result: { ok: false, failure: failureOf(result) }, now } };
      }
      case 'releasing_refund_claim': {
        if (request.kind !== 'refund') throw new Error(`${id}: ${step} in a ${request.kind} payment`);
        await this.options.handler.handle(streamOf(request.originalPaymentId), { type: 'ReleaseRefundClaim', refundId: id, now }, { commandId: `${id}:release-claim`, correlationId: id, actor: 'system:payments', occurredAt: now });
        return { record: { type: 'RecordRefundClaimRelease', now } };
      }
      default: {
        const never: never = step;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }

  /** Asks the wallet to hold the payment's amount: the reservation's result as the decider records it. */
  private async reserve(state: ActivePaymentState): Promise<ReservationResult> {
    const request = state.request;
    if (request.kind === 'topup' || request.kind === 'refund' || request.kind === 'provider_topup' || request.kind === 'counter') throw new Error(`${request.paymentId}: a ${request.kind} reserves nothing`);
    const id = request.paymentId;
    // Every bound card is an ICBC card (cards refuses others), so a withdrawal clears through clearing:card:ICBC.
    const counterparty =
      request.kind === 'merchant' ? `merchant:${request.merchantId}` : request.kind === 'bill' ? `biller:${request.billerId}` : request.kind === 'transfer' ? 'clearing:transfer' : 'clearing:card:ICBC';
    const hold = this.holdOf(state);
    const result = await this.call(walletContract.reserveFunds, { ...hold, counterparty }, request.walletId, `${id}:reserve`, `user:${request.userId}`);
    if (result.status === 'accepted') return { ok: true, expiresAt: hold.expiresAt };
    if (TRANSIENT.has(result.code)) return { ok: false, uncertain: true, failure: { code: PAYMENT_ERROR.WALLET_UNAVAILABLE, message: `wallet did not answer: ${result.message}` } };
    return { ok: false, failure: failureOf(result) };
  }

  /**
   * The hold a payment asks the wallet for, derived from the payment's start, so every retry sends
   * the same payload (the wallet's idempotency key is the hold id).
   */
  private holdOf(state: ActivePaymentState): { walletId: string; holdId: string; amountMinor: string; expiresAt: string; reference: string } {
    const request = state.request;
    if (request.kind === 'refund') throw new Error(`${request.paymentId}: a refund holds nothing`);
    const expiresAt = new Date(Date.parse(state.initiatedAt) + this.options.holdTtlMs).toISOString();
    return { walletId: request.walletId, holdId: holdIdFor(request.paymentId), amountMinor: request.amountMinor.toString(), expiresAt, reference: `${request.kind} payment ${request.paymentId}` };
  }

  /** Captures the payment's hold: the capture's result to record, or `later` while the wallet does not answer. */
  private async capture({ walletId, paymentId, amountMinor }: { walletId: string; paymentId: string; amountMinor: bigint }, now: string): Promise<StepOutcome> {
    const result = await this.call(walletContract.captureHold, { walletId, holdId: holdIdFor(paymentId), amountMinor: amountMinor.toString() }, walletId, `${paymentId}:capture`);
    if (result.status === 'accepted') return { record: { type: 'RecordCapture', result: { ok: true, ...moneyOf(result) }, now } };
    // Approved by the acquirer (or the recipient already credited): the capture must happen, so a silent wallet is retried later, never given up.
    if (TRANSIENT.has(result.code)) return { later: `capture: ${result.code}` };
    if (result.code === 'HOLD_ALREADY_SETTLED' || result.code === 'HOLD_NOT_FOUND') {
      return { record: { type: 'RecordCapture', result: { ok: false, failure: { code: PAYMENT_ERROR.HOLD_EXPIRED, message: 'the hold was no longer open at capture', details: result.details } }, now } };
    }
    return { record: { type: 'RecordCapture', result: { ok: false, failure: failureOf(result) }, now } };
  }

  private async cardToken(cardId: string, userId: string, commandId: string): Promise<{ cardToken: string } | { failure: Failure; definite: boolean }> {
    const result = await this.call(cardsContract.checkCard, { cardId, userId }, userId, commandId);
    if (result.status === 'accepted') return { cardToken: String(result.data?.cardToken) };
    if (TRANSIENT.has(result.code)) return { failure: { code: PAYMENT_ERROR.CARDS_UNAVAILABLE, message: result.message }, definite: false };
    return { failure: failureOf(result), definite: true };
  }
}

function moneyOf(result: Extract<CommandResult, { status: 'accepted' }>): { transactionId: string; postings: Posting[] } {
  return { transactionId: String(result.data?.transactionId), postings: (result.data?.postings ?? []) as Posting[] };
}
