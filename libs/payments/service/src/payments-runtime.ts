import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { paymentsContract, topics } from '@ledger/contracts';
import { DeciderHandler, EVENT_STORE, EventRelay, type EventStore } from '@ledger/event-store';
import { KafkaCommandClient, createKafka, ensureTopics } from '@ledger/messaging';
import {
  PeriodicSampler,
  paymentTimersDue,
  paymentTimersOldestDueSeconds,
  paymentsInFlightSources,
  sampleIntervalFromEnv,
} from '@ledger/observability';
import { Pool } from 'pg';
import {
  DEFAULT_COUNTER_APPROVAL,
  DEFAULT_RISK_POLICY,
  createPaymentDecider,
  nextStep,
  type Biller,
  type CounterApprovalPolicy,
  type RiskPolicy,
  type CardMoneyGateway,
  type MerchantAcquirer,
  type PaymentCommand,
  type PaymentEvent,
  type PaymentState,
} from '@ledger/payments-domain';
import { systemClock, type Clock } from '@ledger/util';
import { createPaymentCodec } from './payment-codec';
import { PaymentDriver } from './payment-driver';
import { checkPaymentsPartners, closePaymentsPartners, paymentsPartnersFromEnv, type PaymentsPartners } from './partners';
import { PaymentTimers, TIMER_KINDS, TimerPoller, timerKindFor, type ClaimedTimer } from './payment-timers';
import { ProviderCallbackNonces } from './provider-callback-nonces';
import { providerSecretsFromEnv, type ProviderSecrets } from './provider-signature';
import { PersonalFields } from './personal-fields';
import { MerchantKeys } from './registry/merchant-keys';
import { PartnerRegistry } from './registry/partner-registry';
import { SupportAccessAudit } from './support-access';
import { UserPaymentsReadModel } from './user-payments';
import { RiskRules } from './risk';

export const PAYMENTS_CONTEXT = 'payments';
export const PAYMENTS_OPTIONS = Symbol('PAYMENTS_OPTIONS');

export interface PaymentsServiceOptions {
  /** PostgreSQL of the event store; defaults to DATABASE_URL (or EVENT_STORE_URL). */
  databaseUrl?: string;
  /** Prefix of every topic and consumer group; defaults to KAFKA_TOPIC_PREFIX. */
  topicPrefix?: string;
  clock?: Clock;
  /**
   * The partner simulator app's URL for every partner whose own URL is not set (tests start one of
   * their own); PARTNERS_URL by default. Only in development mode, like the simulator itself.
   */
  partnersUrl?: string;
  /** Poll interval of the relay, the read model and the timer poller. Default 500 ms. */
  pollIntervalMs?: number;
  /** The step timeout: a step not recorded for this long is resumed by its persisted timer. Default 5 s. */
  resumeAfterMs?: number;
  /** How long a reservation holds funds. Default 15 min. */
  holdTtlMs?: number;
  /** Timeout of one downstream command. Default 10 s. */
  commandTimeoutMs?: number;
  /** How long PayMerchant waits for the outcome before answering `pending`. Default 25 s. */
  replyWithinMs?: number;
  passwordGraceMs?: number;
  /** How long a third-party top-up waits for the provider's callback. Default 15 min. */
  providerDeadlineMs?: number;
  /** The secrets provider callbacks are signed with, one per provider; PAYMENTS_PROVIDER_SECRETS, else (development mode only) the development secrets. */
  providerSecrets?: ProviderSecrets;
  /** Protection of recipient phones and bill references (encryption, fingerprint); from FIELD_KEYS / HASH_PEPPER_KEYS / PAYMENTS_SEAL_PRIVATE_KEYS (dev keys in development mode) by default. */
  personalFields?: PersonalFields;
  /**
   * Payments this instance drives at once, at most; a new payment beyond it is refused PAYMENTS_BUSY
   * (nothing recorded, retry after details.retryAfterMs). From PAYMENTS_MAX_ACTIVE, default 64.
   */
  maxActivePayments?: number;
  /**
   * Maker-checker for cash: counter top-ups above `aboveMinor` wait for a supervisor's approval at
   * most `windowMs`. PAYMENTS_COUNTER_APPROVAL_ABOVE_MINOR (default 2000000 fen, 20,000 yuan) and
   * PAYMENTS_COUNTER_APPROVAL_WINDOW_MS (default 4 h) by default.
   */
  counterApproval?: Partial<CounterApprovalPolicy>;
  /** How merchant API keys are hashed, opened and sealed (default: from the environment). */
  merchantKeys?: MerchantKeys;
  /** Risk rules; PAYMENTS_RISK_VELOCITY_PER_MINUTE (default 10) and PAYMENTS_RISK_NEW_DEVICE_THRESHOLD_MINOR (default 50000 fen) by default. */
  risk?: Partial<RiskPolicy>;
}

