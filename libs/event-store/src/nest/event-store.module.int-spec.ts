import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { Client } from 'pg';
import { eventually, newEvents } from '../contract/contract-support';
import type { CheckpointRecord } from '../checkpoints/signed-checkpoint';
import type { EventStore } from '../port';
import { EVENT_CHECKPOINTER, EVENT_STORE, EventStoreModule, type RunningCheckpoints } from './event-store.module';

describe('EventStoreModule', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('es_module');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('provides a migrated store in the service schema and closes it on shutdown', async () => {
    @Module({ imports: [EventStoreModule.forRoot({ url: db.url, schema: 'identity' })] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const store = app.get<EventStore>(EVENT_STORE);
    const stream = `user-${randomUUID()}`;
    await store.append(
      stream,
      [
        {
          id: randomUUID(),
          type: 'test.Made.v1',
          data: {},
          metadata: {
            correlationId: 'c',
            causationId: 'c',
            actor: 'system:test',
            occurredAt: '2026-11-22T00:00:00.000Z',
            schemaVersion: 1,
          },
        },
      ],
      {
        expectedRevision: 'no_stream',
      },
    );

    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ schema: string }>(
        `SELECT DISTINCT table_schema AS schema FROM information_schema.tables WHERE table_schema = 'identity'`,
      );
      expect(rows).toEqual([{ schema: 'identity' }]);
    } finally {
      await client.end();
    }

    await app.close();
    await expect(store.readStream(stream)).rejects.toThrow();
  });

  it('given a PostgreSQL store, when the application runs, then its checkpointer signs checkpoints, publishes them, and stops with it', async () => {
    const published: CheckpointRecord[] = [];
    @Module({
      imports: [
        EventStoreModule.forRoot({
          url: db.url,
          schema: 'wallet',
          checkpoints: { intervalMs: 50, publish: async (record) => void published.push(record) },
        }),
      ],
    })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const store = app.get<EventStore>(EVENT_STORE);
    await store.append(`wallet-${randomUUID()}`, newEvents(2), { expectedRevision: 'no_stream' });

    await eventually(() => published.length > 0);
    await app.close();
    const rows = await query<{ sequence: string; key_id: string }>(
      'SELECT sequence, key_id FROM wallet.event_checkpoints ORDER BY sequence',
    );
    expect(rows[0]).toEqual({ sequence: '0', key_id: 'dev-checkpoints' });
    expect(published[0]).toMatchObject({ sequence: 0n, keyId: 'dev-checkpoints' });
    // Stopped with the application: no run writes after the shutdown.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await query('SELECT sequence FROM wallet.event_checkpoints')).toHaveLength(rows.length);
  });

  it('given checkpoints turned off, then no checkpointer is provided', async () => {
    @Module({ imports: [EventStoreModule.forRoot({ url: db.url, schema: 'cards', checkpoints: false })] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    expect(app.get<RunningCheckpoints | null>(EVENT_CHECKPOINTER)).toBeNull();
    await app.close();
  });

  async function query<R>(text: string): Promise<R[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text)).rows as R[];
    } finally {
      await client.end();
    }
  }
});
