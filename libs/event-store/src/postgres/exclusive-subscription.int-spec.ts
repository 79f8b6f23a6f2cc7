import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { eventually, newEvents, uniqueName } from '../contract/contract-support';
import type { RecordedEvent, Subscription } from '../port';
import { SUBSCRIPTION_LOCK_CLASS } from './exclusive-subscription';
import { PostgresEventStore } from './postgres-event-store';

/**
 * Two replicas of a service (two stores, two pools, one database) subscribe with the same name and
 * `exclusive: true`: one handles the events, the other stands by and takes over when the first stops
 * or loses its database session, resuming from the checkpoint.
 */
describe('exclusive subscriptions (one consumer across replicas)', () => {
  let db: TestDatabase;
  let replicaA: PostgresEventStore;
  let replicaB: PostgresEventStore;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('exclusive_sub');
    replicaA = new PostgresEventStore({ connectionString: db.url, maxConnections: 4 });
    replicaB = new PostgresEventStore({ connectionString: db.url, maxConnections: 4 });
    await replicaA.init();
  });

  afterAll(async () => {
    for (const subscription of subscriptions) await subscription.stop();
    await replicaA?.close();
    await replicaB?.close();
    await db?.drop();
  });

  function follow(store: PostgresEventStore, name: string, category: string, seen: RecordedEvent[]): Subscription {
    const subscription = store.subscribe({
      name,
      category,
      exclusive: true,
      pollIntervalMs: 20,
      handle: async (events) => void seen.push(...events),
    });
    subscriptions.push(subscription);
    return subscription;
  }

  /** Ends the database session that holds the subscription's lock, as a crashed leader's would end. */
  async function killLockSession(): Promise<number> {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [SUBSCRIPTION_LOCK_CLASS],
      );
      return rows.filter((row) => row.terminated).length;
    } finally {
      await admin.end();
    }
  }

  it('hands every event to exactly one replica, and the standby resumes from the checkpoint when the leader stops', async () => {
    const name = uniqueName('relay-');
    const category = uniqueName('excl');
    const seenA: RecordedEvent[] = [];
    const seenB: RecordedEvent[] = [];
    const leader = follow(replicaA, name, category, seenA);
    await replicaA.append(`${category}-1`, newEvents(10), { expectedRevision: 'no_stream' });
    await eventually(() => seenA.length === 10);
    follow(replicaB, name, category, seenB);
    await replicaA.append(`${category}-1`, newEvents(5), { expectedRevision: 9n });
    await eventually(() => seenA.length === 15);
    expect(seenB).toHaveLength(0);

    await leader.stop();
    await replicaA.append(`${category}-1`, newEvents(5), { expectedRevision: 14n });
    await eventually(() => seenB.length === 5);
    expect(seenB.map((event) => event.revision)).toEqual([15n, 16n, 17n, 18n, 19n]);
    expect(seenA).toHaveLength(15);
  });

  it('a leader whose database session dies stops at once and the standby takes over', async () => {
    const name = uniqueName('projection-');
    const category = uniqueName('excl');
    const seenA: RecordedEvent[] = [];
    const seenB: RecordedEvent[] = [];
    follow(replicaA, name, category, seenA);
    await replicaA.append(`${category}-1`, newEvents(3), { expectedRevision: 'no_stream' });
    await eventually(() => seenA.length === 3);
    await eventually(async () => (await replicaA.readCheckpoint(name)) !== undefined);
    follow(replicaB, name, category, seenB);

    expect(await killLockSession()).toBeGreaterThanOrEqual(1);
    await replicaA.append(`${category}-1`, newEvents(4), { expectedRevision: 2n });
    await eventually(() => seenA.length + seenB.length >= 7);
    // Whoever leads now, each event after the takeover is handled once and nothing before it again.
    const handled = [...seenA, ...seenB].map((event) => event.revision);
    expect(new Set(handled).size).toBe(7);
    expect(handled).toHaveLength(7);
  });
});
