import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { Client } from 'pg';
import type { EventStore } from '../port';
import { EVENT_STORE, EventStoreModule } from './event-store.module';

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
});
