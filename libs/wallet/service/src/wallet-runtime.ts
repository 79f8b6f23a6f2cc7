import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { topics } from '@ledger/contracts';
import { EVENT_STORE, EventRelay, type EventStore } from '@ledger/event-store';
import { createKafka, ensureTopics } from '@ledger/messaging';
import { parseMinor, systemClock, type Clock } from '@ledger/util';
import { DEFAULT_WALLET_POLICY, WALLET_TIERS, type WalletPolicy, type WalletTier } from '@ledger/wallet-domain';
import { HoldExpiry } from './hold-expiry';
import { UpstreamEvents } from './upstream-events';
import { PROCESSED_EVENTS_RETENTION_MS, migrateWalletTables, pruneProcessedEvents } from './wallet-db';
import { WalletLedger } from './wallet-ledger';

export const WALLET_CONTEXT = 'wallet';
export const WALLET_OPTIONS = Symbol('WALLET_OPTIONS');

export interface WalletServiceOptions {
  /** PostgreSQL of the event store and the service's tables; defaults to DATABASE_URL. */
  databaseUrl?: string;
  /** Prefix of every topic and consumer group; defaults to KAFKA_TOPIC_PREFIX. */
  topicPrefix?: string;
  /** Tiers, limits and the frozen-credit policy; defaults to `policyFromEnv()`. */
  policy?: WalletPolicy;
  clock?: Clock;
  /** How often the expiry timer looks for due holds (and the relay / timer subscription poll). */
  pollIntervalMs?: number;
}

/**
 * The deployment's policy, from the environment:
 * - WALLET_TIER_LIMITS: per-tier overrides of the default limits, as JSON with amounts in fen as
 *   decimal strings, e.g. `{"basic":{"dailyDebitLimitMinor":"300000"}}` (unnamed tiers and limits
 *   keep their defaults; the domain rejects an inconsistent policy at start-up);
 * - WALLET_CREDITS_WHILE_FROZEN=accept|reject: what happens to money sent to a frozen wallet
 *   (default accept).
 */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): WalletPolicy {
  const frozen = env.WALLET_CREDITS_WHILE_FROZEN || DEFAULT_WALLET_POLICY.creditsWhileFrozen;
  if (frozen !== 'accept' && frozen !== 'reject') throw new Error(`WALLET_CREDITS_WHILE_FROZEN must be accept or reject, got ${frozen}`);
  const tiers = { ...DEFAULT_WALLET_POLICY.tiers };
  if (env.WALLET_TIER_LIMITS) {
    const overrides: unknown = JSON.parse(env.WALLET_TIER_LIMITS);
    if (typeof overrides !== 'object' || overrides === null) throw new Error('WALLET_TIER_LIMITS must be a JSON object of tiers');
    for (const [tier, limits] of Object.entries(overrides)) {
      if (!WALLET_TIERS.includes(tier as WalletTier))
        throw new Error(`WALLET_TIER_LIMITS: unknown tier ${tier} (tiers: ${WALLET_TIERS.join(', ')})`);
      const merged = { ...tiers[tier as WalletTier] };
      for (const [name, value] of Object.entries(limits as Record<string, unknown>)) {
        if (!(name in merged)) throw new Error(`WALLET_TIER_LIMITS: unknown limit ${tier}.${name}`);
        merged[name as keyof typeof merged] = parseMinor(value);
      }
      tiers[tier as WalletTier] = merged;
    }
  }
  return { tiers, creditsWhileFrozen: frozen };
}

/** How often the processed upstream events past their retention are forgotten. */
const PRUNE_INTERVAL_MS = 60 * 60_000;

/**
 * Everything the wallet service runs besides its command handlers: the ledger (decider + event
 * store), the relay of committed events to `wallet.events`, the durable hold-expiry timer and the
 * consumer of identity and cards events. Started once Nest has built the module; stopped before
 * the event store closes (BeforeApplicationShutdown runs ahead of the store's OnApplicationShutdown).
 */
@Injectable()
export class WalletRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly ledger: WalletLedger;
  readonly clock: Clock;
  readonly topicPrefix: string;
  readonly pool: Pool;
  readonly upstream: UpstreamEvents;
  readonly expiry: HoldExpiry;
  private readonly relay: EventRelay;
  private readonly logger = new Logger('wallet');
  private pruning?: NodeJS.Timeout;

  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(WALLET_OPTIONS) options: WalletServiceOptions,
  ) {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error('DATABASE_URL is not set');
    this.clock = options.clock ?? systemClock;
    this.topicPrefix = options.topicPrefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '';
    this.pool = new Pool({ connectionString: databaseUrl, max: 5 });
    this.pool.on('error', (error) => this.logger.warn(`idle database connection failed: ${error.message}`));
    this.ledger = new WalletLedger({ store, policy: options.policy ?? policyFromEnv() });
    const kafka = createKafka('wallet');
    const log = (message: string) => this.logger.warn(message);
    this.upstream = new UpstreamEvents({
      kafka,
      pool: this.pool,
      ledger: this.ledger,
      clock: this.clock,
      topicPrefix: this.topicPrefix,
      log,
    });
    this.expiry = new HoldExpiry({
      store,
      pool: this.pool,
      ledger: this.ledger,
      clock: this.clock,
      pollIntervalMs: options.pollIntervalMs,
      log,
    });
    this.relay = new EventRelay({
      store,
      kafka,
      name: 'wallet-events-relay',
      // Only wallet aggregates are published; the user reservation streams are internal.
      category: 'wallet',
      topicFor: () => this.eventsTopic,
      pollIntervalMs: options.pollIntervalMs,
      onError: (error) => this.logger.error(`event relay stopped: ${String(error)}`),
    });
  }

  get eventsTopic(): string {
    return `${this.topicPrefix}${topics.events(WALLET_CONTEXT)}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await migrateWalletTables(this.pool);
    const admin = createKafka('wallet-admin').admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [this.eventsTopic]);
    } finally {
      await admin.disconnect();
    }
    await this.relay.start();
    this.expiry.start();
    await this.upstream.start();
    const retentionMs = Number(process.env.WALLET_PROCESSED_EVENTS_RETENTION_MS || PROCESSED_EVENTS_RETENTION_MS);
    this.pruning = setInterval(() => {
      pruneProcessedEvents(this.pool, this.clock.now(), retentionMs).catch((error: unknown) =>
        this.logger.warn(`forgetting old processed events: ${String(error)}`),
      );
    }, PRUNE_INTERVAL_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.upstream.stop();
    await this.expiry.stop();
    await this.relay.stop();
    await this.pool.end();
  }
}
