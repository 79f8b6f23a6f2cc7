/**
 * What the wallet learns from other contexts, by consuming their event topics (never by calling
 * them): identity (`identity.events`) and cards (`cards.events`).
 *
 * - UserRegistered, PaymentPasswordSet, CardBound, CardUnbound feed `user_facts`/`user_cards`,
 *   which OpenWallet reads as its prerequisites; a verified identity level (at registration, or
 *   IdentityVerified later) opens the wallet at the `verified` tier, and raises an open `basic`
 *   wallet to it.
 * - AccountFrozen / AccountUnfrozen set `identity_frozen` and freeze / unfreeze the user's wallet
 *   (source `identity`).
 *
 * Exactly-once effect under at-least-once delivery: an event whose id is in `processed_events` is
 * skipped. Otherwise the wallet command runs first, with a command id derived from the event id
 * (the DeciderHandler answers a repeated command id from the stream instead of deciding again),
 * then the projection change and the event id are committed in one transaction. A crash between
 * the two re-delivers the event: the wallet command is then recognised by its id, and the
 * projection change is applied once, with its dedupe row.
 *
 * Ordering: both producers key their events by the user's stream, so one user's events arrive in
 * order within a topic. Across the two topics order does not matter: the facts are independent.
 */
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { HEADER, topics } from '@ledger/contracts';
import { ConsumerLagSampler, ensureTopics, headerValue, runCommittingPeriodically, type PeriodicOffsetCommits } from '@ledger/messaging';
import { nowInstant, type Clock } from '@ledger/util';
import { inTransaction } from '@ledger/event-store';
import { processedEvents, SCHEMA } from './wallet-db';
import { tierForIdentity, type UserFacts, type UserFactsSource, type WalletLedger } from './wallet-ledger';

