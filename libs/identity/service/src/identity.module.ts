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
import { EVENT_STORE, EventRelay, EventStoreModule, type EventStore } from '@ledger/event-store';
import { createKafka, pingControllerFor } from '@ledger/messaging';
import { PartnerClient, refuseSimulatorOutsideDevMode } from '@ledger/partners-http';
import { Pool } from 'pg';
import { EVENT_STORE_SCHEMA, IDENTITY_CONFIG, loadIdentityConfig, type IdentityConfig } from './config';
import { IdentityController } from './identity.controller';
import { IdentityCore } from './identity-core';
import { toPublishedEvent } from './infra/event-codec';
import { IdentityReadModel } from './infra/read-model';
import { HttpSmsSender, SmsSender } from './infra/sms-sender';
import { SessionService } from './use-cases/sessions/session-service';
import { StaffLogins } from './use-cases/staff/staff-login';
import { StaffLoginLimits } from './use-cases/staff/staff-login-limits';

export const IDENTITY_CONTEXT = 'identity';
const PG_POOL = Symbol('IDENTITY_PG_POOL');

/** The topic the relay publishes to: `<prefix>identity.events`. */
export function identityEventsTopic(topicPrefix: string): string {
  return `${topicPrefix}${topics.events(IDENTITY_CONTEXT)}`;
}

/**
 * Background work of the service: the read-model projection and the relay of committed user events
 * to Kafka. Started before the first command is consumed; stopped before the event store closes
 * (`beforeApplicationShutdown` runs ahead of every `onApplicationShutdown`).
 */
@Injectable()
class IdentityRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('identity');
  private relay?: EventRelay;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly readModel: IdentityReadModel,
    private readonly staffLoginLimits: StaffLoginLimits,
    private readonly sms: SmsSender,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.fieldKeyring.isDevelopmentKeyring || this.config.pepperKeyring.isDevelopmentKeyring) {
      this.logger.warn('using the public development keys (FIELD_KEYS / HASH_PEPPER_KEYS unset): fine locally, refused in production');
    }
    await refuseSimulatorOutsideDevMode(this.config.sms);
    this.logger.log(`SMS go to ${this.config.sms.baseUrl}`);
    await this.readModel.migrate();
    await this.staffLoginLimits.migrate();
    this.readModel.start(this.store, (error) => this.logger.error(`read-model projection stopped: ${describe(error)}`));
    if (!this.config.relay) return;
    // Only the `user` category is published: codes, reservations and the maintenance switch are
    // internal to identity. Private fields (hashes, ciphertexts) are removed on the way out.
    this.relay = new EventRelay({
      store: this.store,
      view: toPublishedEvent,
      kafka: createKafka('identity-relay'),
      topicFor: () => identityEventsTopic(this.config.topicPrefix),
      name: 'identity-events-relay',
      category: 'user',
      onError: (error) => this.logger.error(`event relay stopped: ${describe(error)}`),
    });
    await this.relay.start();
    this.logger.log(`relaying user events to ${identityEventsTopic(this.config.topicPrefix)}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.readModel.stop();
    if (this.sms instanceof HttpSmsSender) this.sms.client.close();
    await this.pool.end();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The identity service's providers. `forRoot()` reads the environment (see config.ts); tests pass
 * overrides: their own database, topic prefix, keyrings, clock and SMS outbox.
 */
@Module({})
export class IdentityCoreModule {
  static forRoot(overrides: Partial<IdentityConfig> = {}): DynamicModule {
    return {
      module: IdentityCoreModule,
      imports: [EventStoreModule.forRoot({ schema: EVENT_STORE_SCHEMA, url: overrides.eventStoreUrl ?? overrides.databaseUrl })],
      controllers: [pingControllerFor(IDENTITY_CONTEXT), IdentityController],
      providers: [
        { provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig(overrides) },
        {
          provide: PG_POOL,
          useFactory: (config: IdentityConfig) => new Pool({ connectionString: config.databaseUrl, max: 10 }),
          inject: [IDENTITY_CONFIG],
        },
        { provide: IdentityReadModel, useFactory: (pool: Pool) => new IdentityReadModel(pool), inject: [PG_POOL] },
        {
          provide: SmsSender,
          useFactory: (config: IdentityConfig) => new HttpSmsSender(new PartnerClient(config.sms)),
          inject: [IDENTITY_CONFIG],
        },
        {
          provide: SessionService,
          useFactory: (store: EventStore, config: IdentityConfig) => new SessionService(store, config),
          inject: [EVENT_STORE, IDENTITY_CONFIG],
        },
        {
          provide: IdentityCore,
          useFactory: (store: EventStore, config: IdentityConfig, sms: SmsSender, readModel: IdentityReadModel, sessions: SessionService) =>
            new IdentityCore({ store, config, sms, readModel, sessions }),
          inject: [EVENT_STORE, IDENTITY_CONFIG, SmsSender, IdentityReadModel, SessionService],
        },
        {
          provide: StaffLoginLimits,
          useFactory: (pool: Pool, config: IdentityConfig) =>
            new StaffLoginLimits(pool, config.pepperKeyring, config.staffLoginsPerAddress),
          inject: [PG_POOL, IDENTITY_CONFIG],
        },
        {
          provide: StaffLogins,
          useFactory: (store: EventStore, config: IdentityConfig, core: IdentityCore, limits: StaffLoginLimits) =>
            new StaffLogins(store, config, core, limits),
          inject: [EVENT_STORE, IDENTITY_CONFIG, IdentityCore, StaffLoginLimits],
        },
        IdentityRuntime,
      ],
    };
  }
}

/** The identity service: users, verification codes, passwords, second factor, freeze, risk alerts. */
@Module({ imports: [IdentityCoreModule.forRoot()] })
export class IdentityModule {}
