import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@ledger/testing';
import { eventually, newEvents, uniqueName } from '../contract/contract-support';
import { eventHash } from '../hash-chain';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { auditStore, type AuditReport } from './audit';
import { Checkpointer, CheckpointRefused, type CheckpointRun } from './checkpointer';
import { formatPublicKey, generateCheckpointKey, verificationKeysOf } from './checkpoint-keys';
import { recordOf, signCheckpoint, type CheckpointBody } from './signed-checkpoint';

const key = generateCheckpointKey('test-k1');
const keys = verificationKeysOf(key);

let db: TestDatabase;
const opened: PostgresEventStore[] = [];

beforeAll(async () => {
  db = await createTestDatabase('checkpoints');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  await db?.drop();
});

/** A store of its own (its own schema), so each test sees only its own streams and checkpoints. */
async function freshStore(maxEventsPerRun?: number): Promise<{ store: PostgresEventStore; checkpointer: Checkpointer; schema: string }> {
  const schema = uniqueName('cp_');
  const store = new PostgresEventStore({ connectionString: db.url, schema, maxConnections: 4 });
  opened.push(store);
  await store.init();
  return { store, schema, checkpointer: new Checkpointer({ store, signingKey: key, maxEventsPerRun }) };
}

/** Appends `count` events to a new stream; returns the stream. */
async function streamOf(store: PostgresEventStore, prefix: string, count: number): Promise<string> {
  const stream = uniqueName(prefix);
  await store.append(stream, newEvents(count), { expectedRevision: 'no_stream' });
  return stream;
}

/**
 * Runs the checkpointer until a checkpoint covers the store's newest event. Readers (and so the
 * checkpointer) see an event once every older transaction on the server has ended, which another
 * test's open transaction can delay for a moment.
 */
async function checkpointEverything(store: PostgresEventStore, checkpointer: Checkpointer): Promise<CheckpointRun> {
  const { rows } = await sql(`SELECT max(position)::text AS position FROM ${store.schema}.events`);
  const newest = BigInt((rows[0] as { position: string }).position);
  let run: CheckpointRun | undefined;
  await eventually(async () => {
    run = await checkpointer.runOnce();
    return run.status === 'written' && BigInt(run.checkpoint.body.logHead.position) >= newest;
  });
  return run!;
}

/** The error of the first run that sees the newest events (runs before that find nothing new). */
async function refusalOf(checkpointer: Checkpointer): Promise<unknown> {
  let refusal: unknown;
  await eventually(async () => {
    refusal = await checkpointer.runOnce().then(
      () => undefined,
      (error: unknown) => error,
    );
    return refusal !== undefined;
  });
  return refusal;
}

function audit(store: PostgresEventStore, stream?: string): Promise<AuditReport> {
  return store.withClient((client) => auditStore(client, store.schema, { keys, stream }));
}

async function sql(text: string, values: unknown[] = []): Promise<{ rows: unknown[] }> {
  return inSession([[text, values]]);
}

/** Runs statements on one session: the insider's raw SQL, e.g. with the triggers turned off first. */
async function inSession(statements: Array<[string, unknown[]?]>): Promise<{ rows: unknown[] }> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    let result: { rows: unknown[] } = { rows: [] };
    for (const [text, values] of statements) result = await client.query(text, values);
    return result;
  } finally {
    await client.end();
  }
}

async function checkpointCount(schema: string): Promise<number> {
  const { rows } = await sql(`SELECT count(*)::int AS n FROM ${schema}.event_checkpoints`);
  return (rows[0] as { n: number }).n;
}

