import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { producerDefaults } from '@ledger/messaging';
import { createTestDatabase, testKafka, testTopic, type TestDatabase } from '@ledger/testing';
import { eventually, newEvents, uniqueName } from '../contract/contract-support';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { auditStore } from './audit';
import { Checkpointer } from './checkpointer';
import { formatPublicKey, generateCheckpointKey, verificationKeysOf } from './checkpoint-keys';
import { KafkaCheckpointPublisher, readCheckpointCopies } from './kafka-copy';

const key = generateCheckpointKey('test-kafka');
const keys = verificationKeysOf(key);
const kafka = testKafka('checkpoint-copies');

let db: TestDatabase;
let store: PostgresEventStore;
let publisher: KafkaCheckpointPublisher;

beforeAll(async () => {
  db = await createTestDatabase('checkpoint_copies');
  store = new PostgresEventStore({ connectionString: db.url, schema: uniqueName('cp_'), maxConnections: 4 });
  await store.init();
  publisher = new KafkaCheckpointPublisher(kafka, testTopic('ops.checkpoints'), store.schema);
});

afterAll(async () => {
  await publisher?.close();
  await store?.close();
  await db?.drop();
});

describe('the Kafka copy of signed checkpoints', () => {
  it('given the newest checkpoint deleted from the table, when verified with its Kafka copy, then the deletion is reported; without the copy it is not', async () => {
    const checkpointer = new Checkpointer({ store, signingKey: key, publish: publisher.publish });
    for (let round = 0; round < 2; round++) {
      const stream = uniqueName('wallet-');
      await store.append(stream, newEvents(2), { expectedRevision: 'no_stream' });
      await eventually(async () => (await checkpointer.runOnce()).status === 'written');
    }
    const copies = await readCheckpointCopies({ kafka, topic: publisher.topic, store: store.schema });
    expect(copies.map((copy) => copy.sequence)).toEqual([0n, 1n]);

    // An insider who can turn the triggers off rolls the table back to checkpoint #0: the table alone still verifies.
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(`DELETE FROM ${store.schema}.event_checkpoints WHERE sequence = 1`);
      await client.query(`DELETE FROM ${store.schema}.event_checkpoint_heads WHERE sequence = 1`);
    } finally {
      await client.end();
    }
    const tableOnly = await store.withClient((session) => auditStore(session, store.schema, { keys }));
    expect(tableOnly).toMatchObject({ ok: true, checkpoints: 1 });

    const published = await readCheckpointCopies({ kafka, topic: publisher.topic, store: store.schema });
    const withCopies = await store.withClient((session) => auditStore(session, store.schema, { keys, copies: published }));
    expect(withCopies.findings).toEqual([
      expect.objectContaining({ kind: 'checkpoint-missing', sequence: 1n, detail: expect.stringContaining('published on Kafka') }),
    ]);

    const cli = await runCli(['--all', `--kafka=${publisher.topic}`]);
    expect(cli.code).toBe(1);
    expect(cli.output).toContain('BROKEN checkpoint #1: checkpoint-missing: published on Kafka');
  });

  it('given a message on the topic that is not a genuine checkpoint, when the copies are compared, then it is reported as invalid', async () => {
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    try {
      const forged = {
        store: store.schema,
        sequence: '7',
        hash: 'ab'.repeat(32),
        previous: 'cd'.repeat(32),
        keyId: key.keyId,
        body: '{}',
        signature: '',
      };
      await producer.send({ topic: publisher.topic, acks: -1, messages: [{ key: store.schema, value: JSON.stringify(forged) }] });
    } finally {
      await producer.disconnect();
    }
    const copies = await readCheckpointCopies({ kafka, topic: publisher.topic, store: store.schema });
    const report = await store.withClient((session) => auditStore(session, store.schema, { keys, copies }));
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'checkpoint-invalid', sequence: 7n }));
  });
});

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const root = path.resolve(__dirname, '../../../..');
  const { EVENT_STORE_URL: _url, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'libs/event-store/src/cli/verify.ts', ...args], {
      cwd: root,
      env: { ...env, DATABASE_URL: db.url, EVENT_STORE_SCHEMA: store.schema, EVENT_CHECKPOINT_PUBLIC_KEYS: formatPublicKey(key) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
