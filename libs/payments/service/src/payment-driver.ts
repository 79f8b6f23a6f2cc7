import { nowInstant } from '@ledger/util';
/**
 * Executes the process manager: reads a payment's state, performs the step it names (one executor
 * per step under `steps/`: a Kafka command to identity, cards or wallet, a call to a partner port),
 * and records the step's definite result through the decider. Every downstream command id is
 * derived from the payment id and the step (`<paymentId>:reserve`), so a step retried after a crash
 * or by a second driver is answered by the downstream service from its own history and has no
 * second effect.
 */
import { STEP_OUT_OF_ORDER, nextStep, paymentStreamId, type ActivePaymentState, type PaymentState } from '@ledger/payments-domain';
import { STEP_EXECUTORS, StepContext, type DriverOptions, type PaymentSecrets } from './steps';

export type { DriverOptions, PaymentSecrets } from './steps';

export class PaymentDriver {
  /** One drive per payment at a time in this instance (other instances are settled by the stream's revision). */
  private readonly running = new Map<string, Promise<ActivePaymentState | undefined>>();
  private static readonly MAX_STEPS = 20;

  private readonly context: StepContext;

  constructor(private readonly options: DriverOptions) {
    this.context = new StepContext(options);
  }

  isRunning(paymentId: string): boolean {
    return this.running.has(paymentId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  async stateOf(paymentId: string): Promise<PaymentState> {
    return (await this.options.handler.load(paymentStreamId(paymentId))).state;
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
    const stream = paymentStreamId(paymentId);
    for (let i = 0; i < PaymentDriver.MAX_STEPS; i++) {
      // This instance's own view (no read): a step it acts on is recorded through the decider, which
      // finds out if another instance moved the payment on meanwhile.
      const { state } = await this.options.handler.loadCached(stream);
      if (state.status === 'none') return undefined;
      const step = nextStep(state);
      // The outcome is recorded. (A step that crashes half-way is resumed by the payment's timer, which
      // follows the recorded events: see payment-timers.ts.)
      if (step === undefined) return state;
      const outcome = await STEP_EXECUTORS[step](this.context, { state, secrets, now: nowInstant(this.options.clock) });
      if ('later' in outcome) {
        if (step !== 'awaiting_provider' && step !== 'awaiting_approval')
          this.options.log(`payment ${paymentId}: ${step} postponed (${outcome.later})`);
        return state;
      }
      const now = nowInstant(this.options.clock);
      const recorded = await this.options.handler.handle(stream, outcome.record, {
        commandId: `${paymentId}:${step}`,
        correlationId: paymentId,
        actor: 'system:payments',
        occurredAt: now,
      });
      if (recorded.kind === 'rejected' && recorded.rejection.code !== STEP_OUT_OF_ORDER)
        throw new Error(`payment ${paymentId}: ${step} result refused: ${recorded.rejection.code}`);
    }
    throw new Error(`payment ${paymentId}: more than ${PaymentDriver.MAX_STEPS} steps`);
  }
}