/** Edits revision `from` of a stream and recomputes its chain from there on, as an insider with the (public) algorithm can. */
async function rewriteAndRehash(store: PostgresEventStore, stream: string, from: bigint): Promise<void> {
  const events = await store.readStream(stream);
  let previous: Buffer = Buffer.from(events[Number(from) - 1]!.hash, 'hex');
  for (const event of events.slice(Number(from))) {
    const data = event.revision === from ? { ...event.data, index: 99 } : event.data;
    previous = eventHash(previous, event.revision, { id: event.id, stream, type: event.type, data, metadata: event.metadata });
    await sql(`UPDATE ${store.schema}.events SET data = $1::json, hash = decode($2, 'hex') WHERE stream = $3 AND revision = $4`, [
      JSON.stringify(data),
      previous.toString('hex'),
      stream,
      event.revision.toString(),
    ]);
  }
}

describe('signed checkpoints on PostgreSQL', () => {
  it('given an untampered store, when checkpointed twice and verified, then nothing is reported and the checkpoints chain', async () => {
    const { store, checkpointer } = await freshStore();
    await streamOf(store, 'wallet-', 3);
    await streamOf(store, 'payment-', 2);
    const first = await checkpointEverything(store, checkpointer);
    const another = await streamOf(store, 'wallet-', 4);
    await store.append(another, newEvents(1), { expectedRevision: 3n });
    const second = await checkpointEverything(store, checkpointer);

    expect(first).toMatchObject({ status: 'written', checkpoint: { body: { sequence: '0', streams: '2', events: '5' } } });
    expect(second).toMatchObject({ status: 'written', checkpoint: { body: { sequence: '1', streams: '3', events: '10' } } });
    if (first.status !== 'written' || second.status !== 'written') throw new Error('unreachable');
    expect(second.checkpoint.body.previous).toBe(first.checkpoint.hash);
    expect(second.checkpoint.body.logHead).toMatchObject({ stream: another, revision: '4' });
    const report = await audit(store);
    expect(report).toMatchObject({ ok: true, findings: [], streams: 3, events: 10, checkpoints: 2, incomplete: false });
    expect(report.newest?.hash).toBe(second.checkpoint.hash);
  });

  it('given a dozen checkpoints, when verified, then the chain is walked in sequence order and matches', async () => {
    const { store, checkpointer } = await freshStore();
    for (let round = 0; round < 12; round++) {
      await streamOf(store, 'wallet-', 1);
      await checkpointEverything(store, checkpointer);
    }
    const report = await audit(store);
    expect(report).toMatchObject({ ok: true, checkpoints: 12, newest: { body: { sequence: '11', streams: '12' } } });
  });

  it('given nothing appended since the last checkpoint, when the checkpointer runs, then it writes nothing', async () => {
    const { store, schema, checkpointer } = await freshStore();
    expect(await checkpointer.runOnce()).toEqual({ status: 'unchanged', sequence: undefined });
    await streamOf(store, 'wallet-', 2);
    await checkpointEverything(store, checkpointer);
    expect(await checkpointer.runOnce()).toEqual({ status: 'unchanged', sequence: 0n });
    expect(await checkpointCount(schema)).toBe(1);
  });

  it('given a stream truncated with SQL after a checkpoint, when verified, then the truncation is reported at the signed revision', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const truncated = await streamOf(store, 'wallet-', 5);
    await streamOf(store, 'wallet-', 2);
    await checkpointEverything(store, checkpointer);
    expect((await audit(store)).ok).toBe(true);

    await sql(`DELETE FROM ${schema}.events WHERE stream = $1 AND revision >= 3`, [truncated]);

    // The remaining chain is intact: the chain check alone cannot see it.
    expect(await store.verifyStream(truncated)).toMatchObject({ ok: true, events: 3 });
    const report = await audit(store);
    expect(report.findings).toEqual([
      {
        kind: 'truncated',
        stream: truncated,
        revision: 4n,
        detail: 'the stream ends at revision 2; checkpoint #0 signed it up to revision 4',
      },
    ]);
    expect(report.ok).toBe(false);
  });

  it('given a whole stream deleted with SQL after a checkpoint, when verified, then the deleted stream is reported with its signed revision', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const deleted = await streamOf(store, 'card-', 3);
    await streamOf(store, 'wallet-', 2);
    await checkpointEverything(store, checkpointer);

    await sql(`DELETE FROM ${schema}.events WHERE stream = $1`, [deleted]);

    expect(await store.verifyAll()).toMatchObject({ ok: true });
    expect((await audit(store)).findings).toEqual([
      { kind: 'deleted-stream', stream: deleted, revision: 2n, detail: 'the stream is gone; checkpoint #0 signed it up to revision 2' },
    ]);
  });

  it('given a chain rewritten and recomputed after a checkpoint, when verified, then the recomputed chain is reported at the signed revision', async () => {
    const { store, checkpointer } = await freshStore();
    const rewritten = await streamOf(store, 'payment-', 5);
    await streamOf(store, 'wallet-', 1);
    await checkpointEverything(store, checkpointer);

    await rewriteAndRehash(store, rewritten, 1n);

    expect(await store.verifyStream(rewritten)).toMatchObject({ ok: true, events: 5 });
    expect((await audit(store)).findings).toEqual([
      {
        kind: 'recomputed-chain',
        stream: rewritten,
        revision: 4n,
        detail: 'the chain links up to revision 4, but its hash there is not the one checkpoint #0 signed: rewritten and rehashed',
      },
    ]);
  });

  it('given an event edited with SQL after a checkpoint, when verified, then the edited event is reported at its revision', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const edited = await streamOf(store, 'wallet-', 4);
    await checkpointEverything(store, checkpointer);

    await sql(`UPDATE ${schema}.events SET data = jsonb_set(data::jsonb, '{index}', '99')::json WHERE stream = $1 AND revision = 2`, [
      edited,
    ]);

    expect((await audit(store)).findings).toEqual([
      {
        kind: 'edited-event',
        stream: edited,
        revision: 2n,
        detail: 'hash mismatch at revision 2: the event or its predecessor was altered',
      },
    ]);
  });

  it('given the four tamperings in one store, when the CLI verifies it, then it exits 1 and names each stream and revision', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const truncated = await streamOf(store, 'a-', 5);
    const deleted = await streamOf(store, 'b-', 3);
    const rewritten = await streamOf(store, 'c-', 4);
    const edited = await streamOf(store, 'd-', 4);
    const intact = await streamOf(store, 'e-', 2);
    await checkpointEverything(store, checkpointer);
    const clean = await runCli(schema, ['--all']);
    expect(clean.code).toBe(0);
    expect(clean.output).toContain('OK 5 streams, 18 events');
    expect(clean.output).toContain('OK 1 checkpoints; the store matches checkpoint #0');

    await sql(`DELETE FROM ${schema}.events WHERE stream = $1 AND revision >= 2`, [truncated]);
    await sql(`DELETE FROM ${schema}.events WHERE stream = $1`, [deleted]);
    await rewriteAndRehash(store, rewritten, 2n);
    await sql(`UPDATE ${schema}.events SET type = 'test.Forged.v1' WHERE stream = $1 AND revision = 1`, [edited]);

    const cli = await runCli(schema, ['--all']);
    expect(cli.code).toBe(1);
    const broken = cli.output.split('\n').filter((line) => line.startsWith('BROKEN'));
    expect(broken).toEqual([
      expect.stringMatching(new RegExp(`^BROKEN ${truncated} at revision 4: truncated: `)),
      expect.stringMatching(new RegExp(`^BROKEN ${deleted} at revision 2: deleted-stream: `)),
      expect.stringMatching(new RegExp(`^BROKEN ${rewritten} at revision 3: recomputed-chain: `)),
      expect.stringMatching(new RegExp(`^BROKEN ${edited} at revision 1: edited-event: `)),
    ]);
    const single = await runCli(schema, [intact]);
    expect(single.code).toBe(0);
    expect(single.output).toContain(`OK ${intact}: 2 events`);
    expect((await runCli(schema, [truncated])).output).toContain(`BROKEN ${truncated} at revision 4: truncated`);
  });

  it('given a truncated stream appended to again, when the checkpointer runs, then it refuses to sign and verify still reports the stream', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const stream = await streamOf(store, 'wallet-', 5);
    await checkpointEverything(store, checkpointer);
    await sql(`DELETE FROM ${schema}.events WHERE stream = $1 AND revision >= 3`, [stream]);
    await store.append(stream, newEvents(2), { expectedRevision: 2n });

    const refusal = await refusalOf(checkpointer);
    expect(refusal).toBeInstanceOf(CheckpointRefused);
    expect(refusal).toMatchObject({ stream, revision: 3n });
    expect(await checkpointCount(schema)).toBe(1);
    expect((await audit(store)).findings).toEqual([expect.objectContaining({ kind: 'recomputed-chain', stream, revision: 4n })]);
  });

  it('given the checkpointed heads edited to hide a truncation, when verified, then the heads no longer match the signed root', async () => {
    const { store, schema, checkpointer } = await freshStore();
    const stream = await streamOf(store, 'wallet-', 5);
    await streamOf(store, 'wallet-', 1);
    await checkpointEverything(store, checkpointer);
    const head = (await store.readStream(stream))[2]!;

    await sql(`DELETE FROM ${schema}.events WHERE stream = $1 AND revision >= 3`, [stream]);
    await sql(`UPDATE ${schema}.event_checkpoint_heads SET revision = 2, hash = decode($2, 'hex') WHERE stream = $1`, [stream, head.hash]);

    expect((await audit(store)).findings).toEqual([expect.objectContaining({ kind: 'checkpoint-heads', sequence: 0n })]);
    await store.append(stream, newEvents(1), { expectedRevision: 2n });
    expect(await refusalOf(checkpointer)).toMatchObject({ reason: 'the checkpointed heads do not match the root signed by checkpoint #0' });
  });

  it('given a checkpoint inserted with a forged signature, when verified, then it is reported, the store is compared with the last genuine one, and it is never extended', async () => {
    const { store, schema, checkpointer } = await freshStore();
    await streamOf(store, 'wallet-', 2);
    const genuine = await checkpointEverything(store, checkpointer);
    if (genuine.status !== 'written') throw new Error('unreachable');
    const forger = generateCheckpointKey(key.keyId);
    const forged = signCheckpoint({ ...bodyAfter(genuine.checkpoint.body, genuine.checkpoint.hash), root: 'ee'.repeat(32) }, forger);
    await insertCheckpoint(schema, forged);

    const report = await audit(store);
    expect(report.findings).toEqual([
      { kind: 'checkpoint-invalid', sequence: 1n, detail: 'the signature does not verify under key test-k1' },
    ]);
    expect(report.newest?.hash).toBe(genuine.checkpoint.hash);
    await streamOf(store, 'wallet-', 1);
    await expect(checkpointer.runOnce()).rejects.toThrow(CheckpointRefused);
  });

  it('given a genuine-looking checkpoint that names the wrong predecessor, when verified, then the broken link is reported', async () => {
    const { store, schema, checkpointer } = await freshStore();
    await streamOf(store, 'wallet-', 2);
    const genuine = await checkpointEverything(store, checkpointer);
    if (genuine.status !== 'written') throw new Error('unreachable');
    // Signed with the real key (the link check must hold on its own, even against a leaked key).
    await insertCheckpoint(schema, signCheckpoint(bodyAfter(genuine.checkpoint.body, 'ab'.repeat(32)), key));

    expect((await audit(store)).findings).toEqual([
      expect.objectContaining({ kind: 'checkpoint-link', sequence: 1n, detail: expect.stringContaining('as its predecessor') }),
    ]);
  });

  it('given a middle checkpoint deleted with the triggers turned off, when verified, then the next checkpoint reports the gap', async () => {
    const { store, schema, checkpointer } = await freshStore();
    for (let round = 0; round < 3; round++) {
      await streamOf(store, 'wallet-', 1);
      await checkpointEverything(store, checkpointer);
    }
    await inSession([['SET session_replication_role = replica'], [`DELETE FROM ${schema}.event_checkpoints WHERE sequence = 1`]]);

    expect((await audit(store)).findings).toEqual([
      { kind: 'checkpoint-link', sequence: 2n, detail: 'checkpoint #1 before it is missing' },
    ]);
  });

  it('given the checkpoint table, when a writer updates, deletes or truncates it, then the database refuses', async () => {
    const { store, schema, checkpointer } = await freshStore();
    await streamOf(store, 'wallet-', 1);
    await checkpointEverything(store, checkpointer);

    await expect(sql(`UPDATE ${schema}.event_checkpoints SET key_id = 'other'`)).rejects.toThrow('append-only');
    await expect(sql(`DELETE FROM ${schema}.event_checkpoints`)).rejects.toThrow('append-only');
    await expect(sql(`TRUNCATE ${schema}.event_checkpoints`)).rejects.toThrow('append-only');
    expect(await checkpointCount(schema)).toBe(1);
  });

  it('given two checkpointers of one store running at once, then one checkpoint is written', async () => {
    const { store, schema } = await freshStore();
    await streamOf(store, 'wallet-', 3);
    const replicas = Array.from({ length: 3 }, () => new Checkpointer({ store, signingKey: key }));
    await eventually(async () => (await store.readAll()).events.length === 3);

    const runs = await Promise.all(replicas.map((replica) => replica.runOnce()));

    expect(runs.filter((run) => run.status === 'written')).toHaveLength(1);
    expect(await checkpointCount(schema)).toBe(1);
    expect((await audit(store)).ok).toBe(true);
  });

  it('given more events than one run may cover, when the checkpointer runs, then each run stops at its bound and the next continues', async () => {
    const { store, checkpointer } = await freshStore(4);
    for (let index = 0; index < 3; index++) await streamOf(store, 'wallet-', 3);
    await eventually(async () => (await store.readAll()).events.length === 9);

    const first = await checkpointer.runOnce();
    expect(first).toMatchObject({ status: 'written', events: 4, capped: true, checkpoint: { body: { streams: '2', events: '4' } } });
    const last = await checkpointEverything(store, checkpointer);
    expect(last).toMatchObject({ status: 'written', checkpoint: { body: { streams: '3', events: '9' } } });
    expect((await audit(store)).ok).toBe(true);
  });

  it('given checkpoints signed under a key the CLI does not trust outside development mode, then it exits 2 and says which variable to set', async () => {
    const { store, schema, checkpointer } = await freshStore();
    await streamOf(store, 'wallet-', 1);
    await checkpointEverything(store, checkpointer);

    const cli = await runCli(schema, ['--all'], { LEDGER_DEV_MODE: '', EVENT_CHECKPOINT_PUBLIC_KEYS: '' });
    expect(cli.code).toBe(2);
    expect(cli.output).toContain('EVENT_CHECKPOINT_PUBLIC_KEYS');
  });
});

function bodyAfter(previous: CheckpointBody, previousHash: string): Omit<CheckpointBody, 'version' | 'keyId'> {
  const { version: _version, keyId: _keyId, ...rest } = previous;
  return { ...rest, sequence: (BigInt(previous.sequence) + 1n).toString(), previous: previousHash };
}

async function insertCheckpoint(schema: string, checkpoint: ReturnType<typeof signCheckpoint>): Promise<void> {
  const record = recordOf(checkpoint);
  await sql(
    `INSERT INTO ${schema}.event_checkpoints (sequence, checkpoint_hash, previous_hash, key_id, body, signature)
     VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4, $5, decode($6, 'base64'))`,
    [record.sequence.toString(), record.hash, record.previous, record.keyId, record.bodyText, record.signature],
  );
}

function runCli(schema: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const root = path.resolve(__dirname, '../../../..');
  const { EVENT_STORE_URL: _url, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'libs/event-store/src/cli/verify.ts', ...args], {
      cwd: root,
      env: {
        ...env,
        DATABASE_URL: db.url,
        EVENT_STORE_SCHEMA: schema,
        EVENT_CHECKPOINT_PUBLIC_KEYS: formatPublicKey(key),
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
