/**
 * The projector's live side, free of Kafka: opens the analytics database (TypeORM, migrations),
 * one event store per source schema, and one live projection per read model.
 */
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { openAnalytics } from './db/data-source';
import { LiveProjection } from './engine/live';
import { PROJECTIONS, type Projection } from './projections';

export interface ProjectorOptions {
  /** The database of the analytics schema; defaults to DATABASE_URL. */
  databaseUrl?: string;
  /** Where the services' event stores are (same database by default); EVENT_STORE_URL else DATABASE_URL. */
  eventStoreUrl?: string;
  projections?: readonly Projection[];
  pollIntervalMs?: number;
  batchSize?: number;
}

export class Projector {
  private readonly logger = new Logger('projector');
  readonly stores = new Map<string, EventStore>();
  readonly live = new Map<string, LiveProjection>();
  dataSource: DataSource | undefined;

  constructor(private readonly options: ProjectorOptions = {}) {}

  storeFor(schema: string): EventStore {
    let store = this.stores.get(schema);
    if (!store) {
      // An explicit database (tests) wins over the environment; else EVENT_STORE_URL, else DATABASE_URL.
      const url = this.options.eventStoreUrl || this.options.databaseUrl || process.env.EVENT_STORE_URL || process.env.DATABASE_URL;
      if (!url) throw new Error('set DATABASE_URL (or EVENT_STORE_URL)');
      store = createEventStore(url, { schema, poolSize: 3 });
      this.stores.set(schema, store);
    }
    return store;
  }

  async start(): Promise<void> {
    const url = this.options.databaseUrl ?? process.env.DATABASE_URL;
    if (!url) throw new Error('set DATABASE_URL');
    this.dataSource = await openAnalytics(url);
    for (const projection of this.options.projections ?? PROJECTIONS) {
      const store = this.storeFor(projection.source);
      await store.init();
      const live = new LiveProjection({
        dataSource: this.dataSource,
        store,
        projection,
        batchSize: this.options.batchSize,
        pollIntervalMs: this.options.pollIntervalMs,
        onError: (error) => this.logger.error(`projection ${projection.name} stopped: ${String(error)}`),
      });
      await live.start();
      this.live.set(projection.name, live);
    }
    this.logger.log(`projecting ${[...this.live.keys()].join(', ')} into schema analytics`);
  }

  async stop(): Promise<void> {
    for (const live of this.live.values()) await live.stop();
    this.live.clear();
    for (const store of this.stores.values()) await store.close();
    this.stores.clear();
    await this.dataSource?.destroy();
    this.dataSource = undefined;
  }
}
