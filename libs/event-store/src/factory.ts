import { KurrentEventStore } from './kurrent/kurrent-event-store';
import type { EventStore } from './port';
import { PostgresEventStore } from './postgres/postgres-event-store';
import type { UpcasterRegistry } from './upcasters';

export interface CreateEventStoreOptions {
  upcasters?: UpcasterRegistry;
  /** PostgreSQL only: the schema of the store's tables (default `event_store`). */
  schema?: string;
  /** PostgreSQL only: connection pool size (default 10). */
  poolSize?: number;
}

export type EventStoreAdapter = 'postgres' | 'kurrentdb';

const ADAPTER_BY_SCHEME: Readonly<Record<string, EventStoreAdapter>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'esdb:': 'kurrentdb',
  'esdb+discover:': 'kurrentdb',
  'kurrentdb:': 'kurrentdb',
  'kurrentdb+discover:': 'kurrentdb',
};

/** Which adapter a connection URL selects, by its scheme; throws for any other scheme. */
export function adapterFor(url: string): EventStoreAdapter {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1]?.toLowerCase();
  const adapter = scheme === undefined ? undefined : ADAPTER_BY_SCHEME[scheme];
  if (!adapter) {
    throw new Error(
      `Unsupported event store URL scheme in "${url.replace(/\/\/[^@/]*@/, '//***@')}": use postgres://, postgresql://, esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://`,
    );
  }
  return adapter;
}

/** The event store the connection URL names: PostgreSQL (the default deployment) or KurrentDB. */
export function createEventStore(url: string, options: CreateEventStoreOptions = {}): EventStore {
  switch (adapterFor(url)) {
    case 'postgres':
      return new PostgresEventStore({
        connectionString: url,
        schema: options.schema,
        maxConnections: options.poolSize,
        upcasters: options.upcasters,
      });
    case 'kurrentdb':
      return new KurrentEventStore({ connectionString: url, upcasters: options.upcasters });
  }
}
