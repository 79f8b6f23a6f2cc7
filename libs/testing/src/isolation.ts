import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A short random suffix that keeps the names one test file creates apart from every other file's. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through Jest (its global setup provides a broker)');
  return brokers.split(',');
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through Jest (its global setup provides a database)');
  return url;
}

/** A topic name unique to this test file and run, e.g. `t-abc123.identity.commands`. */
export function testTopic(name: string, suffix = uniqueSuffix()): string {
  return `t-${suffix}.${name}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the test server for one test file, so files can run in parallel
 * workers without seeing each other's rows. `drop()` removes it (call it in `afterAll`).
 */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const adminUrl = databaseUrl();
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${uniqueSuffix()}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
