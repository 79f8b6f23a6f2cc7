import { isRejection, nowInstant, type Instant } from '@ledger/util';
import { actorIdOf, identityContract, type CommandResult } from '@ledger/contracts';
import { commandMetadata } from '@ledger/event-store';
import { rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import { PAYMENT_ERROR, paymentStreamId, type PaymentRequest } from '@ledger/payments-domain';
import type { PaymentSecrets } from '../payment-driver';
import type { PaymentsRuntime } from '../payments-runtime';
import { awaitOutcome } from './outcome';

/** The device a money-out payment comes from, and the SMS step-up code its client sent, if any (sealed for identity). */
export interface PaymentDevice {
  deviceId: string;
  stepUpCode?: string;
}

/** How long a client refused PAYMENTS_BUSY waits before sending the same payment again. */
const BUSY_RETRY_AFTER_MS = 1_000;

/**
 * Starts (or finds) the payment, drives it, answers with its outcome, or `pending` after the wait
 * bound. Who: a user pays only from their own account, a counter top-up is made by the teller named
 * in it, anything else only by an internal system (the transport has already refused the actor
 * kinds the contract does not list); otherwise FORBIDDEN. Whether the risk assessment found the
 * device new joins the request's secrets, so the password check can tell identity without a read.
 */
export async function startPayment(
  runtime: PaymentsRuntime,
  command: CommandEnvelope,
  request: PaymentRequest,
  secrets: Omit<PaymentSecrets, 'newDevice'>,
  device?: PaymentDevice,
): Promise<CommandResult> {
  const actorUser = actorIdOf(command.actor, 'user');
  const merchant = actorIdOf(command.actor, 'merchant');
  // A refund is asked for by the merchant side (the merchant, or a system), never by the paying user.
  const payer = request.kind === 'refund' || request.kind === 'counter' ? undefined : request.userId;
  // A counter top-up is made by the teller named in it (audited: the actor is in every event's metadata).
  const teller = request.kind === 'counter' && command.actor === `teller:${request.tellerId}`;
  if (merchant !== undefined) {
    const refusal = await merchantRefundRefusal(runtime, command, merchant, request);
    if (refusal) return refusal;
  } else if (!teller && (actorUser !== undefined ? actorUser !== payer : actorIdOf(command.actor, 'system') === undefined)) {
    return rejected(command, PAYMENT_ERROR.FORBIDDEN, `${command.actor} may not start this ${request.kind}`);
  }
  const busy = admission(runtime, command, request.paymentId);
  if (busy) return busy;
  const now = nowInstant(runtime.clock);
  let newDevice: boolean | undefined;
  if (device && 'userId' in request && !refusedAtStart(runtime, request, now)) {
    const assessed = await assessRisk(runtime, command, request.paymentId, request.userId, request.amountMinor, device, now);
    if ('refusal' in assessed) return assessed.refusal;
    newDevice = assessed.newDevice;
  }
  const started = await runtime.handler.handle(
    paymentStreamId(request.paymentId),
    { type: 'StartPayment', request, now },
    commandMetadata(command, now),
  );
  if (started.kind === 'rejected') return rejectedBy(command, started.rejection);
  const outcome = await awaitOutcome(runtime, command, request.paymentId, newDevice === undefined ? secrets : { ...secrets, newDevice });
  // A new device the second factor refused does not become known by that refusal: the next payment from it is asked again.
  if (newDevice === true && device && 'userId' in request && outcome.status === 'rejected' && SECOND_FACTOR_REFUSALS.has(outcome.code))
    await runtime.risk.forgetDevice(
      { userId: request.userId, paymentId: request.paymentId, deviceId: device.deviceId, now },
      { commandId: command.commandId, correlationId: command.correlationId, actor: 'system:payments' },
    );
  return outcome;
}

/** Identity's refusals of a payment for the user's second factor. */
const SECOND_FACTOR_REFUSALS: ReadonlySet<string> = new Set(identityContract.SECOND_FACTOR_REJECTS);

/**
 * A merchant (the gateway checked its API key) starts only refunds, and only of its own payments:
 * FORBIDDEN for anything else, PAYMENT_NOT_FOUND, NOT_MERCHANTS_PAYMENT. How much is left to refund
 * is the refund's own decision on the original payment.
 */
async function merchantRefundRefusal(
  runtime: PaymentsRuntime,
  command: CommandEnvelope,
  merchantId: string,
  request: PaymentRequest,
): Promise<CommandResult | undefined> {
  if (request.kind !== 'refund') return rejected(command, PAYMENT_ERROR.FORBIDDEN, `a merchant may not start a ${request.kind}`);
  const original = await runtime.driver.stateOf(request.originalPaymentId);
  if (original.status === 'none') return rejected(command, PAYMENT_ERROR.PAYMENT_NOT_FOUND, `no payment ${request.originalPaymentId}`);
  if (original.request.kind !== 'merchant' || original.request.merchantId !== merchantId)
    return rejected(
      command,
      PAYMENT_ERROR.NOT_MERCHANTS_PAYMENT,
      `payment ${request.originalPaymentId} was not made to merchant ${merchantId}`,
    );
  return undefined;
}

/**
 * What counts toward the velocity limit: payments that could go ahead. One the payment decider
 * refuses at its start for the user's own input (an unknown merchant or biller, a channel the
 * merchant does not take) is recorded as failed without being assessed, so a mistyped merchant
 * code does not lock the user out of paying for a minute. A transfer to a phone number no wallet
 * user has does count, on purpose: answering RECIPIENT_NOT_FOUND tells whether a number is
 * registered, and the velocity limit is what bounds how fast anyone can ask.
 */
function refusedAtStart(runtime: PaymentsRuntime, request: PaymentRequest, now: Instant): boolean {
  const decided = runtime.decider.decide({ type: 'StartPayment', request, now }, runtime.decider.initialState());
  return !isRejection(decided) && decided.some((event) => event.type === 'PaymentFailed');
}

/**
 * Admission control: while this instance drives `maxActivePayments` payments, a payment it is not
 * driving is refused PAYMENTS_BUSY before anything is read or recorded, so the same command can be
 * sent again later. Beyond its capacity a service that queued everything would answer every
 * payment late (and fail many on downstream timeouts); refusing the excess at once keeps the
 * latency of the admitted ones at what the service can do. A resend of a payment being driven
 * joins that drive.
 */
function admission(runtime: PaymentsRuntime, command: CommandEnvelope, paymentId: string): CommandResult | undefined {
  const { driver, maxActivePayments } = runtime;
  if (driver.isRunning(paymentId) || driver.runningCount < maxActivePayments) return undefined;
  return rejected(
    command,
    PAYMENT_ERROR.PAYMENTS_BUSY,
    `this payments instance is driving ${driver.runningCount} payments, its limit; send the payment again shortly`,
    {
      paymentId,
      retryAfterMs: BUSY_RETRY_AFTER_MS,
    },
  );
}

/**
 * Risk rules before a money-out payment starts (a payment that exists already was assessed when
 * it started). A `stepUpCode` (encrypted at the edge, forwarded to identity, never stored) is
 * checked by identity when the new-device rule asks for it. Codes: RISK_VELOCITY_EXCEEDED,
 * STEP_UP_REQUIRED, the step-up code's failures (INVALID_CODE, CODE_EXPIRED, CODE_ALREADY_USED,
 * CODE_ATTEMPTS_EXHAUSTED, CODE_NOT_REQUESTED), IDENTITY_UNAVAILABLE. Admitted, it says whether the
 * device was new to the user's payments (undefined when this request did not assess the payment).
 */
async function assessRisk(
  runtime: PaymentsRuntime,
  command: CommandEnvelope,
  paymentId: string,
  userId: string,
  amountMinor: bigint,
  device: PaymentDevice,
  now: string,
): Promise<{ refusal: CommandResult } | { newDevice: boolean | undefined }> {
  const { state } = await runtime.handler.load(paymentStreamId(paymentId));
  if (state.status !== 'none') return { newDevice: undefined };
  const decision = await runtime.risk.assess(
    {
      userId,
      paymentId,
      amountMinor,
      deviceId: device.deviceId,
      now,
      ...(device.stepUpCode === undefined ? {} : { stepUpCode: device.stepUpCode }),
    },
    { commandId: command.commandId, correlationId: command.correlationId, actor: command.actor },
  );
  if (decision.admitted) return { newDevice: decision.newDevice };
  return { refusal: rejected(command, decision.code, decision.message, { paymentId, ...decision.details }) };
}
