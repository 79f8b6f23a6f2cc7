/**
 * One payments instance: the real `PaymentDriver` (and its steps) over a `DeciderHandler` of the real
 * payment decider and codec, talking to the other services through the simulated bus and to the
 * partners through their ports. Everything here is in memory and is lost when the instance crashes;
 * what survives is the store and the timer table (PostgreSQL's, in production).
 *
 * Besides the driver it plays the two parts of `PaymentsRuntime` the driver needs around it, kept as
 * close to the service as the service's code allows (neither is reachable without Kafka and
 * PostgreSQL):
 * - the front door: a command from a user, a provider or a supervisor starts or records a step and
 *   then drives the payment, answering within `replyWithinMs` (the use cases `startPayment`,
 *   `providerCallback`, `approveCounterTopUp` without their risk rules, admission and signatures);
 * - the timer poller (`TimerPoller` + `PaymentsRuntime.fireTimer`): claims due timers with a lease,
 *   drives each payment, then finishes the timer or makes it due again.
 */
import type { CommandResult } from '@ledger/contracts';
import { DeciderHandler } from '@ledger/event-store';
import { accepted, rejected, rejectedBy, type CommandEnvelope } from '@ledger/messaging';
import {
  BILLERS,
  DEFAULT_COUNTER_APPROVAL,
  MERCHANTS,
  PAYMENT_ERROR,
  STEP_OUT_OF_ORDER,
  createPaymentDecider,
  directoryOf,
  nextStep,
  paymentStreamId,
  requestFromRecord,
  type ActivePaymentState,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
  type Provider,
  type RecordedPaymentRequest,
} from '@ledger/payments-domain';
import { PaymentDriver, createPaymentCodec, timerKindFor, type PaymentSecrets, type TimerKind } from '@ledger/payments-service/testing';
import type { KafkaCommandClient } from '@ledger/messaging';
import { nowInstant } from '@ledger/util';
import type { SimContext } from './context';
import { SimCommandClient, type Bus, type Endpoint } from './network';
import { partnerPorts, type PartnerBooks } from './outside';
import { ScheduledStore } from './scheduled-store';
import type { Owner, SimEvent } from './scheduler';
import type { PaymentTimerTable } from './tables';

/** The service's settings, at their production defaults. */
export const PAYMENTS_SETTINGS = {
  /** A step not recorded for this long is resumed by its timer; also a claim's lease. */
  resumeAfterMs: 5_000,
  pollIntervalMs: 500,
  timerBatch: 50,
  holdTtlMs: 15 * 60_000,
  commandTimeoutMs: 10_000,
  stepAttempts: 3,
  passwordGraceMs: 30_000,
  replyWithinMs: 25_000,
  providerDeadlineMs: 15 * 60_000,
} as const;

/** What the front door accepts: the requests of the schedule's users, providers and supervisors. */
export const FRONT_DOOR = {
  start: 'payments.Start.sim',
  callback: 'payments.ProviderCallback.sim',
  decision: 'payments.CounterDecision.sim',
} as const;

export interface StartPayload {
  request: RecordedPaymentRequest;
  secrets: { paymentPassword?: string };
  /** A refund comes from the merchant, which may refund only its own payments. */
  merchantId?: string;
}

export interface CallbackPayload {
  paymentId: string;
  provider: Provider;
  providerReference: string;
  amountMinor: string;
}

export interface DecisionPayload {
  paymentId: string;
  supervisorId: string;
  approve: boolean;
}

interface ClaimedTimer {
  paymentId: string;
  kind: TimerKind;
  claimId: string;
}

/** An error the schedule injected (the instance survives it and tries again), or anything else (a finding). */
export type ErrorSink = (where: string, error: unknown) => void;

/** What every instance is built with. */
export interface NodeOptions {
  ctx: SimContext;
  owner: Owner;
  bus: Bus;
  /** Told of every append that took effect (the followers of the store wake up). */
  appended(stream: string): void;
  error: ErrorSink;
}

export class PaymentsNode implements Endpoint {
  readonly handler: DeciderHandler<PaymentCommand, PaymentEvent, PaymentState>;
  readonly driver: PaymentDriver;
  readonly client: SimCommandClient;
  private readonly store: ScheduledStore;
  private readonly firing = new Set<Promise<void>>();
  private pollEvent: SimEvent | undefined;
  private lastPollAt = Number.NEGATIVE_INFINITY;

  private readonly ctx: SimContext;
  readonly owner: Owner;
  private readonly timers: PaymentTimerTable;
  private readonly timersChanged: () => void;
  private readonly error: ErrorSink;

