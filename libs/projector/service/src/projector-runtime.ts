/**
 * The projector's live side, free of Kafka: opens the analytics database (TypeORM, migrations),
 * one event store per source schema, and one live projection per read model. The projections of
 * one store are fed by a single reader of that store (`StoreReader`), so each page is read once
 * whatever the number of read models built from it.
 */
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createEventStore, type EventStore } from '@ledger/event-store';
import { openAnalytics } from './db/data-source';
import { cursorOrderFor, type CursorOrder } from './engine/cursor-order';
import { LiveProjection, ProjectionSubscription } from './engine/live';
import { StoreReader } from './engine/store-reader';
import { PROJECTIONS, type Projection } from './projections';

export interface ProjectorOptions {
  /** The database of the analytics schema; defaults to DATABASE_URL. */
  databaseUrl?: string;
  /** Where the services' event stores are (same database by default); EVENT_STORE_URL else DATABASE_URL. */
  eventStoreUrl?: string;
  /** A store that lives in a database of its own (a deployment with one database per service, the tests' harnesses), by schema. */
  storeUrls?: Partial<Record<Projection['source'], string>>;
  projections?: readonly Projection[];
  /** Longest sleep of a caught-up reader before it reads its store again (default `PROJECTOR_POLL_INTERVAL_MS`). */
  pollIntervalMs?: number;
  batchSize?: number;
}

/**
 * The analysts' read models may trail the stores by half a second. The projector runs apart from
 * the services, so no append wakes it: its readers poll. At 100 ms each store was read ten times a
 * second under any load, and each page cost every projection of the store a transaction; at 500 ms a
 * caught-up store is read twice a second and a busy one in five times larger pages.
 */
export const PROJECTOR_POLL_INTERVAL_MS = 500;

export class Projector {
  private readonly logger = new Logger('projector');
  readonly stores = new Map<string, EventStore>();
  readonly live = new Map<string, LiveProjection>();
  /** One reader per source store (by schema), feeding every projection of that store. */
  readonly readers = new Map<string, StoreReader>();
  /** Projections on a store whose cursors the projector does not compare follow their own subscription. */
  private readonly subscriptions: ProjectionSubscription[] = [];
  dataSource: DataSource | undefined;

  constructor(private readonly options: ProjectorOptions = {}) {}

  private get pollIntervalMs(): number {
    return this.options.pollIntervalMs ?? PROJECTOR_POLL_INTERVAL_MS;
  }

  private storeUrl(schema?: string): string {
    // An explicit database (tests) wins over the environment; else EVENT_STORE_URL, else DATABASE_URL.
    const own = schema === undefined ? undefined : this.options.storeUrls?.[schema as Projection['source']];
    const url = own || this.options.eventStoreUrl || this.options.databaseUrl || process.env.EVENT_STORE_URL || process.env.DATABASE_URL;
    if (!url) throw new Error('set DATABASE_URL (or EVENT_STORE_URL)');
    return url;
  }

  /** The names of the projections kept live. */
  liveProjections(): string[] {
    return [...this.live.keys()];
  }

  /** How the cursors of a source store compare; undefined for a store whose cursors the projector does not compare (KurrentDB). */
  cursorOrderOf(schema: Projection['source']): CursorOrder | undefined {
    return cursorOrderFor(this.storeUrl(schema));
  }

  /**
   * The projection is live, still fed, and its reader last read up to its store's end. A projection
   * on its own subscription (a store whose cursors are not compared) counts as caught up once live:
   * its subscription does not say.
   */
  isCaughtUp(name: string): boolean {
    const live = this.live.get(name);
    if (!live) return false;
    const reader = this.readers.get(live.projection.source);
    return reader === undefined ? true : reader.projections.includes(live) && reader.caughtUp;
  }

  storeFor(schema: string): EventStore {
    let store = this.stores.get(schema);
    if (!store) {
      store = createEventStore(this.storeUrl(schema), { schema, poolSize: 3 });
      this.stores.set(schema, store);
    }
    return store;
  }

  async start(): Promise<void> {
    const url = this.options.databaseUrl ?? process.env.DATABASE_URL;
    if (!url) throw new Error('set DATABASE_URL');
    const dataSource = await openAnalytics(url);
    this.dataSource = dataSource;
    const bySource = new Map<Projection['source'], Projection[]>();
    for (const projection of this.options.projections ?? PROJECTIONS)
      bySource.set(projection.source, [...(bySource.get(projection.source) ?? []), projection]);
    const following: string[] = [];
    for (const [source, projections] of bySource) {
      const store = this.storeFor(source);
      const order = cursorOrderFor(this.storeUrl(source));
      await store.init();
      const lives = projections.map((projection) => new LiveProjection({ dataSource, projection }));
      for (const live of lives) this.live.set(live.projection.name, live);
      const onError = (name: string, error: unknown) => this.logger.error(`projection ${name} stopped: ${String(error)}`);
      if (order) {
        const reader = new StoreReader({
          store,
          order,
          projections: lives,
          batchSize: this.options.batchSize,
          pollIntervalMs: this.pollIntervalMs,
          onError,
        });
        await reader.start();
        this.readers.set(source, reader);
        following.push(`${source} (${projections.map((projection) => projection.name).join(', ')}; one reader)`);
        continue;
      }
      for (const live of lives) {
        const subscription = new ProjectionSubscription({
          live,
          store,
          batchSize: this.options.batchSize,
          pollIntervalMs: this.pollIntervalMs,
          onError: (error) => onError(live.projection.name, error),
        });
        await subscription.start();
        this.subscriptions.push(subscription);
      }
      following.push(`${source} (${projections.map((projection) => projection.name).join(', ')}; one subscription each)`);
    }
    this.logger.log(`projecting into schema analytics from ${following.join('; ')}`);
  }

  async stop(): Promise<void> {
    for (const reader of this.readers.values()) await reader.stop();
    this.readers.clear();
    for (const subscription of this.subscriptions) await subscription.stop();
    this.subscriptions.length = 0;
    this.live.clear();
    for (const store of this.stores.values()) await store.close();
    this.stores.clear();
    await this.dataSource?.destroy();
    this.dataSource = undefined;
  }
}
