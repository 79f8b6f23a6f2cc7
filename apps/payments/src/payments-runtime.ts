import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { topics } from '@ledger/contracts';
import { DeciderHandler, EVENT_STORE, EventRelay, type EventStore, type Subscription } from '@ledger/event-store';
import { KafkaCommandClient, createKafka, ensureTopics } from '@ledger/messaging';
import { Pool } from 'pg';
import { DEFAULT_RISK_POLICY, SimulatedAcquirer, SimulatedBiller, SimulatedCardGateway, type Biller, type RiskPolicy, paymentDecider, type CardMoneyGateway, type MerchantAcquirer, type PaymentCommand, type PaymentEvent, type PaymentState } from '@ledger/payments-domain';
import { systemClock, type Clock } from '@ledger/util';
import { createPaymentCodec } from './payment-codec';
import { PaymentDriver } from './payment-driver';
import { DEV_PROVIDER_SECRET } from './provider-signature';
import { RecipientPhones } from './recipient-phone';
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
  /** The merchant acquirer; a `SimulatedAcquirer` by default. */
  acquirer?: MerchantAcquirer;
  /** Charges and payouts on bound cards; a `SimulatedCardGateway` by default. */
  cards?: CardMoneyGateway;
  /** Billers (utilities, phone top-up); a `SimulatedBiller` by default. */
  biller?: Biller;
  /** Poll interval of the relay, the in-flight index and the resume loop. Default 500 ms. */
  pollIntervalMs?: number;
  /** A payment no drive touched for this long is resumed by the sweeper. Default 5 s. */
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
  /** The secret provider callbacks are signed with; PAYMENTS_PROVIDER_SECRET, else the development secret. */
  providerSecret?: string;
  /** Protection of recipient phones (encryption, fingerprint); from FIELD_KEYS / HASH_PEPPER_KEYS (dev keys outside production) by default. */
  recipientPhones?: RecipientPhones;
  /** Risk rules; PAYMENTS_RISK_VELOCITY_PER_MINUTE (default 10) and PAYMENTS_RISK_NEW_DEVICE_THRESHOLD_MINOR (default 50000 fen) by default. */
  risk?: Partial<RiskPolicy>;
}

/** The default acquirer: the simulator, slowed by PAYMENTS_ACQUIRER_DELAY_MS (to keep payments in flight in restart tests). */
function simulatedAcquirerFromEnv(env: NodeJS.ProcessEnv = process.env): SimulatedAcquirer {
  const acquirer = new SimulatedAcquirer();
  acquirer.delayMs = num(env.PAYMENTS_ACQUIRER_DELAY_MS, 0);
  return acquirer;
}

const num = (value: string | undefined, fallback: number): number => (value === undefined || value === '' ? fallback : Number(value));

/**
 * The payments service's moving parts besides its command handlers: the driver of the process
 * managers, the in-flight index and resume loop (so a restarted service finishes every payment it
 * had started), and the relay of committed payment events to `payments.events`.
 */
