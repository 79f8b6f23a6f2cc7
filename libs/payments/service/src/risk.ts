/**
 * Risk rules before money moves (the decider is `createRiskDecider` in the domain lib): assessment
 * on the user's stream `risk-<userId>` (event store schema `payments`, category `risk`), and the
 * forwarding of every hit to identity as `identity.RaiseRiskAlert.v1`.
 *
 * Forwarding follows the `risk` category with a checkpoint after each batch, so an alert recorded
 * just before a crash is still sent after the restart (at least once; the command id is derived
 * from the event id, so identity sees a repeat as the same command).
 */
import { identityContract } from '@ledger/contracts';
import {
  DeciderHandler,
  followerPacing,
  type EventCodec,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import { isUnanswered, sendWithResends, type KafkaCommandClient } from '@ledger/messaging';
import { instantMs, isRejection, type RetryPolicy } from '@ledger/util';
import { paymentsStoreCodec, storedPaymentsName } from './payment-codec';
import {
  PAYMENT_ERROR,
  createRiskDecider,
  riskStreamOf,
  riskVerdict,
  type RiskCommand,
  type RiskEvent,
  type RiskPolicy,
  type RiskState,
} from '@ledger/payments-domain';

export const RISK_ALERTS_SUBSCRIPTION = 'payments-risk-alerts';
/** Risk events share the payments store and its naming (`payments.<Type>.v1`). */
export const riskCodec: EventCodec<RiskEvent> = paymentsStoreCodec<RiskEvent>(
  'risk',
  new Set(['PaymentAdmitted', 'DeviceForgotten', 'RiskAlertRaised']),
);

/**
 * An admission says whether the device was new to the user's payments (undefined when not known:
 * the payment was admitted by an earlier command), which the payment forwards to identity.
 */
export type RiskDecision =
  { admitted: true; newDevice?: boolean } | { admitted: false; code: string; message: string; details: Record<string, unknown> };

/** The assessment of one payment; `stepUpCode` is the encrypted SMS code the client sent, if any (forwarded to identity, never stored). */
type Assessment = Extract<RiskCommand, { type: 'AssessPayment' }>;
export type RiskAssessment = Omit<Assessment, 'type' | 'stepUpVerified'> & { stepUpCode?: string };

/** Identity's answers to the step-up check and to alerts: three tries, 200 ms then 400 ms apart. */
const IDENTITY_RESENDS: RetryPolicy = { attempts: 3, firstDelayMs: 200, maxDelayMs: 2_000 };

export class RiskRules {
  private readonly handler: DeciderHandler<RiskCommand, RiskEvent, RiskState>;
  private readonly decider: ReturnType<typeof createRiskDecider>;
  private alerts?: Subscription;
  private running = false;

  constructor(
    private readonly store: EventStore,
    readonly policy: Readonly<RiskPolicy>,
    private readonly options: { client: KafkaCommandClient; pollIntervalMs?: number; log: (message: string) => void },
  ) {
    // Concurrent payments of one user contend on their risk stream: allow more retries than the default.
    this.decider = createRiskDecider(policy);
    this.handler = new DeciderHandler({ store, decider: this.decider, codec: riskCodec, maxAttempts: 50 });
  }

  /**
   * Assesses a payment before it starts. `commandId` is the incoming command's id, so a resend of
   * the same refused command (same id) is answered the same, while a new attempt (new id, e.g. after
   * waiting a minute) is assessed again. When the new-device rule would ask for step-up and the
   * command carries a step-up code, identity verifies it first (`identity.VerifyStepUpCode.v1`,
   * which also makes the device known to identity); a valid code lets the payment through, a
   * refused one refuses it with identity's code (nothing recorded here). The code is checked only
   * when it is needed, so it is not used up by a payment that does not need it.
   * Codes: RISK_VELOCITY_EXCEEDED, STEP_UP_REQUIRED, identity's code failures, IDENTITY_UNAVAILABLE.
   */
  async assess(assessment: RiskAssessment, metadata: { commandId: string; correlationId: string; actor: string }): Promise<RiskDecision> {
    const { stepUpCode, ...payment } = assessment;
    let stepUpVerified = false;
    if (stepUpCode !== undefined && (await this.wouldAskForStepUp(payment))) {
      const refusal = await this.verifyStepUp(payment, stepUpCode, metadata);
      if (refusal) return refusal;
      stepUpVerified = true;
    }
    const command: Assessment = { type: 'AssessPayment', ...payment, stepUpVerified };
    const outcome = await this.handler.handle(riskStreamOf(command.userId), command, {
      ...metadata,
      commandId: `risk:${metadata.commandId}`,
      occurredAt: command.now,
    });
    if (outcome.kind === 'rejected')
      return { admitted: false, code: outcome.rejection.code, message: outcome.rejection.message, details: {} };
    const verdict = riskVerdict(outcome.events);
    if (verdict.admitted) return verdict;
    // A velocity refusal says when to try again (the gateway turns it into Retry-After).
    const retry =
      verdict.retryAt === undefined
        ? {}
        : { retryAt: verdict.retryAt, retryAfterMs: Math.max(0, instantMs(verdict.retryAt) - instantMs(command.now)) };
    return { admitted: false, code: verdict.code, message: verdict.message, details: { rule: verdict.rule, ...retry } };
  }

  /** A dry run on the current state: would this payment be refused STEP_UP_REQUIRED without a step-up? */
  private async wouldAskForStepUp(payment: Omit<Assessment, 'type' | 'stepUpVerified'>): Promise<boolean> {
    const { state } = await this.handler.load(riskStreamOf(payment.userId));
    const decided = this.decider.decide({ type: 'AssessPayment', ...payment, stepUpVerified: false }, state);
    if (isRejection(decided)) return false;
    const verdict = riskVerdict(decided);
    return !verdict.admitted && verdict.code === PAYMENT_ERROR.STEP_UP_REQUIRED;
  }

  /** Asks identity to check the step-up code; undefined when it is valid, else the refusal. */
  private async verifyStepUp(
    payment: Omit<Assessment, 'type' | 'stepUpVerified'>,
    stepUpCode: string,
    metadata: { commandId: string; correlationId: string },
  ): Promise<RiskDecision | undefined> {
    const payload = { userId: payment.userId, deviceId: payment.deviceId, stepUpCode };
    // The incoming command's id: a redelivered command is answered by identity from its history, a new attempt (new code) is checked anew.
    const options = {
      key: payment.userId,
      actor: 'system:payments',
      commandId: `step-up:${metadata.commandId}`,
      correlationId: metadata.correlationId,
      timeoutMs: 10_000,
    };
    const result = await sendWithResends(this.options.client, identityContract.verifyStepUpCode, payload, options, IDENTITY_RESENDS);
    if (result.status === 'accepted') return undefined;
    const details = { rule: 'new_device', stepUp: 'rejected', ...result.details };
    if (isUnanswered(result))
      return {
        admitted: false,
        code: PAYMENT_ERROR.IDENTITY_UNAVAILABLE,
        message: `identity did not answer the step-up check: ${result.message}`,
        details,
      };
    return { admitted: false, code: result.code, message: result.message, details };
  }

  /**
   * Forgets a device whose first payment the user's second factor refused, so the next payment from
   * it is new again (and asked for the dynamic code). Rare: only such a refusal costs this append.
   */
  async forgetDevice(
    device: { userId: string; paymentId: string; deviceId: string; now: string },
    metadata: { commandId: string; correlationId: string; actor: string },
  ): Promise<void> {
    await this.handler.handle(
      riskStreamOf(device.userId),
      { type: 'ForgetDevice', ...device },
      { ...metadata, commandId: `forget-device:${metadata.commandId}`, occurredAt: device.now },
    );
  }

  /** Starts forwarding recorded alerts to identity; restarted after a failure while running. */
  start(): void {
    this.running = true;
    this.alerts = this.store.subscribe({
      name: RISK_ALERTS_SUBSCRIPTION,
      category: 'risk',
      // Alerts are forwarded for people to look at: nobody waits on them.
      ...followerPacing(this.options.pollIntervalMs),
      batchSize: 50,
      onError: (error) => {
        this.options.log(`risk alert forwarding failed, restarting in 1 s: ${String(error)}`);
        if (this.running) setTimeout(() => this.running && this.start(), 1_000).unref();
      },
      handle: async (events) => {
        for (const event of events) if (event.type === storedPaymentsName('RiskAlertRaised')) await this.forward(event);
      },
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.alerts?.stop();
  }

  /** Sends one alert (bounded resends of the same command id); a definite refusal is logged and skipped, silence throws (the batch is retried). */
  private async forward(event: RecordedEvent): Promise<void> {
    const data = event.data as { userId: string; paymentId: string; rule: string; code: string; description: string; deviceId: string };
    const payload = {
      userId: data.userId,
      signal: 'suspicious_transactions' as const,
      severity: data.rule === 'velocity' ? ('medium' as const) : ('low' as const),
      description: `payments risk rule ${data.rule} (${data.code}) on payment ${data.paymentId}: ${data.description}`.slice(0, 500),
      protect: false,
    };
    const options = {
      key: data.userId,
      actor: 'system:payments',
      commandId: `risk-alert:${event.id}`,
      correlationId: data.paymentId,
      timeoutMs: 10_000,
    };
    const result = await sendWithResends(this.options.client, identityContract.raiseRiskAlert, payload, options, IDENTITY_RESENDS);
    if (isUnanswered(result)) throw new Error(`identity did not take the risk alert ${event.id}`);
    if (result.status === 'rejected') this.options.log(`risk alert for ${data.userId} refused by identity: ${result.code}`);
  }
}
