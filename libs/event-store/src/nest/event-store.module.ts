import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createEventStore } from '../factory';
import type { EventStore } from '../port';

/** Injection token of the configured `EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');

export interface EventStoreModuleOptions {
  /** `postgres://…` (default adapter) or `esdb://…`/`kurrentdb://…`; defaults to EVENT_STORE_URL, then DATABASE_URL. */
  url?: string;
  /** PostgreSQL schema holding this service's streams (each service owns its history). */
  schema: string;
}

@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Provides the service's event store, migrated and connected before the first handler runs, and
 * closed when the application shuts down.
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
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE],
    };
  }
}
