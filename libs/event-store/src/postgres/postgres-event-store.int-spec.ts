import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { eventually, newEvents, uniqueName } from '../contract/contract-support';
import { eventStoreContract } from '../contract/event-store.contract';
import { EventIdConflict, WrongExpectedRevision } from '../errors';
import { START, type RecordedEvent } from '../port';
import { createEventStore } from '../factory';
import { decodePostgresCursor } from './cursor';
import { PostgresCheckpointStore } from './postgres-checkpoint-store';
import { PostgresEventStore } from './postgres-event-store';
import { LATEST_SCHEMA_VERSION } from './schema';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('event_store');
});

afterAll(async () => {
  await db?.drop();
});

eventStoreContract(
  'PostgreSQL',
  async () => ({
    store: new PostgresEventStore({ connectionString: db.url, maxConnections: 4 }),
    openAnother: async () => new PostgresEventStore({ connectionString: db.url, maxConnections: 2 }),
    dispose: async () => undefined,
  }),
  { detectsReusedEventIds: true },
);

describe('PostgreSQL event store', () => {
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = new PostgresEventStore({ connectionString: db.url, maxConnections: 25 });
    await store.init();
  });

  afterAll(async () => {
    await store.close();
  });

  it('never skips an event whose transaction commits after a later-numbered one (late commit)', async () => {
    const category = uniqueName('late');
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribe({
      name: uniqueName('late-subscriber-'),
      category,
      pollIntervalMs: 5,
      handle: async (events) => void delivered.push(...events),
    });
    const writerA = new Client({ connectionString: db.url });
    const writerB = new Client({ connectionString: db.url });
    await Promise.all([writerA.connect(), writerB.connect()]);
    try {
      await writerA.query('BEGIN');
      await writerB.query('BEGIN');
      const [eventA] = newEvents(1);
      const [eventB] = newEvents(1);
      // A takes the lower position and stays open; B takes the higher one and commits.
      const a = await store.append(`${category}-a`, [eventA!], { expectedRevision: 'no_stream', client: writerA });
      const b = await store.append(`${category}-b`, [eventB!], { expectedRevision: 'no_stream', client: writerB });
      expect(a.firstPosition).toBeLessThan(b.firstPosition);
      await writerB.query('COMMIT');

      // B is committed and visible to a plain query: a reader paging by position alone would take it
      // now and move past A's position for good.
      const visible = await writerB.query<{ position: string }>(
        `SELECT position FROM event_store.events WHERE category = $1 ORDER BY position`,
        [category],
      );
      expect(visible.rows.map((row) => BigInt(row.position))).toEqual([b.firstPosition]);
      // The store's readers hold back instead: B's transaction is newer than the still-open A.
      expect((await store.readCategory(category)).events).toEqual([]);
      // Let the subscriber poll many times while A is open: it must not deliver B ahead of A.
      for (let polls = 0; polls < 20; polls++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(delivered).toEqual([]);
      }

      await writerA.query('COMMIT');
      await eventually(() => delivered.length >= 2);
      expect(delivered.map((event) => event.id)).toEqual([eventA!.id, eventB!.id]);
      // Nothing comes twice, however long the subscriber keeps polling.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(delivered).toHaveLength(2);
    } finally {
      await Promise.all([writerA.end(), writerB.end()]);
      await subscription.stop();
    }
  });

  it('twenty parallel writers with the same exact expected revision: exactly one wins each round', async () => {
    const stream = uniqueName('race-');
    await store.append(stream, newEvents(1), { expectedRevision: 'no_stream' });
    for (let round = 0; round < 3; round++) {
      const expected = BigInt(round);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.append(stream, newEvents(1), { expectedRevision: expected })),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const error of lost) {
        expect(error).toBeInstanceOf(WrongExpectedRevision);
        expect(error).toMatchObject({ expected, actualRevision: expected + 1n });
      }
    }
    expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 4 });
  });

  it("twenty parallel writers with 'any' all succeed with distinct consecutive revisions and an intact chain", async () => {
    const stream = uniqueName('any-');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.append(stream, newEvents(2), { expectedRevision: 'any' })));
    const firsts = results.map((result) => result.firstRevision).sort((x, y) => (x < y ? -1 : 1));
    expect(firsts).toEqual(Array.from({ length: 20 }, (_, index) => BigInt(index * 2)));
    for (const result of results) expect(result.lastRevision).toBe(result.firstRevision + 1n);
    const events = await store.readStream(stream);
    expect(events.map((event) => event.revision)).toEqual(Array.from({ length: 40 }, (_, index) => BigInt(index)));
    expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 40 });
    // The global read order keeps the stream in revision order even though the writers raced. (A
    // transaction open elsewhere on the server, another test file's, can hold the newest back a moment.)
    const ofStream = async () => (await store.readCategory('any', { limit: 10_000 })).events.filter((event) => event.stream === stream);
    await eventually(async () => (await ofStream()).length === events.length);
    expect((await ofStream()).map((event) => event.revision)).toEqual(events.map((event) => event.revision));
  });

  describe('group commit', () => {
    const transactionIdsOf = async (streams: string[]): Promise<string[]> =>
      (
        await store.withClient((client) =>
          client.query<{ tx: string }>(`SELECT DISTINCT transaction_id::text AS tx FROM event_store.events WHERE stream = ANY($1)`, [
            streams,
          ]),
        )
      ).rows.map((row) => row.tx);

    it('writes the appends of one moment to many streams in one transaction, each chained and in order', async () => {
      const streams = Array.from({ length: 30 }, () => uniqueName('group-'));
      const results = await Promise.all(streams.map((stream) => store.append(stream, newEvents(3), { expectedRevision: 'no_stream' })));
      for (const result of results) expect(result).toMatchObject({ firstRevision: 0n, lastRevision: 2n, duplicate: false });
      // One transaction for all thirty (the first commit takes every append queued in that turn).
      expect(await transactionIdsOf(streams)).toHaveLength(1);
      for (const stream of streams) expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 3 });
      // Positions follow each stream's revisions.
      for (const result of results) expect(result.lastPosition - result.firstPosition).toBe(2n);
    });

    it('fails only the append whose expectation is wrong; the others of the same commit are written', async () => {
      const [good, stale, fresh] = [uniqueName('group-good-'), uniqueName('group-stale-'), uniqueName('group-fresh-')];
      await store.append(good, newEvents(1), { expectedRevision: 'no_stream' });
      await store.append(stale, newEvents(2), { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled([
        store.append(good, newEvents(2), { expectedRevision: 0n }),
        store.append(stale, newEvents(1), { expectedRevision: 0n }),
        store.append(fresh, newEvents(1), { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { firstRevision: 1n, lastRevision: 2n } });
      expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { expected: 0n, actualRevision: 1n } });
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
      expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { firstRevision: 0n } });
      expect((await store.readStream(stale)).map((event) => event.revision)).toEqual([0n, 1n]);
      expect(await store.verifyStream(good)).toMatchObject({ ok: true, events: 3 });
    });

    it('writes nothing of an append that collides on one of its ids, and answers a retried append as a duplicate', async () => {
      const [taken, colliding, retried] = [uniqueName('group-taken-'), uniqueName('group-collide-'), uniqueName('group-retry-')];
      const takenEvents = newEvents(1);
      await store.append(taken, takenEvents, { expectedRevision: 'no_stream' });
      const retriedEvents = newEvents(2);
      const original = await store.append(retried, retriedEvents, { expectedRevision: 'no_stream' });
      // The colliding append's second event reuses an id of another stream: its first event is inserted, then taken back.
      const outcomes = await Promise.allSettled([
        store.append(colliding, [...newEvents(1), takenEvents[0]!], { expectedRevision: 'no_stream' }),
        store.append(retried, retriedEvents, { expectedRevision: 'no_stream' }),
        store.append(uniqueName('group-other-'), newEvents(1), { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes[0]).toMatchObject({ status: 'rejected' });
      expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(EventIdConflict);
      expect(await store.readStream(colliding)).toEqual([]);
      expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { ...original, duplicate: true } });
      expect(outcomes[2]).toMatchObject({ status: 'fulfilled' });
    });

    it('keeps a second append to the same stream for the next commit, where its expectation is checked', async () => {
      const stream = uniqueName('group-same-');
      const [first, second, third] = await Promise.allSettled([
        store.append(stream, newEvents(1), { expectedRevision: 'no_stream' }),
        store.append(stream, newEvents(1), { expectedRevision: 0n }),
        store.append(stream, newEvents(1), { expectedRevision: 'no_stream' }),
      ]);
      expect(first).toMatchObject({ status: 'fulfilled', value: { firstRevision: 0n } });
      expect(second).toMatchObject({ status: 'fulfilled', value: { firstRevision: 1n } });
      expect(third).toMatchObject({ status: 'rejected', reason: { actualRevision: 1n } });
      expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 2 });
    });

    it('bounds a commit by its events: more appends than fit go in several transactions', async () => {
      const bounded = new PostgresEventStore({
        connectionString: db.url,
        maxConnections: 4,
        groupCommit: { maxEvents: 10, maxInFlight: 1 },
      });
      try {
        const streams = Array.from({ length: 12 }, () => uniqueName('group-bounded-'));
        await Promise.all(streams.map((stream) => bounded.append(stream, newEvents(2), { expectedRevision: 'no_stream' })));
        // 24 events at most 10 per commit: at least three transactions.
        expect((await transactionIdsOf(streams)).length).toBeGreaterThanOrEqual(3);
        for (const stream of streams) expect(await bounded.verifyStream(stream)).toMatchObject({ ok: true, events: 2 });
      } finally {
        await bounded.close();
      }
    });
  });

  it('with checkpointIntervalMs, a subscription writes its checkpoint at most that often and when it stops', async () => {
    const category = uniqueName('ckpt');
    const name = uniqueName('interval-subscriber-');
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribe({
      name,
      category,
      pollIntervalMs: 5,
      batchWindowMs: 0,
      checkpointIntervalMs: 60_000,
      handle: async (events) => void delivered.push(...events),
    });
    await store.append(`${category}-a`, newEvents(2), { expectedRevision: 'no_stream' });
    await eventually(() => delivered.length === 2);
    // The first batch is written at once (nothing was written for a minute), the next ones wait.
    const first = await store.readCheckpoint(name);
    expect(first).toBe(delivered[1]!.cursor);
    await store.append(`${category}-b`, newEvents(3), { expectedRevision: 'no_stream' });
    await eventually(() => delivered.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.readCheckpoint(name)).toBe(first);
    await subscription.stop();
    expect(await store.readCheckpoint(name)).toBe(delivered[4]!.cursor);
  });

  it('refuses the same event ids in another stream, also when two streams race for them', async () => {
    const events = newEvents(2);
    const outcomes = await Promise.allSettled(
      [uniqueName('dup-'), uniqueName('dup-'), uniqueName('dup-')].map((stream) =>
        store.append(stream, events, { expectedRevision: 'no_stream' }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EventIdConflict);
  });

  it('detects tampering done with raw SQL, through verifyStream and the CLI', async () => {
    const stream = uniqueName('tamper-');
    const intact = uniqueName('intact-');
    await store.append(stream, newEvents(5), { expectedRevision: 'no_stream' });
    await store.append(intact, newEvents(2), { expectedRevision: 'no_stream' });
    expect(await store.verifyStream(stream)).toMatchObject({ ok: true, events: 5 });
    expect(await runCli([intact])).toMatchObject({ code: 0, output: expect.stringContaining(`OK ${intact}: 2 events`) });

    await rawSql(`UPDATE event_store.events SET data = jsonb_set(data::jsonb, '{index}', '99')::json WHERE stream = $1 AND revision = 2`, [
      stream,
    ]);
    expect(await store.verifyStream(stream)).toMatchObject({
      ok: false,
      stream,
      revision: 2n,
      reason: expect.stringContaining('hash mismatch'),
    });
    const cli = await runCli([stream]);
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`BROKEN ${stream} at revision 2`);
    expect(await store.verifyAll()).toMatchObject({ ok: false, stream, revision: 2n });
    expect((await runCli(['--all'])).code).toBe(1);
  });

  it('detects a deleted event and metadata edits', async () => {
    const deleted = uniqueName('tamper-');
    await store.append(deleted, newEvents(4), { expectedRevision: 'no_stream' });
    await rawSql(`DELETE FROM event_store.events WHERE stream = $1 AND revision = 1`, [deleted]);
    expect(await store.verifyStream(deleted)).toMatchObject({ ok: false, revision: 1n, reason: expect.stringContaining('missing') });

    const edited = uniqueName('tamper-');
    await store.append(edited, newEvents(3), { expectedRevision: 'no_stream' });
    await rawSql(
      `UPDATE event_store.events SET metadata = jsonb_set(metadata::jsonb, '{actor}', '"user:mallory"')::json WHERE stream = $1 AND revision = 0`,
      [edited],
    );
    expect(await store.verifyStream(edited)).toMatchObject({ ok: false, revision: 0n });
  });

  it('the CLI exits 2 with usage when no stream is given', async () => {
    const cli = await runCli([]);
    expect(cli.code).toBe(2);
    expect(cli.output).toContain('usage');
  });

  it('runs its migrations once: init twice, and concurrent first inits on a fresh schema', async () => {
    await store.init();
    await store.init();
    const schema = uniqueName('es_');
    const stores = Array.from({ length: 4 }, () => new PostgresEventStore({ connectionString: db.url, schema, maxConnections: 1 }));
    try {
      await Promise.all(stores.map((s) => s.init()));
      await stores[0]!.init();
      const migrations = await rawSql(`SELECT version FROM ${schema}.migrations ORDER BY version`);
      expect(migrations.rows).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, index) => ({ version: index + 1 })));
      // A separate schema is a separate store.
      const stream = uniqueName('schema-');
      await stores[1]!.append(stream, newEvents(1), { expectedRevision: 'no_stream' });
      expect(await stores[2]!.readStream(stream)).toHaveLength(1);
      expect(await store.readStream(stream)).toEqual([]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await rawSql(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('writes a checkpoint inside the caller’s transaction: rolled back with it, committed with it', async () => {
    const name = uniqueName('projector-');
    const [event] = await appendAndRead(uniqueName('checkpoint-'));
    await store.withClient(async (client) => {
      await client.query('BEGIN');
      await store.writeCheckpoint(name, event!.cursor, { client });
      expect(await store.readCheckpoint(name, { client })).toBe(event!.cursor);
      await client.query('ROLLBACK');
    });
    expect(await store.readCheckpoint(name)).toBeUndefined();
    await store.withClient(async (client) => {
      await client.query('BEGIN');
      await store.writeCheckpoint(name, event!.cursor, { client });
      await client.query('COMMIT');
    });
    expect(await store.readCheckpoint(name)).toBe(event!.cursor);
    await expect(store.writeCheckpoint(name, 'not-a-cursor')).rejects.toThrow('Invalid event store cursor');
  });

  it('a subscription can keep its checkpoints in another database (the projector’s)', async () => {
    const projectorDb = await createTestDatabase('projector');
    const pool = new Pool({ connectionString: projectorDb.url, max: 2 });
    try {
      const checkpoints = new PostgresCheckpointStore(pool, 'projections');
      await checkpoints.ensureTable();
      const category = uniqueName('proj');
      await store.append(`${category}-1`, newEvents(3), { expectedRevision: 'no_stream' });
      const name = uniqueName('projector-');
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe({
        name,
        category,
        checkpoints,
        pollIntervalMs: 20,
        handle: async (events) => void seen.push(...events),
      });
      await eventually(() => seen.length === 3);
      await subscription.stop();
      expect(await checkpoints.readCheckpoint(name)).toBe(seen[2]!.cursor);
      expect(await store.readCheckpoint(name)).toBeUndefined();
    } finally {
      await pool.end();
      await projectorDb.drop();
    }
  });

  it('orders readAll by (transaction id, position) and encodes both in the cursor', async () => {
    const [event] = await appendAndRead(uniqueName('cursor-'));
    const cursor = decodePostgresCursor(event!.cursor);
    expect(cursor.position).toBe(event!.position);
    expect(cursor.transactionId).toBeGreaterThan(0n);
    const page = await store.readAll({ from: START, limit: 10_000 });
    expect(page.events.length).toBeGreaterThan(1);
    const pairs = page.events.map((e) => decodePostgresCursor(e.cursor));
    const outOfOrder = pairs.findIndex((after, i) => {
      const before = pairs[i - 1];
      return (
        before !== undefined &&
        !(before.transactionId < after.transactionId || (before.transactionId === after.transactionId && before.position < after.position))
      );
    });
    expect({ outOfOrder, around: pairs.slice(Math.max(0, outOfOrder - 1), outOfOrder + 1) }).toEqual({ outOfOrder: -1, around: [] });
  });

  it('createEventStore picks the adapter by URL scheme', async () => {
    const viaFactory = createEventStore(db.url.replace(/^postgres(ql)?:/, 'postgresql:'));
    try {
      expect(viaFactory).toBeInstanceOf(PostgresEventStore);
      const stream = uniqueName('factory-');
      await viaFactory.append(stream, newEvents(1), { expectedRevision: 'no_stream' });
      expect(await store.readStream(stream)).toHaveLength(1);
    } finally {
      await viaFactory.close();
    }
  });

  it('rejects malformed events before they reach the database', async () => {
    const stream = uniqueName('invalid-');
    const [good] = newEvents(1);
    await expect(store.append(stream, [], { expectedRevision: 'any' })).rejects.toThrow('at least one event');
    await expect(store.append(stream, [{ ...good!, id: 'nope' }], { expectedRevision: 'any' })).rejects.toThrow('UUID');
    await expect(
      store.append(stream, [{ ...good!, metadata: { ...good!.metadata, actor: '' } }], { expectedRevision: 'any' }),
    ).rejects.toThrow('metadata.actor');
    await expect(store.append(stream, [good!, good!], { expectedRevision: 'any' })).rejects.toThrow('twice');
    expect(await store.readStream(stream)).toEqual([]);
  });

  async function appendAndRead(stream: string): Promise<RecordedEvent[]> {
    await store.append(stream, newEvents(1), { expectedRevision: 'no_stream' });
    return store.readStream(stream);
  }
});

async function rawSql(text: string, values: unknown[] = []) {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const root = path.resolve(__dirname, '../../../..');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'libs/event-store/src/cli/verify.ts', ...args], {
      cwd: root,
      env: { ...withoutEventStoreUrl(process.env), DATABASE_URL: db.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function withoutEventStoreUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { EVENT_STORE_URL: _ignored, ...rest } = env;
  return rest;
}
