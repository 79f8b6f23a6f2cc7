/**
 * Risk rules before money moves (the decider is `createRiskDecider` in the domain lib): assessment
 * on the user's stream `risk-<userId>` (event store schema `payments`, category `risk`), and the
 * forwarding of every hit to identity as `identity.RaiseRiskAlert.v1`.
 *
 * Forwarding follows the `risk` category with a checkpoint after each batch, so an alert recorded
 * just before a crash is still sent after the restart (at least once; the command id is derived
 * from the event id, so identity sees a repeat as the same command).
 */
import { identityContract, TRANSPORT_ERROR } from '@ledger/contracts';
import { DeciderHandler, type EventCodec, type EventData, type EventStore, type RecordedEvent, type Subscription } from '@ledger/event-store';
import type { KafkaCommandClient } from '@ledger/messaging';
import { createRiskDecider, riskStreamOf, riskVerdict, type RiskCommand, type RiskEvent, type RiskPolicy, type RiskState } from '@ledger/payments-domain';

export const RISK_ALERTS_SUBSCRIPTION = 'payments-risk-alerts';
const PREFIX = 'payments.';
const SUFFIX = '.v1';

export const riskCodec: EventCodec<RiskEvent> = {
  encode: (event) => ({ type: `${PREFIX}${event.type}${SUFFIX}`, data: { ...event.data, amountMinor: event.data.amountMinor.toString() } as unknown as EventData }),
  decode: (record: RecordedEvent): RiskEvent => {
    const short = record.type.startsWith(PREFIX) && record.type.endsWith(SUFFIX) ? record.type.slice(PREFIX.length, -SUFFIX.length) : '';
    if (short !== 'PaymentAdmitted' && short !== 'RiskAlertRaised') throw new Error(`${record.stream}@${record.revision}: ${record.type} is not a risk event`);
    return { type: short, data: { ...record.data, amountMinor: BigInt(String(record.data.amountMinor)) } } as unknown as RiskEvent;
  },
};

export type RiskDecision = { admitted: true } | { admitted: false; code: string; message: string; details: Record<string, unknown> };

export class RiskRules {
  private readonly handler: DeciderHandler<RiskCommand, RiskEvent, RiskState>;
  private alerts?: Subscription;
  private running = false;

  constructor(
    private readonly store: EventStore,
    readonly policy: Readonly<RiskPolicy>,
    private readonly options: { client: KafkaCommandClient; pollIntervalMs?: number; log: (message: string) => void },
  ) {
    // Concurrent payments of one user contend on their risk stream: allow more retries than the default.
    this.handler = new DeciderHandler({ store, decider: createRiskDecider(policy), codec: riskCodec, maxAttempts: 50 });
  }

  /**
   * Assesses a payment before it starts. `commandId` is the incoming command's id, so a resend of
   * the same refused command (same id) is answered the same, while a new attempt (new id, e.g. after
   * waiting a minute) is assessed again. Codes: RISK_VELOCITY_EXCEEDED, STEP_UP_REQUIRED.
   */
  async assess(command: Omit<RiskCommand, 'type'>, metadata: { commandId: string; correlationId: string; actor: string }): Promise<RiskDecision> {
    const outcome = await this.handler.handle(riskStreamOf(command.userId), { type: 'AssessPayment', ...command }, { ...metadata, commandId: `risk:${metadata.commandId}`, occurredAt: command.now });
    if (outcome.kind === 'rejected') return { admitted: false, code: outcome.rejection.code, message: outcome.rejection.message, details: {} };
    const verdict = riskVerdict(outcome.events);
    if (verdict.admitted) return verdict;
    return { admitted: false, code: verdict.code, message: verdict.message, details: { rule: verdict.rule } };
  }

  /** Starts forwarding recorded alerts to identity; restarted after a failure while running. */
  start(): void {
    this.running = true;
    this.alerts = this.store.subscribe({
      name: RISK_ALERTS_SUBSCRIPTION,
      category: 'risk',
      pollIntervalMs: this.options.pollIntervalMs,
      batchSize: 50,
      onError: (error) => {
        this.options.log(`risk alert forwarding failed, restarting in 1 s: ${String(error)}`);
        if (this.running) setTimeout(() => this.running && this.start(), 1_000).unref();
      },
      handle: async (events) => {
        for (const event of events) if (event.type === `${PREFIX}RiskAlertRaised${SUFFIX}`) await this.forward(event);
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
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await this.options.client.send(identityContract.raiseRiskAlert, payload, { key: data.userId, actor: 'system:payments', commandId: `risk-alert:${event.id}`, correlationId: data.paymentId, timeoutMs: 10_000 });
      if (result.status === 'accepted') return;
      if (result.code !== TRANSPORT_ERROR.TIMEOUT && result.code !== TRANSPORT_ERROR.PROCESSING_FAILED) {
        this.options.log(`risk alert for ${data.userId} refused by identity: ${result.code}`);
        return;
      }
    }
    throw new Error(`identity did not take the risk alert ${event.id}`);
  }
}
