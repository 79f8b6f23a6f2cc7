import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { START, advanceTransactionIds, createEventStore, type EventStore, type NewEvent, type RecordedEvent } from '@ledger/event-store';
import { backupPostgres, freePort, localDir, restorePostgres, startPostgres, type RunningPostgres } from '@ledger/local-infra';

jest.setTimeout(180_000);

const SCHEMA = 'wallet';
const event = (index: number): NewEvent => ({
  id: randomUUID(),
  type: 'wallet.Tested.v1',
  data: { index },
  metadata: {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
  },
});

async function everything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let from = START; ;) {
    const page = await store.readAll({ from, limit: 500 });
    all.push(...page.events);
    if (page.isEnd) return all;
    from = page.next;
  }
}

/** Uses up transaction ids, so this server's events carry ids a new server has not reached. */
async function burn(url: string, count: number): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  await pool.query('CREATE TEMP TABLE burner (n integer)');
  await pool.query(
    `DO $$ BEGIN FOR i IN 1..${count} LOOP BEGIN INSERT INTO burner VALUES (i); EXCEPTION WHEN OTHERS THEN RAISE; END; END LOOP; END $$`,
  );
  await pool.end();
}

/**
 * A ledger restored from backup on another real server: every event is there and visible to the
 * readers, in its order, the hash chains verify, a subscription resumes from its checkpoint, and new
 * appends sort after the restored history. Physically (the supported backup, `npm run backup`), and
 * from a logical copy with the transaction-id fix-up (`advanceTransactionIds`).
 */
describe('backup and restore of the event store onto another real PostgreSQL server', () => {
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const instances = { source: `backup-source-${suffix}`, restored: `backup-restored-${suffix}`, logical: `backup-logical-${suffix}` };
  const backupDir = path.join(os.tmpdir(), `ledger-backup-${suffix}`);
  const servers: RunningPostgres[] = [];
  const stores: EventStore[] = [];
  let source: RunningPostgres;
  let before: RecordedEvent[];

  const storeOn = async (server: RunningPostgres) => {
    const store = createEventStore(server.url, { schema: SCHEMA, poolSize: 3 });
    await store.init();
    stores.push(store);
    return store;
  };
  const start = async (instance: string, fresh: boolean) => {
    const server = await startPostgres({ instance, port: await freePort(), fresh });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    source = await start(instances.source, true);
    await burn(source.url, 20_000);
    const store = await storeOn(source);
    for (let stream = 0; stream < 5; stream += 1)
      for (let batch = 0; batch < 4; batch += 1)
        await store.append(`wallet-${stream}`, [event(batch * 2), event(batch * 2 + 1)], { expectedRevision: 'any' });
    before = await everything(store);
    // A projection that has handled the first 15 events.
    await store.writeCheckpoint('projection', before[14]!.cursor);
  });

  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    for (const server of servers) await server.stop().catch(() => undefined);
    for (const instance of Object.values(instances)) rmSync(path.join(localDir, instance), { recursive: true, force: true });
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('restores a physical backup: every event visible in order, chains intact, a projection resumes, appends sort after', async () => {
    const manifest = await backupPostgres(source.url, backupDir);
    expect(manifest.bytes).toBeGreaterThan(0);
    // Written after the backup: not in it.
    await stores[0]!.append('wallet-after', [event(99)], { expectedRevision: 'any' });
    restorePostgres(backupDir, instances.restored);
    const store = await storeOn(await start(instances.restored, false));
    const restored = await everything(store);
    expect(restored.map((e) => e.id)).toEqual(before.map((e) => e.id));
    expect(restored.map((e) => e.cursor)).toEqual(before.map((e) => e.cursor));
    expect(await store.verifyAll()).toMatchObject({ ok: true, events: before.length });
    expect(await store.readCheckpoint('projection')).toBe(before[14]!.cursor);
    const resumed = await everything(store).then((all) => all.slice(all.findIndex((e) => e.cursor === before[14]!.cursor) + 1));
    expect(resumed.map((e) => e.id)).toEqual(before.slice(15).map((e) => e.id));
    await store.append('wallet-0', [event(100)], { expectedRevision: 7n });
    const after = await everything(store);
    expect(after).toHaveLength(before.length + 1);
    expect(after[after.length - 1]!.data).toEqual({ index: 100 });
  });

  it('restores a logical copy onto a new server: its events are hidden until the transaction counter is advanced past them', async () => {
    const server = await start(instances.logical, true);
    const store = await storeOn(server);
    const sourcePool = new Pool({ connectionString: source.url, max: 1 });
    const targetPool = new Pool({ connectionString: server.url, max: 2 });
    try {
      // What pg_dump --data-only copies: every stored column as it is, the transaction ids included.
      const columns = 'position, transaction_id, id, stream, revision, type, data, metadata, hash, recorded_at';
      const { rows } = await sourcePool.query<Record<string, unknown>>(
        `SELECT position, transaction_id::text, id, stream, revision, type, data::text, metadata::text, hash, recorded_at FROM ${SCHEMA}.events ORDER BY position`,
      );
      for (const row of rows)
        await targetPool.query(
          `INSERT INTO ${SCHEMA}.events (${columns}) OVERRIDING SYSTEM VALUE VALUES ($1, $2::xid8, $3, $4, $5, $6, $7::json, $8::json, $9, $10)`,
          [row.position, row.transaction_id, row.id, row.stream, row.revision, row.type, row.data, row.metadata, row.hash, row.recorded_at],
        );
      await targetPool.query(
        `SELECT setval(pg_get_serial_sequence('${SCHEMA}.events', 'position'), (SELECT max(position) FROM ${SCHEMA}.events))`,
      );
      expect(await everything(store)).toEqual([]);
      const advanced = await advanceTransactionIds(targetPool, [SCHEMA]);
      expect(advanced.after).toBeGreaterThan(advanced.highestEventTransaction);
      const restored = await everything(store);
      expect(restored.map((e) => e.id)).toEqual(rows.map((row) => row.id));
      expect(await store.verifyAll()).toMatchObject({ ok: true });
      await store.append('wallet-new', [event(200)], { expectedRevision: 'no_stream' });
      const after = await everything(store);
      expect(after[after.length - 1]!.data).toEqual({ index: 200 });
    } finally {
      await sourcePool.end();
      await targetPool.end();
    }
  });
});
