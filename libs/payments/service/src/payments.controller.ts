/**
 * The payments Kafka command handlers (`payments.commands.from.*`). PayMerchant records the payment's
 * start (idempotent by payment id), drives it to its outcome and answers with that outcome: accepted
 * with the postings when completed, rejected with the failure code when failed, accepted with
 * status "pending" when it is still in flight after `replyWithinMs` (it finishes in the background;
 * resend the same command or ask GetPayment).
 *
 * Who: the transport has already refused any sender or actor kind the command's contract does not
 * list (`senders` in `@ledger/contracts`: payments are started by users through the gateway, a
 * counter top-up by a teller, a refund by an internal system). Here, besides: `user:<id>` pays only
 * from their own account (userId = id; the wallet checks the wallet is theirs), a teller only
 * under their own id, and a supervisor decides on a counter top-up only under their own id (and
 * never on one they made: the decider's SELF_APPROVAL_FORBIDDEN). Otherwise FORBIDDEN.
 */
import { Controller } from '@nestjs/common';
import { TRANSPORT_ERROR, actorIdOf, paymentsContract, type CommandResult, type PayloadOf } from '@ledger/contracts';
import { CommandHandler, accepted, rejected, type CommandEnvelope } from '@ledger/messaging';
import { FieldDecryptionError } from '@ledger/crypto';
import { PAYMENT_ERROR, STEP_OUT_OF_ORDER, paymentStreamId, type ActivePaymentState, type PaymentCommand, type PaymentRequest, type PaymentState, type ProtectedValue } from '@ledger/payments-domain';
import { InvalidPageCursor, parsePositiveMinor } from '@ledger/util';
import { PaymentsRuntime } from './payments-runtime';
import { verifyProviderCallback } from './provider-signature';
import { AUDIT_UNAVAILABLE, supportAgentOf, type Viewed } from './support-access';

type Envelope<C extends (typeof paymentsContract.COMMANDS)[number]> = CommandEnvelope<PayloadOf<C>>;


/** A sealed personal field of a command, protected for keeping (see PersonalFields), or the refusal of a field that does not open. */
function protectedOrRefused(command: CommandEnvelope, field: paymentsContract.SecretField, protect: () => ProtectedValue): ProtectedValue | CommandResult {
  try {
    return protect();
  } catch (error) {
    if (error instanceof FieldDecryptionError) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, `${field} cannot be opened (${error.reason})`);
    throw error;
  }
}

/** What a client learns about a payment: status, and the outcome once there is one. */
export function paymentView(state: ActivePaymentState): Record<string, unknown> {
  const base: Record<string, unknown> = { paymentId: state.request.paymentId, kind: state.request.kind, status: state.status, amountMinor: state.request.amountMinor.toString() };
  if (state.request.kind === 'provider_topup') base.deadline = state.request.deadline;
  if (state.status === 'awaiting_approval' && state.approval) base.approvalDeadline = state.approval.deadline;
  if (state.request.kind === 'transfer') base.recipientPhoneMasked = state.request.recipientPhone.masked;
  if (state.completed) return { ...base, transactionIds: state.completed.transactionIds, postings: state.completed.postings, completedAt: state.completed.completedAt };
  if (state.failed) return { ...base, failure: state.failed.failure, holdReleased: state.failed.holdReleased, ...(state.failed.cardRefund ? { cardRefund: state.failed.cardRefund } : {}), failedAt: state.failed.failedAt };
  return base;
}

@Controller()
export class PaymentsController {
  constructor(private readonly runtime: PaymentsRuntime) {}

