import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { topics } from '@ledger/contracts';
import type { CardIssuer } from '@ledger/cards-domain';
import { EVENT_STORE, EventRelay, EventStoreModule, type EventStore } from '@ledger/event-store';
import { createKafka, pingControllerFor } from '@ledger/messaging';
import { PartnerClient, refuseSimulatorOutsideDevMode } from '@ledger/partners-http';
import { Pool } from 'pg';
import { CardsController } from './cards.controller';
import { CARD_ISSUER, CardsCore } from './cards-core';
import { CARDS_CONFIG, EVENT_STORE_SCHEMA, loadCardsConfig, type CardsConfig } from './config';
import { publishedView } from './infra/event-codec';
import { KafkaPaymentPasswordVerifier, PaymentPasswordVerifier } from './infra/payment-password-verifier';
import { CardsReadModel } from './infra/read-model';
import { WalletFollower } from './infra/wallet-follower';
import { HttpCardIssuer } from './infra/http-card-issuer';

export const CARDS_CONTEXT = 'cards';
const PG_POOL = Symbol('CARDS_PG_POOL');

/** The topic the relay publishes to: `<prefix>cards.events`. */
export function cardsEventsTopic(topicPrefix: string): string {
  return `${topicPrefix}${topics.events(CARDS_CONTEXT)}`;
}

/**
 * Background work of the service: the read-model projection, the Kafka client that asks identity
 * to verify payment passwords, the follower of wallet events and the relay of committed card
 * events to Kafka. Started before the first command is consumed; stopped before the event store
 * closes (`beforeApplicationShutdown` runs ahead of every `onApplicationShutdown`).
 */
@Injectable()
class CardsRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('cards');
  private relay?: EventRelay;
  private walletFollower?: WalletFollower;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CARDS_CONFIG) private readonly config: CardsConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly readModel: CardsReadModel,
    private readonly verifier: PaymentPasswordVerifier,
    @Inject(CARD_ISSUER) private readonly issuer: CardIssuer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await refuseSimulatorOutsideDevMode(this.config.issuer);
    await this.readModel.migrate();
    this.readModel.start(this.store, (error) => this.logger.error(`read-model projection stopped: ${describe(error)}`));
    if (this.verifier instanceof KafkaPaymentPasswordVerifier) await this.verifier.start();
    if (!this.config.relay) return;
    this.walletFollower = new WalletFollower(createKafka('cards-wallet-follower'), this.config.topicPrefix, this.readModel);
    await this.walletFollower.start();
    // Only the user-cards events are published, without fingerprint and token (see publishedView);
    // fingerprint reservations stay internal.
    this.relay = new EventRelay({
      store: this.store,
      kafka: createKafka('cards-relay'),
      topicFor: () => cardsEventsTopic(this.config.topicPrefix),
      view: publishedView,
      name: 'cards-events-relay',
      category: 'cards',
      onError: (error) => this.logger.error(`event relay stopped: ${describe(error)}`),
    });
    await this.relay.start();
    this.logger.log(`relaying card events to ${cardsEventsTopic(this.config.topicPrefix)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.walletFollower?.stop();
    if (this.verifier instanceof KafkaPaymentPasswordVerifier) await this.verifier.stop();
    await this.readModel.stop();
    if (this.issuer instanceof HttpCardIssuer) this.issuer.client.close();
    await this.pool.end();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Adapters a test may put in place of the real ones. */
export interface CardsAdapters {
  /** Identity's checks; by default the Kafka client of identity's commands. A test that runs cards alone stands in for identity. */
  verifier?: PaymentPasswordVerifier;
}

/**
 * The cards service's providers. `forRoot()` reads the environment (see config.ts); tests pass
 * overrides: their own database, topic prefix, keyrings, clock and card issuer URL. The card issuer
 * is reached over HTTP (`HttpCardIssuer`); tests point it at a partner simulator of their own.
 */
@Module({})
export class CardsCoreModule {
  static forRoot(overrides: Partial<CardsConfig> = {}, adapters: CardsAdapters = {}): DynamicModule {
    return {
      module: CardsCoreModule,
      imports: [EventStoreModule.forRoot({ schema: EVENT_STORE_SCHEMA, url: overrides.eventStoreUrl ?? overrides.databaseUrl })],
      controllers: [pingControllerFor(CARDS_CONTEXT), CardsController],
      providers: [
        { provide: CARDS_CONFIG, useFactory: () => loadCardsConfig(overrides) },
        {
          provide: PG_POOL,
          useFactory: (config: CardsConfig) => new Pool({ connectionString: config.databaseUrl, max: 10 }),
          inject: [CARDS_CONFIG],
        },
        { provide: CardsReadModel, useFactory: (pool: Pool) => new CardsReadModel(pool), inject: [PG_POOL] },
        {
          provide: CARD_ISSUER,
          useFactory: (config: CardsConfig) => new HttpCardIssuer(new PartnerClient(config.issuer)),
          inject: [CARDS_CONFIG],
        },
        {
          provide: PaymentPasswordVerifier,
          useFactory: (config: CardsConfig) =>
            adapters.verifier ??
            new KafkaPaymentPasswordVerifier(createKafka('cards-identity-client'), config.topicPrefix, config.identityTimeoutMs),
          inject: [CARDS_CONFIG],
        },
        {
          provide: CardsCore,
          useFactory: (
            store: EventStore,
            config: CardsConfig,
            issuer: CardIssuer,
            verifier: PaymentPasswordVerifier,
            readModel: CardsReadModel,
          ) => new CardsCore({ store, config, issuer, verifier, readModel }),
          inject: [EVENT_STORE, CARDS_CONFIG, CARD_ISSUER, PaymentPasswordVerifier, CardsReadModel],
        },
        CardsRuntime,
      ],
    };
  }
}

/** The cards service: card binding and unbinding, issuer checks, default card. */
@Module({ imports: [CardsCoreModule.forRoot()] })
export class CardsModule {}
