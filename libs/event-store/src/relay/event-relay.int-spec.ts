import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { HEADER } from '@ledger/contracts';
import { headerValue } from '@ledger/messaging';
import { TopicRecorder, createTestDatabase, testKafka, testTopic, type TestDatabase } from '@ledger/testing';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import type { NewEvent } from '../port';
import { ProcessedEvents, RecentEventIds } from './dedupe';
import { EventRelay } from './event-relay';

function event(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'test.Happened.v1',
    data: { n },
    metadata: {
      correlationId: `corr-${n}`,
      causationId: `cause-${n}`,
      actor: 'system:test',
      occurredAt: '2026-11-22T00:00:00.000Z',
      schemaVersion: 1,
    },
  };
}

describe('event relay to Kafka', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const kafka = testKafka('relay-test');

  beforeAll(async () => {
    db = await createTestDatabase('relay');
    store = new PostgresEventStore({ connectionString: db.url });
    await store.init();
  });

  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('publishes committed events with key = stream and the metadata in headers, in stream order', async () => {
    const topic = testTopic('wallet.events');
    const stream = `wallet-${randomUUID()}`;
    const events = [event(1), event(2), event(3)];
    await store.append(stream, events, { expectedRevision: 'no_stream' });
    const recorder = await new TopicRecorder(kafka, [topic]).start();
    const relay = new EventRelay({ store, kafka, topicFor: () => topic, name: `relay-${topic}`, pollIntervalMs: 50 });
    await relay.start();
    try {
      await recorder.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === events[2]!.id);
      const mine = recorder.messages.filter(({ message }) => message.key?.toString() === stream);
      expect(mine.map(({ message }) => headerValue(message.headers, HEADER.messageId))).toEqual(events.map((e) => e.id));
      const first = mine[0]!.message;
      expect(JSON.parse(first.value!.toString())).toEqual({ n: 1 });
      expect(headerValue(first.headers, HEADER.messageType)).toBe('test.Happened.v1');
      expect(headerValue(first.headers, HEADER.correlationId)).toBe('corr-1');
      expect(headerValue(first.headers, HEADER.causationId)).toBe('cause-1');
      expect(headerValue(first.headers, HEADER.actor)).toBe('system:test');
      expect(headerValue(first.headers, HEADER.streamRevision)).toBe('0');
    } finally {
      await relay.stop();
      await recorder.stop();
    }
  });

  it('publishes only the public view of events, and skips internal ones', async () => {
    const topic = testTopic('identity.events');
    const stream = `user-${randomUUID()}`;
    const secret = { ...event(1), type: 'test.PasswordSet.v1', data: { userId: 'u1', passwordHash: 'h$secret' } };
    const internal = { ...event(2), type: 'test.InternalNote.v1' };
    const visible = event(3);
    await store.append(stream, [secret, internal, visible], { expectedRevision: 'no_stream' });
    const recorder = await new TopicRecorder(kafka, [topic]).start();
    const relay = new EventRelay({
      store,
      kafka,
      topicFor: () => topic,
      name: `relay-view-${topic}`,
      pollIntervalMs: 50,
      view: (e) =>
        e.type === 'test.InternalNote.v1' ? undefined : e.type === 'test.PasswordSet.v1' ? { ...e, data: { userId: e.data.userId } } : e,
    });
    await relay.start();
    try {
      await recorder.waitFor(({ message }) => headerValue(message.headers, HEADER.messageId) === visible.id);
      const mine = recorder.messages.filter(({ message }) => message.key?.toString() === stream);
      expect(mine.map(({ message }) => headerValue(message.headers, HEADER.messageType))).toEqual([
        'test.PasswordSet.v1',
        'test.Happened.v1',
      ]);
      expect(JSON.parse(mine[0]!.message.value!.toString())).toEqual({ userId: 'u1' });
    } finally {
      await relay.stop();
      await recorder.stop();
    }
  });

  it('loses nothing when the relay process is killed (SIGKILL) in the middle and restarted', async () => {
    const topic = testTopic('killed.events');
    const name = `relay-${randomUUID()}`;
    const appended: string[] = [];
    // Enough history, in small relay batches, that the kill lands while most of it is unpublished.
    for (let s = 0; s < 40; s++) {
      const events = Array.from({ length: 100 }, (_, n) => event(s * 100 + n));
      await store.append(`killed-${s}-${randomUUID().slice(0, 6)}`, events, { expectedRevision: 'no_stream' });
      appended.push(...events.map((e) => e.id));
    }
    const recorder = await new TopicRecorder(kafka, [topic]).start();
    // Only this test's streams (category `killed`): the database also holds the other tests' events.
    const env = { ...process.env, DATABASE_URL: db.url, RELAY_TOPIC: topic, RELAY_NAME: name, RELAY_CATEGORY: 'killed' };
    const repoRoot = path.resolve(__dirname, '../../../..');
    const run = (batchSize: number): ChildProcess =>
      spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'relay-main.ts')], {
        cwd: repoRoot,
        env: { ...env, RELAY_BATCH_SIZE: String(batchSize) },
        stdio: 'ignore',
      });

    // Small batches first, so the kill lands in the middle; the restarted relay may go fast.
    const first = run(10);
    // Kill it once it has published part of the history, wherever it is in its loop.
    const deadline = Date.now() + 60_000;
    while (recorder.messages.length < 400 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const beforeRestart = recorder.messages.length;
    expect(beforeRestart).toBeGreaterThanOrEqual(400);
    expect(beforeRestart).toBeLessThan(appended.length);

    const second = run(500);
    try {
      await recorder.waitFor(
        () => new Set(recorder.messages.map(({ message }) => headerValue(message.headers, HEADER.messageId))).size === appended.length,
        150_000,
      );
    } catch (error) {
      const seen = new Set(recorder.messages.map(({ message }) => headerValue(message.headers, HEADER.messageId)));
      const missing = appended.filter((id) => !seen.has(id));
      // Tells a slow relay (every subscription waits while any transaction on the server is open,
      // since transaction ids are server-wide) from a lost event.
      const extra = [...seen].filter((id) => !appended.includes(id!)).length;
      throw new Error(
        `${String(error)}: ${seen.size} distinct of ${appended.length}, ${missing.length} missing, ${extra} unexpected; ${beforeRestart} before the restart`,
      );
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
      await recorder.stop();
    }
    const received = recorder.messages.map(({ message }) => headerValue(message.headers, HEADER.messageId)!);
    expect(new Set(received)).toEqual(new Set(appended));
    // Duplicates are allowed (the batch in flight at the kill); consumers drop them by event id.
    const dedupe = new RecentEventIds(10_000);
    expect(received.filter((id) => dedupe.firstSeen(id))).toHaveLength(appended.length);
  }, 240_000);

  it('durable dedupe records each event once per consumer', async () => {
    const processed = new ProcessedEvents('relay_test_processed');
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      await processed.migrate(pool);
      const id = randomUUID();
      expect(await processed.markProcessed(pool, 'projector', id)).toBe(true);
      expect(await processed.markProcessed(pool, 'projector', id)).toBe(false);
      expect(await processed.markProcessed(pool, 'other-consumer', id)).toBe(true);
    } finally {
      await pool.end();
    }
  });
});