  constructor(options: NodeOptions & { books: PartnerBooks; timers: PaymentTimerTable; timersChanged(): void }) {
    const { ctx, owner, bus, books, appended } = options;
    this.ctx = ctx;
    this.owner = owner;
    this.timers = options.timers;
    this.timersChanged = options.timersChanged;
    this.error = options.error;
    this.store = new ScheduledStore(ctx, owner, appended);
    this.handler = new DeciderHandler({
      store: this.store,
      decider: createPaymentDecider(directoryOf(MERCHANTS, BILLERS), DEFAULT_COUNTER_APPROVAL),
      codec: createPaymentCodec(),
    });
    this.client = new SimCommandClient(ctx, bus, owner, 'payments');
    const partners = partnerPorts(ctx, books);
    this.driver = new PaymentDriver({
      handler: this.handler,
      // The driver only sends (`sendWithResends`); the simulated client has `send`'s contract.
      client: this.client as unknown as KafkaCommandClient,
      acquirer: partners.acquirer,
      cards: partners.cards,
      biller: partners.biller,
      clock: ctx.scheduler.clock,
      holdTtlMs: PAYMENTS_SETTINGS.holdTtlMs,
      commandTimeoutMs: PAYMENTS_SETTINGS.commandTimeoutMs,
      stepAttempts: PAYMENTS_SETTINGS.stepAttempts,
      passwordGraceMs: PAYMENTS_SETTINGS.passwordGraceMs,
      phoneForIdentity: (phone) => phone.encrypted,
      billReferenceForBiller: (reference) => reference.encrypted.replace(/^enc:v1:/, ''),
      log: (message) => ctx.scheduler.note(() => `${owner.name}: ${message}`),
    });
  }

  /** The front door: one command of a user, provider or supervisor. */
  async handle(envelope: CommandEnvelope): Promise<CommandResult> {
    const now = nowInstant(this.ctx.scheduler.clock);
    const metadata = { commandId: envelope.commandId, correlationId: envelope.correlationId, actor: envelope.actor, occurredAt: now };
    if (envelope.type === FRONT_DOOR.start) {
      const payload = envelope.payload as StartPayload;
      const request = requestFromRecord(payload.request);
      if (request.kind === 'refund') {
        const original = await this.driver.stateOf(request.originalPaymentId);
        if (original.status === 'none')
          return rejected(envelope, PAYMENT_ERROR.PAYMENT_NOT_FOUND, `no payment ${request.originalPaymentId}`);
        if (original.request.kind !== 'merchant' || original.request.merchantId !== payload.merchantId)
          return rejected(envelope, PAYMENT_ERROR.NOT_MERCHANTS_PAYMENT, `payment ${request.originalPaymentId} is not this merchant's`);
      }
      const started = await this.handler.handle(paymentStreamId(request.paymentId), { type: 'StartPayment', request, now }, metadata);
      if (started.kind === 'rejected') return rejectedBy(envelope, started.rejection);
      return this.awaitOutcome(envelope, request.paymentId, payload.secrets);
    }
    if (envelope.type === FRONT_DOOR.callback) {
      const p = envelope.payload as CallbackPayload;
      const recorded = await this.handler.handle(
        paymentStreamId(p.paymentId),
        {
          type: 'RecordProviderConfirmation',
          provider: p.provider,
          providerReference: p.providerReference,
          amountMinor: BigInt(p.amountMinor),
          now,
        },
        metadata,
      );
      if (recorded.kind === 'rejected') return refusedStep(envelope, recorded.rejection);
      const { state } = await this.handler.load(paymentStreamId(p.paymentId));
      if (state.status !== 'none' && state.lateCallbacks?.includes(p.providerReference))
        return rejected(envelope, PAYMENT_ERROR.CALLBACK_AFTER_DEADLINE, 'the callback came after the deadline');
      return this.awaitOutcome(envelope, p.paymentId, {});
    }
    if (envelope.type === FRONT_DOOR.decision) {
      const p = envelope.payload as DecisionPayload;
      const command: PaymentCommand = p.approve
        ? { type: 'RecordCounterApproval', supervisorId: p.supervisorId, now }
        : { type: 'RecordCounterRejection', supervisorId: p.supervisorId, reason: 'the cash did not match', now };
      const recorded = await this.handler.handle(paymentStreamId(p.paymentId), command, metadata);
      if (recorded.kind === 'rejected') return refusedStep(envelope, recorded.rejection);
      return this.awaitOutcome(envelope, p.paymentId, {});
    }
    return rejected(envelope, 'UNKNOWN_COMMAND', `the payments front door does not take ${envelope.type}`);
  }

  /** Drives the payment and answers its outcome, or `pending` after `replyWithinMs` (`awaitOutcome`). */
  private async awaitOutcome(envelope: CommandEnvelope, paymentId: string, secrets: PaymentSecrets): Promise<CommandResult> {
    let timer: SimEvent | undefined;
    const waited = new Promise<'pending'>((resolve) => {
      timer = this.ctx.scheduler.after(PAYMENTS_SETTINGS.replyWithinMs, 'reply within', () => resolve('pending'), {
        owner: this.owner,
        early: true,
      });
    });
    try {
      const state = await Promise.race([this.driver.drive(paymentId, secrets), waited]);
      if (state === 'pending' || state === undefined) return accepted(envelope, { paymentId, status: 'pending' });
      return outcomeOf(envelope, state);
    } finally {
      this.ctx.scheduler.cancel(timer);
    }
  }