  /**
   * A support agent's look-up of a user's transactions is recorded before it is answered; a user's
   * own look-up is not. Answers the refusal (AUDIT_UNAVAILABLE) when the record cannot be written:
   * no unaudited access.
   */
  private async auditSupportAccess(command: CommandEnvelope, userId: string, viewed: Viewed): Promise<CommandResult | undefined> {
    const agentId = supportAgentOf(command.actor);
    if (agentId === undefined) return undefined;
    try {
      await this.runtime.supportAccess.record(
        { agentId, userId, viewed, at: this.runtime.clock.now().toISOString() },
        { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor },
      );
      return undefined;
    } catch (error) {
      return rejected(command, AUDIT_UNAVAILABLE, `the support access could not be audited, so it is refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private outcome(command: CommandEnvelope, state: ActivePaymentState): CommandResult {
    if (state.failed) return rejected(command, state.failed.failure.code, state.failed.failure.message, { ...state.failed.failure.details, ...paymentView(state) });
    return accepted(command, paymentView(state));
  }

  /** Starts (or finds) the payment, drives it, answers with its outcome, or `pending` after the wait bound. */
  private async start(command: CommandEnvelope, request: PaymentRequest, secrets: { paymentPassword?: string }, device?: { deviceId: string; stepUpCode?: string }): Promise<CommandResult> {
    const actorUser = actorIdOf(command.actor, 'user');
    // A refund is asked for by the merchant side (a system), never by the paying user.
    const payer = request.kind === 'refund' || request.kind === 'counter' ? undefined : request.userId;
    // A counter top-up is made by the teller named in it (audited: the actor is in every event's metadata).
    const teller = request.kind === 'counter' && command.actor === `teller:${request.tellerId}`;
    if (!teller && (actorUser !== undefined ? actorUser !== payer : actorIdOf(command.actor, 'system') === undefined)) {
      return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not start this ${request.kind}`);
    }
    const busy = this.admission(command, request.paymentId);
    if (busy) return busy;
    const now = this.runtime.clock.now().toISOString();
    if (device && 'userId' in request) {
      const refusal = await this.assessRisk(command, request.paymentId, request.userId, request.amountMinor, device, now);
      if (refusal) return refusal;
    }
    const started = await this.runtime.handler.handle(paymentStreamId(request.paymentId), { type: 'StartPayment', request, now }, {
      commandId: command.commandId,
      correlationId: command.correlationId,
      actor: command.actor,
      occurredAt: now,
    });
    if (started.kind === 'rejected') return rejected(command, started.rejection.code, started.rejection.message, started.rejection.details);
    return this.awaitOutcome(command, request.paymentId, secrets);
  }

  /**
   * Admission control: while this instance drives `maxActivePayments` payments, a payment it is not
   * driving is refused PAYMENTS_BUSY before anything is read or recorded, so the same command can be
   * sent again later. Beyond its capacity a service that queued everything would answer every
   * payment late (and fail many on downstream timeouts); refusing the excess at once keeps the
   * latency of the admitted ones at what the service can do. A resend of a payment being driven
   * joins that drive.
   */
  private admission(command: CommandEnvelope, paymentId: string): CommandResult | undefined {
    const { driver, maxActivePayments } = this.runtime;
    if (driver.isRunning(paymentId) || driver.runningCount < maxActivePayments) return undefined;
    return rejected(command, PAYMENT_ERROR.PAYMENTS_BUSY, `this payments instance is driving ${driver.runningCount} payments, its limit; send the payment again shortly`, {
      paymentId,
      retryAfterMs: PaymentsController.BUSY_RETRY_AFTER_MS,
    });
  }

  private static readonly BUSY_RETRY_AFTER_MS = 1_000;

  /**
   * Risk rules before a money-out payment starts (a payment that exists already was assessed when
   * it started). A `stepUpCode` (encrypted at the edge, forwarded to identity, never stored) is
   * checked by identity when the new-device rule asks for it. Codes: RISK_VELOCITY_EXCEEDED,
   * STEP_UP_REQUIRED, the step-up code's failures (INVALID_CODE, CODE_EXPIRED, CODE_ALREADY_USED,
   * CODE_ATTEMPTS_EXHAUSTED, CODE_NOT_REQUESTED), IDENTITY_UNAVAILABLE.
   */
  private async assessRisk(command: CommandEnvelope, paymentId: string, userId: string, amountMinor: bigint, device: { deviceId: string; stepUpCode?: string }, now: string): Promise<CommandResult | undefined> {
    const { state } = await this.runtime.handler.load(paymentStreamId(paymentId));
    if (state.status !== 'none') return undefined;
    const decision = await this.runtime.risk.assess(
      { userId, paymentId, amountMinor, deviceId: device.deviceId, now, ...(device.stepUpCode === undefined ? {} : { stepUpCode: device.stepUpCode }) },
      { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor },
    );
    if (decision.admitted) return undefined;
    return rejected(command, decision.code, decision.message, { paymentId, ...decision.details });
  }

