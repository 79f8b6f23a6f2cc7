import { Client } from 'pg';
import { createEventStore, type EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import { openAnalytics } from '@ledger/projector-service';

export interface Cli {
  dataSource: DataSource;
  store(schema: string): Promise<EventStore>;
  /** The last position of a PostgreSQL event store (for the replay's ETA); undefined for other stores. */
  headPosition(schema: string): Promise<bigint | undefined>;
  close(): Promise<void>;
}

/** The analytics DataSource and a function to open a service's event store (both from the env). */
export async function openCli(): Promise<Cli> {
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
    async headPosition(schema) {
      const storeUrl = process.env.EVENT_STORE_URL || url;
      if (!/^postgres(ql)?:/.test(storeUrl) || !/^[a-z_][a-z0-9_]*$/.test(schema)) return undefined;
      const client = new Client({ connectionString: storeUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ head: string | null }>(`SELECT max(position)::text AS head FROM ${schema}.events`);
        return rows[0]?.head ? BigInt(rows[0].head) : 0n;
      } finally {
        await client.end();
      }
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
