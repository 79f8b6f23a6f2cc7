import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createKafka } from '@ledger/messaging';
import { checkpointConfigFromEnv, checkpointIntervalFromEnv } from '../checkpoints/checkpoint-config';
import { Checkpointer, type CheckpointPublisher } from '../checkpoints/checkpointer';
import { KafkaCheckpointPublisher } from '../checkpoints/kafka-copy';
import { createEventStore } from '../factory';
import type { EventStore } from '../port';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { DatabaseReadiness, isPostgresUrl } from './database-health';

/** Injection token of the configured `EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** Injection token of the store's running checkpoints (null when they are off or the store is not PostgreSQL). */
export const EVENT_CHECKPOINTER = Symbol('EVENT_CHECKPOINTER');

export interface EventStoreCheckpointOptions {
  /** Overrides EVENT_CHECKPOINT_INTERVAL_MS. */
  intervalMs?: number;
  /** Where each checkpoint is also published; by default Kafka's EVENT_CHECKPOINT_TOPIC when set, else nowhere. */
  publish?: CheckpointPublisher;
}

export interface EventStoreModuleOptions {
  /** `postgres://…` (default adapter) or `esdb://…`/`kurrentdb://…`; defaults to EVENT_STORE_URL, then DATABASE_URL. */
  url?: string;
  /** PostgreSQL schema holding this service's streams (each service owns its history). */
  schema: string;
  /**
   * Signed checkpoints of the store's hash chains (PostgreSQL): on by default, configured by the
   * EVENT_CHECKPOINT_* variables (`checkpoints/checkpoint-config.ts`); `false` turns them off.
   */
  checkpoints?: false | EventStoreCheckpointOptions;
}

/** Injection token of the service's database readiness check (null when it keeps no PostgreSQL database). */
const DATABASE_READINESS = Symbol('DATABASE_READINESS');

/** The checkpointer a service runs, and the Kafka publisher it owns (if any). */
export interface RunningCheckpoints {
  checkpointer: Checkpointer;
  publisher?: KafkaCheckpointPublisher;
}

@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_CHECKPOINTER) private readonly checkpoints: RunningCheckpoints | null,
    @Inject(DATABASE_READINESS) private readonly readiness: DatabaseReadiness | null,
  ) {}

  onApplicationBootstrap(): void {
    this.checkpoints?.checkpointer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readiness?.close();
    // The checkpointer's run in flight needs the store: stop it first.
    await this.checkpoints?.checkpointer.stop();
    await this.checkpoints?.publisher?.close().catch(() => undefined);
    await this.store.close();
  }
}

/**
 * Provides the service's event store, migrated and connected before the first handler runs, and
 * closed when the application shuts down. With a PostgreSQL store it also runs the store's
 * checkpointer (`checkpoints/checkpointer.ts`) from the application's start to its shutdown: one
 * instance of the service writes each checkpoint, whichever number of replicas run it.
 */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (): Promise<EventStore> => {
            const url = options.url ?? process.env.EVENT_STORE_URL ?? process.env.DATABASE_URL;
            if (!url) throw new Error('no event store URL: set EVENT_STORE_URL or DATABASE_URL');
            const store = createEventStore(url, { schema: options.schema });
            await store.init();
            return store;
          },
        },
        {
          provide: EVENT_CHECKPOINTER,
          useFactory: (store: EventStore): RunningCheckpoints | null => startableCheckpoints(store, options),
          inject: [EVENT_STORE],
        },
        {
          // Readiness: the service's PostgreSQL (the store's, else DATABASE_URL where its read models live) answers.
          provide: DATABASE_READINESS,
          useFactory: (): DatabaseReadiness | null => {
            const url = [options.url ?? process.env.EVENT_STORE_URL ?? process.env.DATABASE_URL, process.env.DATABASE_URL].find(
              (candidate) => candidate !== undefined && isPostgresUrl(candidate),
            );
            return url === undefined ? null : new DatabaseReadiness(url);
          },
        },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, EVENT_CHECKPOINTER],
    };
  }
}

function startableCheckpoints(store: EventStore, options: EventStoreModuleOptions): RunningCheckpoints | null {
  if (options.checkpoints === false) return null;
  const logger = new Logger(`event-checkpoints:${options.schema}`);
  const intervalMs = options.checkpoints?.intervalMs ?? checkpointIntervalFromEnv(process.env);
  if (intervalMs === 0) return null;
  if (!(store instanceof PostgresEventStore)) {
    logger.warn('signed checkpoints are PostgreSQL-only: none are written for this store (its hash chains are still verifiable)');
    return null;
  }
  // Read (and a missing key refused) at start-up, not at the first run a minute later.
  const config = checkpointConfigFromEnv(process.env, intervalMs);
  if (config === undefined) return null;
  const publisher =
    options.checkpoints?.publish === undefined && config.topic !== undefined
      ? new KafkaCheckpointPublisher(createKafka(`${store.schema}-checkpoints`), config.topic, store.schema)
      : undefined;
  const checkpointer = new Checkpointer({
    store,
    signingKey: config.signingKey,
    verificationKeys: config.verificationKeys,
    intervalMs: config.intervalMs,
    publish: options.checkpoints?.publish ?? publisher?.publish,
    onRun: (run) => {
      if (run.status === 'written')
        logger.log(`checkpoint #${run.checkpoint.body.sequence}: ${run.checkpoint.body.streams} streams, ${run.events} new events`);
    },
    onError: (error) => logger.error(error instanceof Error ? error.message : String(error)),
  });
  return { checkpointer, publisher };
}
