import { createEventStore, type EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import { openAnalytics } from '../db/data-source';

/** The analytics DataSource and a function to open a service's event store (both from the env). */
export async function openCli(): Promise<{ dataSource: DataSource; store(schema: string): Promise<EventStore>; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL');
  const dataSource = await openAnalytics(url, 4);
  const stores: EventStore[] = [];
  return {
    dataSource,
    async store(schema) {
      const store = createEventStore(process.env.EVENT_STORE_URL || url, { schema, poolSize: 2 });
      await store.init();
      stores.push(store);
      return store;
    },
    async close() {
      for (const store of stores) await store.close();
      await dataSource.destroy();
    },
  };
}

/** `--name value` from argv. */
export function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}