  /** Starts polling the timer table (after a start, and whenever the table changed). */
  schedulePoll(): void {
    if (!this.owner.alive) return;
    const earliest = this.timers.earliestDue();
    if (earliest === undefined) {
      this.ctx.scheduler.cancel(this.pollEvent);
      this.pollEvent = undefined;
      return;
    }
    const now = this.ctx.scheduler.now;
    // The poller wakes every poll interval; a poll that would find nothing due is skipped.
    const at = Math.max(now, this.lastPollAt + PAYMENTS_SETTINGS.pollIntervalMs, earliest);
    if (this.pollEvent && !this.pollEvent.done && this.pollEvent.at <= at) return;
    this.ctx.scheduler.cancel(this.pollEvent);
    this.pollEvent = this.ctx.scheduler.after(at - now, 'timer poll', () => void this.poll(), { owner: this.owner, early: true });
  }

  private async poll(): Promise<void> {
    this.pollEvent = undefined;
    this.lastPollAt = this.ctx.scheduler.now;
    const room = PAYMENTS_SETTINGS.timerBatch - this.firing.size;
    if (room > 0) {
      // An `early` fault claims timers not due yet, as a poller whose clock runs ahead would.
      const ahead = this.ctx.fault('early', this.ctx.profile.earlyClaimChance, () => `${this.owner.name} claims timers early`)
        ? 1 + this.ctx.random.int(10_000)
        : 0;
      try {
        const claimed = await this.tableOperation('claim timers', () =>
          this.timers.claimDue(this.ctx.scheduler.now + ahead, room, PAYMENTS_SETTINGS.resumeAfterMs),
        );
        if (claimed.length > 0)
          this.ctx.scheduler.note(() => `${this.owner.name} claimed ${claimed.map((t) => `${t.paymentId}/${t.kind}`).join(', ')}`);
        for (const timer of claimed) {
          const run: Promise<void> = this.fireOne(timer).finally(() => this.firing.delete(run));
          this.firing.add(run);
        }
        if (claimed.length > 0) this.timersChanged();
      } catch (error) {
        this.error('payment timers: poll failed', error);
      }
    }
    this.schedulePoll();
  }

  private async fireOne(timer: ClaimedTimer): Promise<void> {
    try {
      const dueAgain = await this.fireTimer(timer);
      const which = () => `${timer.paymentId}/${timer.kind}`;
      if (dueAgain === undefined) await this.tableOperation('finish timer', () => this.timers.finish(timer), which);
      else await this.tableOperation('retry timer', () => this.timers.retry(timer, dueAgain), which);
      this.timersChanged();
    } catch (error) {
      // Left claimed until its lease ends, then tried again (by this instance or another).
      this.error(`payment timers: ${timer.kind} timer of payment ${timer.paymentId} failed`, error);
    }
  }

  /** `PaymentsRuntime.fireTimer`: when the timer is due again (simulated ms), or undefined when it is done. */
  private async fireTimer(timer: ClaimedTimer): Promise<number | undefined> {
    const retryAt = this.ctx.scheduler.now + PAYMENTS_SETTINGS.resumeAfterMs;
    if (this.driver.isRunning(timer.paymentId)) return retryAt;
    const state = await this.driver.drive(timer.paymentId);
    if (state === undefined || nextStep(state) === undefined) return undefined;
    if (timerKindFor(state) !== timer.kind) return undefined;
    return retryAt;
  }

  /** A statement on the timer table: an event of this instance (it never happens if the instance dies first). */
  private tableOperation<T>(kind: string, work: () => T, detail?: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.ctx.scheduler.after(
        this.ctx.ioLatency(),
        kind,
        () => {
          try {
            resolve(work());
          } catch (error) {
            reject(error);
          }
        },
        { owner: this.owner, detail },
      );
    });
  }
}

/** `outcomeOf`: the failure's code when the payment failed, else its view. */
function outcomeOf(envelope: CommandEnvelope, state: ActivePaymentState): CommandResult {
  const view = { paymentId: state.request.paymentId, kind: state.request.kind, status: state.status };
  if (state.failed) return rejected(envelope, state.failed.failure.code, state.failed.failure.message, view);
  return accepted(envelope, view);
}

/** `refusedStep`: a step recorded for an outside party that the decider refused. */
function refusedStep(
  envelope: CommandEnvelope,
  rejection: { code: string; message: string; details?: Record<string, unknown> },
): CommandResult {
  const code = rejection.code === STEP_OUT_OF_ORDER ? PAYMENT_ERROR.PAYMENT_NOT_FOUND : rejection.code;
  return rejected(envelope, code, rejection.message, rejection.details);
}