/** How often the provider callbacks' old nonces are forgotten (each instance; a delete of the rows past the retention). */
const NONCE_PRUNE_INTERVAL_MS = 60_000;

const num = (value: string | undefined, fallback: number): number => (value === undefined || value === '' ? fallback : Number(value));

/**
 * The payments service's moving parts besides its command handlers: the driver of the process
 * managers, the persisted timers and their poller (so a restarted service, or another instance,
 * finishes every payment that was started), and the relay of committed payment events to
 * `payments.events`.
 */
@Injectable()
export class PaymentsRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly clock: Clock;
  readonly topicPrefix: string;
  readonly driver: PaymentDriver;
  readonly decider: ReturnType<typeof createPaymentDecider>;
  readonly handler: DeciderHandler<PaymentCommand, PaymentEvent, PaymentState>;
  readonly acquirer: MerchantAcquirer;
  readonly cards: CardMoneyGateway;
  readonly biller: Biller;
  readonly replyWithinMs: number;
  /** Read for every new payment, so it may be changed while the service runs. */
  maxActivePayments: number;
  readonly providerDeadlineMs: number;
  readonly providerSecrets: ProviderSecrets;
  /** The provider callbacks' nonces seen (a copied callback is refused). */
  readonly callbackNonces: ProviderCallbackNonces;
  private readonly partners: PaymentsPartners;
  private noncePruning?: NodeJS.Timeout;
  /** The metrics read on a timer (due timers) or at scrape time (payments in flight), never per payment. */
  private timerBacklog?: PeriodicSampler;
  private removeInFlightSource?: () => void;
  readonly personalFields: PersonalFields;
  /** A user's payments (PostgreSQL, on DATABASE_URL even when the event store is KurrentDB). */
  readonly userPayments: UserPaymentsReadModel;
  readonly risk: RiskRules;
  /** Every support look-up of a user's transactions, recorded before it is answered (`supportaudit-<userId>`). */
  readonly supportAccess: SupportAccessAudit;
  /** The merchants and billers, as data (`registry-*` streams), followed in memory. */
  readonly registry: PartnerRegistry;
  /** How merchant API keys are made, hashed and checked. */
  readonly merchantKeys: MerchantKeys;
  private readonly pool: Pool;
  private readonly client: KafkaCommandClient;
  private readonly relay: EventRelay;
  private readonly logger = new Logger('payments');
  private readonly pollIntervalMs: number;
  private readonly resumeAfterMs: number;
  /** Durable timers of the payments in flight (`payments.payment_timers`). */
  readonly timers: PaymentTimers;
  private readonly timerPoller: TimerPoller;
  /** Timers claimed per poll (and fired at once) by this instance. */
  private static readonly TIMER_BATCH = 50;

  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(PAYMENTS_OPTIONS) options: PaymentsServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.topicPrefix = options.topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.resumeAfterMs = options.resumeAfterMs ?? num(process.env.PAYMENTS_RESUME_AFTER_MS, 5_000);
    this.replyWithinMs = options.replyWithinMs ?? 25_000;
    this.maxActivePayments = options.maxActivePayments ?? num(process.env.PAYMENTS_MAX_ACTIVE, 64);
    this.providerDeadlineMs = options.providerDeadlineMs ?? num(process.env.PAYMENTS_PROVIDER_DEADLINE_MS, 15 * 60_000);
    this.providerSecrets = options.providerSecrets ?? providerSecretsFromEnv();
    this.partners = paymentsPartnersFromEnv(options.partnersUrl ? { ...process.env, PARTNERS_URL: options.partnersUrl } : process.env);
    ({ acquirer: this.acquirer, cards: this.cards, biller: this.biller } = this.partners);
    this.personalFields = options.personalFields ?? PersonalFields.fromEnv();
    const fields = this.personalFields;
    const counterApproval: CounterApprovalPolicy = {
      aboveMinor: BigInt(process.env.PAYMENTS_COUNTER_APPROVAL_ABOVE_MINOR || DEFAULT_COUNTER_APPROVAL.aboveMinor.toString()),
      windowMs: num(process.env.PAYMENTS_COUNTER_APPROVAL_WINDOW_MS, DEFAULT_COUNTER_APPROVAL.windowMs),
      idCheckAboveMinor: BigInt(process.env.PAYMENTS_COUNTER_ID_CHECK_ABOVE_MINOR || DEFAULT_COUNTER_APPROVAL.idCheckAboveMinor.toString()),
      ...options.counterApproval,
    };
    this.merchantKeys = options.merchantKeys ?? MerchantKeys.fromEnv();
    this.registry = new PartnerRegistry(store, this.merchantKeys, this.clock);
    this.decider = createPaymentDecider(this.registry.directory, counterApproval);
    this.handler = new DeciderHandler({
      store,
      decider: this.decider,
      codec: createPaymentCodec({
        phone: (phone) => fields.protect(phone),
        billReference: (reference) => fields.protectReference(reference),
      }),
    });
    const readModelUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? process.env.EVENT_STORE_URL;
    // The timer table is written before every step of every payment in flight, next to the read model.
    this.pool = new Pool({ connectionString: readModelUrl, max: 8 });
    // An idle connection killed by the server must not crash the process; the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn(`payments database connection lost: ${error.message}`));
    this.timers = new PaymentTimers(this.pool);
    this.callbackNonces = new ProviderCallbackNonces(this.pool);
    const kafka = createKafka('payments');
    this.client = new KafkaCommandClient({
      kafka,
      clientName: 'payments',
      sender: 'payments',
      topicPrefix: this.topicPrefix,
      defaultTimeoutMs: 10_000,
    });
    this.driver = new PaymentDriver({
      handler: this.handler,
      client: this.client,
      acquirer: this.acquirer,
      cards: this.cards,
      biller: this.biller,
      clock: this.clock,
      holdTtlMs: options.holdTtlMs ?? num(process.env.PAYMENTS_HOLD_TTL_MS, 15 * 60_000),
      commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
      stepAttempts: 3,
      passwordGraceMs: options.passwordGraceMs ?? num(process.env.PAYMENTS_PASSWORD_GRACE_MS, 30_000),
      phoneForIdentity: (phone) => fields.forIdentity(phone),
      billReferenceForBiller: (reference) => fields.forBiller(reference),
      log: (message) => this.logger.warn(message),
    });
    this.timerPoller = new TimerPoller({
      timers: this.timers,
      clock: this.clock,
      fire: (timer) => this.fireTimer(timer),
      pollIntervalMs: this.pollIntervalMs,
      batchSize: PaymentsRuntime.TIMER_BATCH,
      // A claimer that dies gives its timers back after one step timeout.
      leaseMs: this.resumeAfterMs,
      log: (message) => this.logger.error(message),
    });
    this.userPayments = new UserPaymentsReadModel(this.pool, store, {
      pollIntervalMs: this.pollIntervalMs,
      log: (message) => this.logger.error(message),
    });
    const riskPolicy: RiskPolicy = {
      velocityPerMinute: num(process.env.PAYMENTS_RISK_VELOCITY_PER_MINUTE, DEFAULT_RISK_POLICY.velocityPerMinute),
      newDeviceThresholdMinor: BigInt(
        process.env.PAYMENTS_RISK_NEW_DEVICE_THRESHOLD_MINOR || DEFAULT_RISK_POLICY.newDeviceThresholdMinor.toString(),
      ),
      knownDevicesKept: DEFAULT_RISK_POLICY.knownDevicesKept,
      ...options.risk,
    };
    this.supportAccess = new SupportAccessAudit(store);
    this.risk = new RiskRules(store, riskPolicy, {
      client: this.client,
      pollIntervalMs: this.pollIntervalMs,
      log: (message) => this.logger.error(message),
    });
    this.relay = new EventRelay({
      store,
      kafka,
      name: 'payments-events-relay',
      category: 'payment',
      // The start and the outcome are public; the process steps stay in the store.
      view: (event) => (paymentsContract.PUBLISHED_EVENTS.has(event.type as paymentsContract.EventType) ? event : undefined),
      topicFor: () => this.eventsTopic,
      pollIntervalMs: this.pollIntervalMs,
      onError: (error) => this.logger.error(`event relay stopped: ${String(error)}`),
    });
  }

  get eventsTopic(): string {
    return `${this.topicPrefix}${topics.events(PAYMENTS_CONTEXT)}`;
  }

  /**
   * A due timer: drives the payment through the decider (resume the step, time it out, expire the
   * provider deadline). Resolves with when the timer is due again, or undefined when it is done.
   */
  private async fireTimer(timer: ClaimedTimer): Promise<Date | undefined> {
    const retryAt = new Date(this.clock.now().getTime() + this.resumeAfterMs);
    // A drive of this instance is on it (a slow step): leave it be, look again after one step timeout.
    if (this.driver.isRunning(timer.paymentId)) return retryAt;
    const state = await this.driver.drive(timer.paymentId);
    // No payment behind the timer (the table follows recorded payments, so only a row left by hand),
    // or its outcome is recorded (which also deletes its other timers): the timer is done.
    if (state === undefined || nextStep(state) === undefined) return undefined;
    // A timer of a step the payment has left (e.g. the provider deadline after the confirmation) is done.
    if (timerKindFor(state) !== timer.kind) return undefined;
    return retryAt;
  }

  async onApplicationBootstrap(): Promise<void> {
    await checkPaymentsPartners(this.partners);
    const admin = createKafka('payments-admin').admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.eventsTopic]);
    } finally {
      await admin.disconnect();
    }
    // Before any payment starts: a start reads its merchant or biller from the registry.
    await this.registry.start();
    await this.client.start();
    await this.relay.start();
    await this.userPayments.migrate();
    await this.timers.migrate();
    await this.callbackNonces.migrate();
    this.noncePruning = setInterval(() => {
      this.callbackNonces.prune(this.clock.now()).catch((error: unknown) => this.logger.warn(`pruning callback nonces: ${String(error)}`));
    }, NONCE_PRUNE_INTERVAL_MS).unref();
    this.timers.follow(this.store, { stepTimeoutMs: this.resumeAfterMs, log: (message) => this.logger.error(message) });
    this.userPayments.start();
    this.risk.start();
    this.timerPoller.start();
    this.removeInFlightSource = paymentsInFlightSources.add(() => this.driver.runningCount);
    this.timerBacklog = new PeriodicSampler(sampleIntervalFromEnv(), async () => {
      const backlog = await this.timers.dueBacklog(this.clock.now());
      for (const kind of TIMER_KINDS) {
        const row = backlog.find((entry) => entry.kind === kind);
        paymentTimersDue.set({ kind }, row?.due ?? 0);
        paymentTimersOldestDueSeconds.set({ kind }, row?.oldestDueSeconds ?? 0);
      }
    });
    this.timerBacklog.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.noncePruning);
    this.removeInFlightSource?.();
    await this.timerBacklog?.stop();
    await this.timerPoller.stop();
    await this.driver.settle();
    await this.timers.stopFollowing();
    await this.relay.stop();
    await this.userPayments.stop();
    await this.risk.stop();
    await this.registry.stop();
    await this.client.stop();
    closePaymentsPartners(this.partners);
    await this.pool.end();
  }
}