  /** Drives the payment and answers with its outcome, or its current status after the wait bound (or while it waits for a provider). */
  private async awaitOutcome(command: CommandEnvelope, paymentId: string, secrets: { paymentPassword?: string }): Promise<CommandResult> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'pending'>((resolve) => {
      timer = setTimeout(() => resolve('pending'), this.runtime.replyWithinMs);
    });
    try {
      const state = await Promise.race([this.runtime.driver.drive(paymentId, secrets), waited]);
      if (state === 'pending' || state === undefined) return accepted(command, { paymentId, status: 'pending' });
      return this.outcome(command, state);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Codes: see `paymentsContract.payMerchant` (the failure codes of the payment, IDEMPOTENCY_KEY_REUSED, FORBIDDEN). */
  @CommandHandler(paymentsContract.payMerchant)
  payMerchant(command: Envelope<typeof paymentsContract.payMerchant>): Promise<CommandResult> {
    const p = command.payload;
    const request: PaymentRequest = {
      kind: 'merchant',
      paymentId: p.paymentId,
      userId: p.userId,
      walletId: p.walletId,
      merchantId: p.merchantId,
      channel: p.channel,
      amountMinor: parsePositiveMinor(p.amountMinor),
      description: p.description ?? '',
    };
    return this.start(command, request, { paymentPassword: p.paymentPassword }, { deviceId: p.deviceId, stepUpCode: p.stepUpCode });
  }

  /** Codes: see `paymentsContract.topUpFromCard`. */
  @CommandHandler(paymentsContract.topUpFromCard)
  topUpFromCard(command: Envelope<typeof paymentsContract.topUpFromCard>): Promise<CommandResult> {
    const p = command.payload;
    return this.start(command, { kind: 'topup', paymentId: p.paymentId, userId: p.userId, walletId: p.walletId, cardId: p.cardId, amountMinor: parsePositiveMinor(p.amountMinor) }, {});
  }

  /** Codes: see `paymentsContract.transfer`. */
  @CommandHandler(paymentsContract.transfer)
  transfer(command: Envelope<typeof paymentsContract.transfer>): Promise<CommandResult> {
    const p = command.payload;
    // Never kept in plain text: opened, then encrypted, masked and fingerprinted here; encrypted for identity for the lookup.
    const recipientPhone = protectedOrRefused(command, 'recipientPhone', () => this.runtime.personalFields.protectEncrypted(p.recipientPhone));
    if ('status' in recipientPhone) return Promise.resolve(recipientPhone);
    const request: PaymentRequest = {
      kind: 'transfer',
      paymentId: p.paymentId,
      userId: p.userId,
      walletId: p.walletId,
      recipientPhone,
      amountMinor: parsePositiveMinor(p.amountMinor),
      description: p.description ?? '',
    };
    return this.start(command, request, { paymentPassword: p.paymentPassword }, { deviceId: p.deviceId, stepUpCode: p.stepUpCode });
  }

  /** Codes: see `paymentsContract.withdraw`. */
  @CommandHandler(paymentsContract.withdraw)
  withdraw(command: Envelope<typeof paymentsContract.withdraw>): Promise<CommandResult> {
    const p = command.payload;
    return this.start(command, { kind: 'withdrawal', paymentId: p.paymentId, userId: p.userId, walletId: p.walletId, cardId: p.cardId, amountMinor: parsePositiveMinor(p.amountMinor) }, { paymentPassword: p.paymentPassword }, { deviceId: p.deviceId, stepUpCode: p.stepUpCode });
  }

  /** Codes: see `paymentsContract.payBill`. */
  @CommandHandler(paymentsContract.payBill)
  payBill(command: Envelope<typeof paymentsContract.payBill>): Promise<CommandResult> {
    const p = command.payload;
    const billReference = protectedOrRefused(command, 'billReference', () => this.runtime.personalFields.protectBillReference(p.billReference));
    if ('status' in billReference) return Promise.resolve(billReference);
    const request: PaymentRequest = { kind: 'bill', paymentId: p.paymentId, userId: p.userId, walletId: p.walletId, billerId: p.billerId, billReference, amountMinor: parsePositiveMinor(p.amountMinor) };
    return this.start(command, request, { paymentPassword: p.paymentPassword }, { deviceId: p.deviceId, stepUpCode: p.stepUpCode });
  }

  /** Accepted at once with status awaiting_provider and the deadline. Codes: IDEMPOTENCY_KEY_REUSED, FORBIDDEN. */
  @CommandHandler(paymentsContract.providerTopUp)
  providerTopUp(command: Envelope<typeof paymentsContract.providerTopUp>): Promise<CommandResult> {
    const p = command.payload;
    const deadline = new Date(this.runtime.clock.now().getTime() + this.runtime.providerDeadlineMs).toISOString();
    return this.start(command, { kind: 'provider_topup', paymentId: p.paymentId, userId: p.userId, walletId: p.walletId, provider: p.provider, amountMinor: parsePositiveMinor(p.amountMinor), deadline }, {});
  }

  /** Codes: INVALID_SIGNATURE, CALLBACK_MISMATCH, PAYMENT_NOT_FOUND, CALLBACK_AFTER_DEADLINE, the credit's failure codes. */
  @CommandHandler(paymentsContract.providerCallback)
  async providerCallback(command: Envelope<typeof paymentsContract.providerCallback>): Promise<CommandResult> {
    const p = command.payload;
    if (!verifyProviderCallback(this.runtime.providerSecret, p, p.signature)) return rejected(command, PAYMENT_ERROR.INVALID_SIGNATURE, 'the callback signature does not verify');
    const now = this.runtime.clock.now().toISOString();
    const recorded = await this.runtime.handler.handle(
      paymentStreamId(p.paymentId),
      { type: 'RecordProviderConfirmation', provider: p.provider, providerReference: p.providerReference, amountMinor: parsePositiveMinor(p.amountMinor), now },
      { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor, occurredAt: now },
    );
    if (recorded.kind === 'rejected') {
      const code = recorded.rejection.code === STEP_OUT_OF_ORDER ? PAYMENT_ERROR.PAYMENT_NOT_FOUND : recorded.rejection.code;
      return rejected(command, code, recorded.rejection.message, recorded.rejection.details);
    }
    const { state } = await this.runtime.handler.load(paymentStreamId(p.paymentId));
    if (state.status !== 'none' && state.lateCallbacks?.includes(p.providerReference)) {
      return rejected(command, PAYMENT_ERROR.CALLBACK_AFTER_DEADLINE, 'the callback came after the deadline; it is reported for reconciliation', { paymentId: p.paymentId, status: state.status });
    }
    return this.awaitOutcome(command, p.paymentId, {});
  }

  /** Codes: WALLET_NOT_OPEN, WALLET_FROZEN, BALANCE_CAP_EXCEEDED, IDEMPOTENCY_KEY_REUSED, FORBIDDEN (actor not teller:<tellerId> or system). */
  @CommandHandler(paymentsContract.counterTopUp)
  counterTopUp(command: Envelope<typeof paymentsContract.counterTopUp>): Promise<CommandResult> {
    const p = command.payload;
    return this.start(command, { kind: 'counter', paymentId: p.paymentId, userId: p.userId, walletId: p.walletId, branchId: p.branchId, tellerId: p.tellerId, amountMinor: parsePositiveMinor(p.amountMinor) }, {});
  }

  /** Codes: see `paymentsContract.approveCounterTopUp`. Answers the top-up's outcome once credited. */
  @CommandHandler(paymentsContract.approveCounterTopUp)
  async approveCounterTopUp(command: Envelope<typeof paymentsContract.approveCounterTopUp>): Promise<CommandResult> {
    const { paymentId, supervisorId } = command.payload;
    const refused = await this.recordSupervisorDecision(command, (now) => ({ type: 'RecordCounterApproval', supervisorId, now }));
    return refused ?? this.awaitOutcome(command, paymentId, {});
  }

  /** Codes: see `paymentsContract.rejectCounterTopUp`. Accepted: the rejection is recorded (the payment's view, status failed). */
  @CommandHandler(paymentsContract.rejectCounterTopUp)
  async rejectCounterTopUp(command: Envelope<typeof paymentsContract.rejectCounterTopUp>): Promise<CommandResult> {
    const { paymentId, supervisorId, reason } = command.payload;
    const refused = await this.recordSupervisorDecision(command, (now) => ({ type: 'RecordCounterRejection', supervisorId, reason, now }));
    if (refused) return refused;
    const state = await this.runtime.driver.stateOf(paymentId);
    if (state.status === 'none') return rejected(command, PAYMENT_ERROR.PAYMENT_NOT_FOUND, `no payment ${paymentId}`);
    // A decision that came after the deadline expired the top-up instead: that is the answer.
    return state.failed?.failure.code === PAYMENT_ERROR.COUNTER_TOP_UP_REJECTED ? accepted(command, paymentView(state)) : this.outcome(command, state);
  }

  /**
   * Records a supervisor's decision on a counter top-up awaiting approval, as that supervisor (the
   * actor, in the event's metadata, must be `supervisor:<supervisorId>`); the refusal, if any.
   */
  private async recordSupervisorDecision(
    command: CommandEnvelope<{ paymentId: string; supervisorId: string }>,
    decision: (now: string) => PaymentCommand,
  ): Promise<CommandResult | undefined> {
    const { paymentId, supervisorId } = command.payload;
    if (command.actor !== `supervisor:${supervisorId}`) return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not decide as supervisor ${supervisorId}`);
    const now = this.runtime.clock.now().toISOString();
    const recorded = await this.runtime.handler.handle(paymentStreamId(paymentId), decision(now), { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor, occurredAt: now });
    if (recorded.kind !== 'rejected') return undefined;
    // The decider answers STEP_OUT_OF_ORDER only for a payment that does not exist.
    const code = recorded.rejection.code === STEP_OUT_OF_ORDER ? PAYMENT_ERROR.PAYMENT_NOT_FOUND : recorded.rejection.code;
    return rejected(command, code, recorded.rejection.message, recorded.rejection.details);
  }

  /** Codes: see `paymentsContract.refundPayment`. */
  @CommandHandler(paymentsContract.refundPayment)
  refundPayment(command: Envelope<typeof paymentsContract.refundPayment>): Promise<CommandResult> {
    const p = command.payload;
    return this.start(command, { kind: 'refund', paymentId: p.refundId, originalPaymentId: p.paymentId, amountMinor: parsePositiveMinor(p.amountMinor), reason: p.reason ?? '' }, {});
  }

  /** Query. Codes: PAYMENT_NOT_FOUND, FORBIDDEN (a user asking about another user's payment). */
  @CommandHandler(paymentsContract.getPayment)
  async getPayment(command: Envelope<typeof paymentsContract.getPayment>): Promise<CommandResult> {
    const state: PaymentState = await this.runtime.driver.stateOf(command.payload.paymentId);
    if (state.status === 'none') return rejected(command, 'PAYMENT_NOT_FOUND', `no payment ${command.payload.paymentId}`);
    const actorUser = actorIdOf(command.actor, 'user');
    const owner = state.request.kind === 'refund' ? state.refundTarget?.userId : state.request.userId;
    if (actorUser !== undefined && actorUser !== owner) return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not see this payment`);
    // A refund whose claim is not granted yet belongs to no user: there is nobody's trail to write to.
    if (owner !== undefined) {
      const refusal = await this.auditSupportAccess(command, owner, { kind: 'payment', paymentId: command.payload.paymentId });
      if (refusal) return refusal;
    }
    return accepted(command, paymentView(state));
  }