@Injectable()
export class PaymentsRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly clock: Clock;
  readonly topicPrefix: string;
  readonly driver: PaymentDriver;
  readonly handler: DeciderHandler<PaymentCommand, PaymentEvent, PaymentState>;
  readonly acquirer: MerchantAcquirer;
  readonly cards: CardMoneyGateway;
  readonly biller: Biller;
  readonly replyWithinMs: number;
  readonly providerDeadlineMs: number;
  readonly providerSecret: string;
  readonly recipientPhones: RecipientPhones;
  /** A user's payments (PostgreSQL, on DATABASE_URL even when the event store is KurrentDB). */
  readonly userPayments: UserPaymentsReadModel;
  readonly risk: RiskRules;
  /** Every support look-up of a user's transactions, recorded before it is answered (`supportaudit-<userId>`). */
  readonly supportAccess: SupportAccessAudit;
  private readonly pool: Pool;
  private readonly client: KafkaCommandClient;
  private readonly relay: EventRelay;
  private readonly logger = new Logger('payments');
  private readonly pollIntervalMs: number;
  private readonly resumeAfterMs: number;
  /** Payments without an outcome → when this instance last saw them move (ms). Bounded by the payments in flight. */
  private readonly inFlight = new Map<string, number>();
  private index?: Subscription;
  private sweeper?: NodeJS.Timeout;
  private stopped = false;
  private static readonly MAX_RESUMES_PER_TICK = 50;

  constructor(@Inject(EVENT_STORE) readonly store: EventStore, @Inject(PAYMENTS_OPTIONS) options: PaymentsServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.topicPrefix = options.topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.resumeAfterMs = options.resumeAfterMs ?? num(process.env.PAYMENTS_RESUME_AFTER_MS, 5_000);
    this.replyWithinMs = options.replyWithinMs ?? 25_000;
    this.providerDeadlineMs = options.providerDeadlineMs ?? num(process.env.PAYMENTS_PROVIDER_DEADLINE_MS, 15 * 60_000);
    this.providerSecret = options.providerSecret ?? process.env.PAYMENTS_PROVIDER_SECRET ?? DEV_PROVIDER_SECRET;
    this.acquirer = options.acquirer ?? simulatedAcquirerFromEnv();
    this.cards = options.cards ?? new SimulatedCardGateway();
    this.biller = options.biller ?? new SimulatedBiller();
    this.recipientPhones = options.recipientPhones ?? RecipientPhones.fromEnv();
    const phones = this.recipientPhones;
    this.handler = new DeciderHandler({ store, decider: paymentDecider, codec: createPaymentCodec((phone) => phones.protect(phone)) });
    const kafka = createKafka('payments');
    this.client = new KafkaCommandClient({ kafka, clientName: 'payments', topicPrefix: this.topicPrefix, defaultTimeoutMs: 10_000 });
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
      revealPhone: (phone) => phones.reveal(phone),
      log: (message) => this.logger.warn(message),
    });
    const readModelUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? process.env.EVENT_STORE_URL;
    this.pool = new Pool({ connectionString: readModelUrl, max: 4 });
    this.userPayments = new UserPaymentsReadModel(this.pool, store, { pollIntervalMs: this.pollIntervalMs, log: (message) => this.logger.error(message) });
    const riskPolicy: RiskPolicy = {
      velocityPerMinute: num(process.env.PAYMENTS_RISK_VELOCITY_PER_MINUTE, DEFAULT_RISK_POLICY.velocityPerMinute),
      newDeviceThresholdMinor: BigInt(process.env.PAYMENTS_RISK_NEW_DEVICE_THRESHOLD_MINOR || DEFAULT_RISK_POLICY.newDeviceThresholdMinor.toString()),
      knownDevicesKept: DEFAULT_RISK_POLICY.knownDevicesKept,
      ...options.risk,
    };
    this.supportAccess = new SupportAccessAudit(store);
    this.risk = new RiskRules(store, riskPolicy, { client: this.client, pollIntervalMs: this.pollIntervalMs, log: (message) => this.logger.error(message) });
    this.relay = new EventRelay({
      store,
      kafka,
      name: 'payments-events-relay',
      category: 'payment',
      topicFor: () => this.eventsTopic,
      pollIntervalMs: this.pollIntervalMs,
      onError: (error) => this.logger.error(`event relay stopped: ${String(error)}`),
    });
  }

  get eventsTopic(): string {
    return `${this.topicPrefix}${topics.events(PAYMENTS_CONTEXT)}`;
  }

  /** Payments this instance knows to be without an outcome. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The driver touched a payment: the sweeper leaves it alone for `resumeAfterMs`. */
  touched(paymentId: string): void {
    if (this.inFlight.has(paymentId)) this.inFlight.set(paymentId, Date.now());
  }

  async onApplicationBootstrap(): Promise<void> {
    const admin = createKafka('payments-admin').admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.eventsTopic]);
    } finally {
      await admin.disconnect();
    }
    await this.client.start();
    await this.relay.start();
    await this.userPayments.migrate();
    this.userPayments.start();
    this.risk.start();
    // The in-flight index: every payment stream from the start, in memory (never checkpointed, so
    // each start rebuilds it; a table fed by a checkpointed subscription would bound startup time).
    this.index = this.store.subscribe({
      name: `payments-in-flight-${randomUUID()}`,
      category: 'payment',
      checkpoint: 'manual',
      pollIntervalMs: this.pollIntervalMs,
      onError: (error) => this.logger.error(`in-flight index stopped: ${String(error)}`),
      handle: async (events) => {
        for (const event of events) {
          const paymentId = event.stream.slice('payment-'.length);
          if (event.type === 'payments.PaymentInitiated.v1') this.inFlight.set(paymentId, 0); // 0: resume at once unless a drive is on it
          else if (event.type === 'payments.PaymentCompleted.v1' || event.type === 'payments.PaymentFailed.v1') this.inFlight.delete(paymentId);
        }
      },
    });
    this.scheduleSweep();
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweeper = setTimeout(() => {
      this.sweep();
      this.scheduleSweep();
    }, this.pollIntervalMs);
  }

  /** Resumes payments nobody drove for a while (bounded per tick); drives run in the background. */
  private sweep(): void {
    const dueBefore = Date.now() - this.resumeAfterMs;
    let started = 0;
    for (const [paymentId, lastSeen] of this.inFlight) {
      if (started >= PaymentsRuntime.MAX_RESUMES_PER_TICK) break;
      if (lastSeen > dueBefore || this.driver.isRunning(paymentId)) continue;
      started++;
      this.inFlight.set(paymentId, Date.now());
      void this.driver.drive(paymentId).catch((error: unknown) => this.logger.error(`resuming payment ${paymentId} failed: ${String(error)}`));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearTimeout(this.sweeper);
    await this.driver.settle();
    await this.index?.stop();
    await this.relay.stop();
    await this.userPayments.stop();
    await this.risk.stop();
    await this.client.stop();
    await this.pool.end();
  }
}