export const UPSTREAM_EVENT = {
  UserRegistered: 'identity.UserRegistered.v1',
  IdentityVerified: 'identity.IdentityVerified.v1',
  PaymentPasswordSet: 'identity.PaymentPasswordSet.v1',
  AccountFrozen: 'identity.AccountFrozen.v1',
  AccountUnfrozen: 'identity.AccountUnfrozen.v1',
  CardBound: 'cards.CardBound.v1',
  CardUnbound: 'cards.CardUnbound.v1',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ATTEMPTS = 5;
export const UPSTREAM_CONSUMER = 'wallet-upstream';

export interface UpstreamEventsOptions {
  kafka: Kafka;
  pool: Pool;
  ledger: WalletLedger;
  clock: Clock;
  topicPrefix: string;
  log?: (message: string) => void;
}

export class UpstreamEvents implements UserFactsSource {
  private consumer?: Consumer;
  private commits?: PeriodicOffsetCommits;
  private lag?: ConsumerLagSampler;
  private static readonly COMMIT_INTERVAL_MS = 5_000;

  constructor(private readonly options: UpstreamEventsOptions) {}

  get topics(): string[] {
    return [`${this.options.topicPrefix}${topics.events('identity')}`, `${this.options.topicPrefix}${topics.events('cards')}`];
  }

  async start(): Promise<void> {
    const { kafka, topicPrefix } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, this.topics);
    } finally {
      await admin.disconnect();
    }
    const groupId = `${topicPrefix}wallet-service.upstream-events`;
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    // Offsets are committed every few seconds, after the events were handled (idempotent handlers
    // take the re-delivery of that window after a restart), not after every fetch.
    this.commits = await runCommittingPeriodically(this.consumer, {
      commitIntervalMs: UpstreamEvents.COMMIT_INTERVAL_MS,
      partitionsConsumedConcurrently: 4,
      eachMessage: (payload) => this.handleWithRetry(payload),
    });
    this.lag = new ConsumerLagSampler({ kafka, groupId, topics: () => this.topics });
    this.lag.start();
  }

  async stop(): Promise<void> {
    await this.lag?.stop();
    await this.commits?.stop();
    await this.consumer?.disconnect();
  }

  async factsOf(userId: string): Promise<UserFacts> {
    const { rows } = await this.options.pool.query<{
      registered: boolean;
      payment_password_set: boolean;
      identity_frozen: boolean;
      identity_verified: boolean;
      cards: string;
    }>(
      `SELECT coalesce(f.registered, false) AS registered, coalesce(f.payment_password_set, false) AS payment_password_set,
              coalesce(f.identity_frozen, false) AS identity_frozen, coalesce(f.identity_verified, false) AS identity_verified,
              (SELECT count(*) FROM ${SCHEMA}.user_cards c WHERE c.user_id = $1) AS cards
         FROM (SELECT $1::text AS user_id) u LEFT JOIN ${SCHEMA}.user_facts f ON f.user_id = u.user_id`,
      [userId],
    );
    const row = rows[0];
    return {
      registered: row?.registered === true,
      paymentPasswordSet: row?.payment_password_set === true,
      cardBound: Number(row?.cards ?? 0) > 0,
      identityFrozen: row?.identity_frozen === true,
      identityVerified: row?.identity_verified === true,
    };
  }

  /**
   * Bounded in-process retries for transient faults (a database restart); after that the error goes
   * to KafkaJS, which restarts the consumer from the uncommitted offset.
   */
  private async handleWithRetry(payload: EachMessagePayload): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handle(payload);
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        this.log(`upstream event ${payload.topic}@${payload.message.offset} attempt ${attempt} failed: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  /** Applies one upstream event (exported for tests through `apply`). */
  private async handle({ topic, message }: EachMessagePayload): Promise<void> {
    const eventId = headerValue(message.headers, HEADER.messageId);
    const type = headerValue(message.headers, HEADER.messageType);
    if (!type || !Object.values(UPSTREAM_EVENT).includes(type as never)) return; // not an event we need
    if (!eventId || !UUID.test(eventId)) return this.log(`skipping ${type} on ${topic} without a UUID message-id`);
    let data: { userId?: unknown; cardId?: unknown; reason?: unknown; identityLevel?: unknown };
    try {
      data = JSON.parse(message.value?.toString('utf8') ?? 'null') as typeof data;
    } catch {
      return this.log(`skipping ${type} ${eventId}: value is not JSON`);
    }
    if (typeof data?.userId !== 'string' || data.userId.length === 0) return this.log(`skipping ${type} ${eventId}: no userId`);
    await this.apply(eventId, type, data.userId, data);
  }

  async apply(
    eventId: string,
    type: string,
    userId: string,
    data: { cardId?: unknown; reason?: unknown; identityLevel?: unknown },
  ): Promise<void> {
    const { pool } = this.options;
    const seen = await pool.query(`SELECT 1 FROM ${SCHEMA}.processed_events WHERE consumer = $1 AND event_id = $2`, [
      UPSTREAM_CONSUMER,
      eventId,
    ]);
    if (seen.rows.length > 0) return;
    if (type === UPSTREAM_EVENT.AccountFrozen || type === UPSTREAM_EVENT.AccountUnfrozen) {
      await this.freezeOrUnfreeze(
        eventId,
        type === UPSTREAM_EVENT.AccountFrozen,
        userId,
        typeof data.reason === 'string' ? data.reason : undefined,
      );
    }
    const verified = data.identityLevel === 'verified';
    if (type === UPSTREAM_EVENT.IdentityVerified) await this.raiseTier(eventId, userId);
    await inTransaction(pool, async (client) => {
      if (!(await processedEvents.markProcessed(client, UPSTREAM_CONSUMER, eventId))) return;
      await this.project(client, type, userId, typeof data.cardId === 'string' ? data.cardId : undefined, verified);
    });
  }

  private async project(client: PoolClient, type: string, userId: string, cardId: string | undefined, verified: boolean): Promise<void> {
    const setFact = (column: 'registered' | 'payment_password_set' | 'identity_frozen' | 'identity_verified', value: boolean) =>
      client.query(
        `INSERT INTO ${SCHEMA}.user_facts (user_id, ${column}) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET ${column} = EXCLUDED.${column}, updated_at = now()`,
        [userId, value],
      );
    switch (type) {
      case UPSTREAM_EVENT.UserRegistered:
        await setFact('registered', true);
        if (verified) await setFact('identity_verified', true);
        return;
      case UPSTREAM_EVENT.IdentityVerified:
        await setFact('identity_verified', true);
        return;
      case UPSTREAM_EVENT.PaymentPasswordSet:
        await setFact('payment_password_set', true);
        return;
      case UPSTREAM_EVENT.AccountFrozen:
        await setFact('identity_frozen', true);
        return;
      case UPSTREAM_EVENT.AccountUnfrozen:
        await setFact('identity_frozen', false);
        return;
      case UPSTREAM_EVENT.CardBound:
        // A card event without a card id still proves a bound card; it is kept under a placeholder.
        await client.query(`INSERT INTO ${SCHEMA}.user_cards (user_id, card_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          userId,
          cardId ?? '?',
        ]);
        return;
      case UPSTREAM_EVENT.CardUnbound:
        await client.query(`DELETE FROM ${SCHEMA}.user_cards WHERE user_id = $1 AND card_id = $2`, [userId, cardId ?? '?']);
        return;
      default:
        return;
    }
  }

  /** Freezes (unfreezes) the user's wallet, if it has one, with a command id derived from the event. */
  private async freezeOrUnfreeze(eventId: string, freeze: boolean, userId: string, reason: string | undefined): Promise<void> {
    const walletId = await this.options.ledger.walletIdOf(userId);
    if (walletId === undefined) return; // no wallet yet: OpenWallet reads identity_frozen instead
    const now = nowInstant(this.options.clock);
    const commandId = `identity-event:${eventId}`;
    const outcome = await this.options.ledger.execute(
      {
        type: freeze ? 'FreezeWallet' : 'UnfreezeWallet',
        walletId,
        now,
        source: 'identity',
        reason: (reason ?? (freeze ? 'identity account frozen' : 'identity account unfrozen')).slice(0, 512),
      },
      { commandId, correlationId: eventId, actor: 'system:identity-events', occurredAt: now },
    );
    // WALLET_NOT_OPEN: the open crashed half-way; it reads identity_frozen when completed.
    if (outcome.kind === 'rejected' && outcome.code !== 'WALLET_NOT_OPEN')
      this.log(`${freeze ? 'freeze' : 'unfreeze'} of wallet ${walletId} rejected: ${outcome.code}`);
  }

  /**
   * Raises the user's open wallet to the tier of a verified identity, with a command id derived from
   * the event (a wallet opened later reads `identity_verified` instead). A wallet already at that
   * tier or above is left as it is.
   */
  private async raiseTier(eventId: string, userId: string): Promise<void> {
    const walletId = await this.options.ledger.walletIdOf(userId);
    if (walletId === undefined) return;
    const { state } = await this.options.ledger.stateOf(walletId);
    if (state.status === 'unopened' || state.tier !== 'basic') return;
    const now = nowInstant(this.options.clock);
    const outcome = await this.options.ledger.execute(
      { type: 'ChangeWalletTier', walletId, tier: tierForIdentity({ identityVerified: true }), now },
      { commandId: `identity-event:${eventId}`, correlationId: eventId, actor: 'system:identity-events', occurredAt: now },
    );
    if (outcome.kind === 'rejected') this.log(`raising wallet ${walletId} to the verified tier rejected: ${outcome.code}`);
  }

  private log(message: string): void {
    (this.options.log ?? console.warn)(message);
  }
}