  /**
   * Query: the user's payments, newest first, bounded pages (read model, eventually consistent).
   * Codes: FORBIDDEN (not the user themself nor support), INVALID_COMMAND (a malformed cursor).
   */
  @CommandHandler(paymentsContract.listUserPayments)
  async listUserPayments(command: Envelope<typeof paymentsContract.listUserPayments>): Promise<CommandResult> {
    const { userId, limit, before } = command.payload;
    if (actorIdOf(command.actor, 'user') !== userId && supportAgentOf(command.actor) === undefined) return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not list the payments of ${userId}`);
    const refusal = await this.auditSupportAccess(command, userId, { kind: 'list', ...(limit === undefined ? {} : { limit }), ...(before === undefined ? {} : { before }) });
    if (refusal) return refusal;
    try {
      return accepted(command, { ...(await this.runtime.userPayments.list(userId, limit, before)) });
    } catch (error) {
      if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }

  /**
   * Query: who in support looked at the user's transactions, newest first, bounded pages (read from
   * `supportaudit-<userId>`, always current). Codes: FORBIDDEN (not the user themself nor support),
   * INVALID_COMMAND (a malformed cursor).
   */
  @CommandHandler(paymentsContract.listSupportAccess)
  async listSupportAccess(command: Envelope<typeof paymentsContract.listSupportAccess>): Promise<CommandResult> {
    const { userId, limit, before } = command.payload;
    if (actorIdOf(command.actor, 'user') !== userId && supportAgentOf(command.actor) === undefined) return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not see the support access of ${userId}`);
    try {
      return accepted(command, { ...(await this.runtime.supportAccess.list(userId, limit, before)) });
    } catch (error) {
      if (error instanceof InvalidPageCursor) return rejected(command, TRANSPORT_ERROR.INVALID_COMMAND, error.message);
      throw error;
    }
  }
}
